import type { V1Pod } from '@kubernetes/client-node';
import { isTransient, type KubeApi, type KubeApiError, type PodList, type PodWatch, type PodWatchEvent, type PodWatchHandlers, type StreamedPods } from '../kube/port.ts';
import { whenAborted, type Clock } from '../util/clock.ts';

/** The reason a sleep is cut short (a given reason spares a DOMException per wake-up). */
const WOKEN = 'woken';

/** First wait before re-watching after a failed watch; doubles per failure up to the poll interval × 30. */
const REWATCH_BACKOFF_MS = 1_000;

/** A watch being opened: its stream can end (or change) before the call that opens it returns. */
interface Opening {
  watch?: PodWatch;
  endedWith?: { error: KubeApiError | undefined };
  /** Changes that came before the view held the list they follow. */
  early?: PodWatchEvent[];
}

/**
 * The drain's view of a node's pods: one streaming list (a WATCH that starts with the current
 * pods) where the server offers it, else one LIST then one WATCH from the list's resourceVersion
 * (field selector spec.nodeName); every change handed to the follower as the full current list.
 * Waiters wake on each change instead of re-listing: a drain costs one request (or one LIST and
 * one WATCH) for its pods, not a LIST per second.
 *
 * A watch the server ends (its timeout) is resumed from the last resourceVersion seen; a 410 (too
 * old) or a watch that cannot be started makes the view fall back to re-listing once per poll
 * interval until a new watch runs (re-tried with backoff). A watch the server refuses for good
 * (403 without the `watch` verb, 405) leaves polling on for this drain. A transiently failed LIST
 * keeps the last view; the next poll tries again. A permanent LIST failure is thrown. Every sleep
 * is cleared when its wait ends, so no timer outlives a wait; `close` stops the watch.
 */
export class NodePodWatch {
  private readonly pods = new Map<string, V1Pod>();
  private resourceVersion: string | undefined;
  private lastListedAt = Number.NEGATIVE_INFINITY;
  private listing: Promise<void> | undefined;
  private watch: PodWatch | undefined;
  private starting: Promise<void> | undefined;
  private rewatchAt = 0;
  private rewatchBackoffMs = REWATCH_BACKOFF_MS;
  private watchRefused = false;
  private closed = false;
  private follower: ((pods: V1Pod[], at: number) => void) | undefined;
  private changedAt = 0;
  private readonly wakers = new Set<() => void>();
  /** Transient LIST and WATCH failures so far, for the report. */
  failedLists = 0;
  failedWatches = 0;

  constructor(
    private readonly kube: KubeApi,
    private readonly clock: Clock,
    private readonly nodeName: string,
    private readonly pollMs: number,
  ) {}

  /**
   * Reads the node's pods and begins following them: a streaming list, or (the server has none,
   * or refuses watches) a LIST, then a WATCH from it. Resolves with the pods as read; a failure
   * rejects, for the caller to retry (a transient one) or give up.
   */
  async start(): Promise<PodList> {
    if (!this.watchRefused) {
      const opening: Opening = { early: [] };
      let streamed: StreamedPods | undefined;
      try {
        streamed = await this.kube.streamPodsOnNode(this.nodeName, this.handlersFor(opening));
      } catch (err) {
        if (isTransient(err)) throw err;
        this.watchRefused = true;
      }
      if (streamed) {
        this.replace(streamed.list);
        for (const event of opening.early!.splice(0)) this.apply(event);
        this.adopt(opening, streamed.watch);
        return streamed.list;
      }
    }
    const list = await this.kube.listPodsOnNode(this.nodeName);
    this.replace(list);
    this.ensureWatch();
    return list;
  }

  /** Hands every change from now on to `follower`, starting with the current view. */
  follow(follower: (pods: V1Pod[], at: number) => void): void {
    this.follower = follower;
    follower([...this.pods.values()], this.changedAt);
  }

  /** Lists again (at most once per poll interval unless `force`), then makes sure a watch runs. */
  refresh(force = false): Promise<void> {
    if (this.listing) return this.listing;
    if (!force && this.clock.now() - this.lastListedAt < this.pollMs) return Promise.resolve();
    this.listing = (async () => {
      try {
        this.replace(await this.kube.listPodsOnNode(this.nodeName));
      } catch (err) {
        if (!isTransient(err)) throw err;
        this.failedLists++;
        this.lastListedAt = this.clock.now();
      } finally {
        this.listing = undefined;
      }
      this.ensureWatch();
    })();
    return this.listing;
  }

  /** True while a watch delivers changes (no polling needed). */
  get watching(): boolean {
    return this.watch !== undefined;
  }

  /**
   * Makes every waiter look at its condition again: something it reads besides the pods changed
   * (an eviction ended, given up or failed), which no change to the pods would announce.
   */
  nudge(): void {
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
    this.watch = undefined;
    this.wake();
  }

