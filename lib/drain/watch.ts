import type { V1Pod } from '@kubernetes/client-node';
import type { KubeApi } from '../kube/port.ts';
import type { Clock } from '../util/clock.ts';

/**
 * Re-lists a node's pods at most once per poll interval, however many waiters ask, and hands
 * every fresh list to `onList`. Waiting is polling on the injected clock: no timer outlives a wait.
 */
export class NodePodWatch {
  private lastListedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly kube: KubeApi,
    private readonly clock: Clock,
    private readonly nodeName: string,
    private readonly pollMs: number,
    private readonly onList: (pods: V1Pod[], at: number) => void,
  ) {}

  /** `force`: list even if the last list is younger than the poll interval (once per wait). */
  refresh(force = false): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (!force && this.clock.now() - this.lastListedAt < this.pollMs) return Promise.resolve();
    this.inFlight = (async () => {
      try {
        const pods = await this.kube.listPodsOnNode(this.nodeName);
        this.lastListedAt = this.clock.now();
        this.onList(pods, this.lastListedAt);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  /**
   * Resolves true once `condition` holds (checked after each re-list), false at `until`. With
   * `firstLookAfter` (the evictions being waited on), the first re-list comes as soon as it
   * settles: pods that exit fast are seen gone one round trip later, not a poll interval later.
   */
  async waitFor(condition: () => boolean, until: number, firstLookAfter?: Promise<unknown>): Promise<boolean> {
    if (condition()) return true;
    if (firstLookAfter) {
      // Race in poll-sized steps, not one sleep to the deadline: no timer outlives the wait by more than pollMs.
      let settled = false;
      const done = firstLookAfter.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled && this.clock.now() < until) await Promise.race([done, this.clock.sleep(Math.min(this.pollMs, until - this.clock.now()))]);
      await this.refresh(true);
    }
    for (;;) {
      if (condition()) return true;
      const now = this.clock.now();
      if (now >= until) return false;
      await this.clock.sleep(Math.min(this.pollMs, until - now));
      await this.refresh();
    }
  }
}
