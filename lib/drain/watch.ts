import type { V1Pod } from '@kubernetes/client-node';
import { isTransient, type KubeApi } from '../kube/port.ts';
import type { Clock } from '../util/clock.ts';

/**
 * Re-lists a node's pods at most once per poll interval, however many waiters ask, and hands
 * every fresh list to `onList`. Waiting is polling on the injected clock; every sleep is cleared
 * when its wait ends, so no timer outlives a wait.
 *
 * A list that fails transiently (throttling, 5xx, a reset) is not fatal: the waiters keep the last
 * list they saw and the next poll tries again. A permanent failure (403, 404...) is thrown.
 */
export class NodePodWatch {
  private lastListedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  /** Transient list failures so far, for the report. */
  failedLists = 0;

  constructor(
    private readonly kube: KubeApi,
    private readonly clock: Clock,
    private readonly nodeName: string,
    private readonly pollMs: number,
    private readonly onList: (pods: V1Pod[], at: number) => void,
  ) {}

  /** `force`: list even if the last list is younger than the poll interval. */
  refresh(force = false): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (!force && this.clock.now() - this.lastListedAt < this.pollMs) return Promise.resolve();
    this.inFlight = (async () => {
      try {
        const pods = await this.kube.listPodsOnNode(this.nodeName);
        this.lastListedAt = this.clock.now();
        this.onList(pods, this.lastListedAt);
      } catch (err) {
        if (!isTransient(err)) throw err;
        this.failedLists++;
        this.lastListedAt = this.clock.now();
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  /**
   * Resolves true once `condition` holds (checked after each re-list), false at `until` or when
   * `signal` aborts. With `firstLookAfter` (the evictions being waited on), the first re-list
   * comes as soon as it settles: pods that exit fast are seen gone one round trip later, not a
   * poll interval later.
   */
  async waitFor(condition: () => boolean, until: number, options: { firstLookAfter?: Promise<unknown>; signal?: AbortSignal } = {}): Promise<boolean> {
    const { firstLookAfter, signal } = options;
    if (condition()) return true;
    if (firstLookAfter) {
      const early = new AbortController();
      const stop = () => early.abort();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        await Promise.race([firstLookAfter, this.clock.sleep(Math.max(0, until - this.clock.now()), early.signal)]);
      } finally {
        early.abort();
        signal?.removeEventListener('abort', stop);
      }
      if (signal?.aborted) return condition();
      await this.refresh(true);
    }
    for (;;) {
      if (condition()) return true;
      const now = this.clock.now();
      if (now >= until || signal?.aborted) return false;
      await this.clock.sleep(Math.min(this.pollMs, until - now), signal);
      if (signal?.aborted) return condition();
      await this.refresh();
    }
  }
}