  /**
   * Resolves true once `condition` holds (checked after each change), false at `until` or when
   * `signal` aborts. With `firstLookAfter` (the evictions being waited on): without a running
   * watch, the first re-list comes as soon as it settles, not a poll interval later.
   */
  async waitFor(condition: () => boolean, until: number, options: { firstLookAfter?: Promise<unknown>; signal?: AbortSignal } = {}): Promise<boolean> {
    const { firstLookAfter, signal } = options;
    if (condition()) return true;
    if (firstLookAfter && !this.watch) {
      await this.sleepUntil(until, signal, firstLookAfter);
      if (signal?.aborted) return condition();
      // A watch still starting replays every change since the list: no need to list again.
      await this.starting;
      if (!this.watch) await this.refresh(true);
    }
    for (;;) {
      if (condition()) return true;
      const now = this.clock.now();
      if (now >= until || signal?.aborted || this.closed) return false;
      this.ensureWatch();
      // Watching: sleep until a change (or the end). Not watching: poll.
      await this.sleepUntil(this.watch ? until : Math.min(now + this.pollMs, until), signal);
      if (signal?.aborted) return condition();
      if (!this.watch) await this.refresh();
    }
  }

  /** Sleeps until `until`, a change to the view, `signal`, or `alsoStop` settling; clears its timer. */
  private async sleepUntil(until: number, signal: AbortSignal | undefined, alsoStop?: Promise<unknown>): Promise<void> {
    const early = new AbortController();
    const stop = () => early.abort(WOKEN);
    // Through the signal's one fan-out listener: several waits of a drain share its halt signal.
    const stopWaiting = signal ? whenAborted(signal, stop) : undefined;
    this.wakers.add(stop);
    try {
      const sleep = this.clock.sleep(Math.max(0, until - this.clock.now()), early.signal);
      await (alsoStop ? Promise.race([alsoStop, sleep]) : sleep);
    } finally {
      early.abort(WOKEN);
      this.wakers.delete(stop);
      stopWaiting?.();
    }
  }

  private replace(list: PodList): void {
    this.pods.clear();
    for (const pod of list.items) this.pods.set(pod.metadata?.uid ?? '', pod);
    this.resourceVersion = list.resourceVersion;
    this.lastListedAt = this.clock.now();
    this.changed(this.lastListedAt);
  }

  private apply(event: PodWatchEvent): void {
    const uid = event.pod.metadata?.uid ?? '';
    if (event.type === 'DELETED') this.pods.delete(uid);
    else this.pods.set(uid, event.pod);
    this.resourceVersion = event.pod.metadata?.resourceVersion ?? this.resourceVersion;
    this.changed(this.clock.now());
  }

  private changed(at: number): void {
    this.changedAt = at;
    this.follower?.([...this.pods.values()], at);
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  private ensureWatch(): void {
    if (this.closed || this.watch || this.starting || this.watchRefused || this.resourceVersion === undefined || this.clock.now() < this.rewatchAt) return;
    this.starting = this.startWatch(this.resourceVersion).finally(() => (this.starting = undefined));
  }

  private async startWatch(from: string): Promise<void> {
    const opening: Opening = {};
    let watch: PodWatch;
    try {
      watch = await this.kube.watchPodsOnNode(this.nodeName, from, this.handlersFor(opening));
    } catch (err) {
      if (!isTransient(err)) this.watchRefused = true;
      else this.failedToWatch();
      return this.wake();
    }
    this.adopt(opening, watch);
  }

  /** Changes go to the view (held back while `opening.early` collects them); an end names its watch. */
  private handlersFor(opening: Opening): PodWatchHandlers {
    return {
      onEvent: (event) => (opening.early ? opening.early.push(event) : this.apply(event)),
      onEnd: (error) => (opening.watch ? this.ended(opening.watch, error) : (opening.endedWith = { error })),
    };
  }

  /** The watch is running: it becomes the view's, unless the view closed or it already ended. */
  private adopt(opening: Opening, watch: PodWatch): void {
    opening.watch = watch;
    delete opening.early;
    if (this.closed) return watch.stop();
    this.watch = watch;
    this.rewatchBackoffMs = REWATCH_BACKOFF_MS;
    if (opening.endedWith) this.ended(watch, opening.endedWith.error);
    else this.wake();
  }

  private ended(watch: PodWatch, error: KubeApiError | undefined): void {
    if (this.watch !== watch) return;
    this.watch = undefined;
    if (error?.status === 410) {
      // Changes were missed: list again before watching.
      this.resourceVersion = undefined;
      this.lastListedAt = Number.NEGATIVE_INFINITY;
    } else if (error) this.failedToWatch();
    this.wake();
  }

  private failedToWatch(): void {
    this.failedWatches++;
    this.rewatchAt = this.clock.now() + this.rewatchBackoffMs;
    this.rewatchBackoffMs = Math.min(this.rewatchBackoffMs * 2, this.pollMs * 30);
  }
}
