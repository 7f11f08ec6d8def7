import type { DrainPlan } from './plan.ts';
import { TIERS, type Tier } from './tiers.ts';

export interface TierReport {
  tier: Tier;
  pods: number;
  /** When the drain started evicting the tier's first pod (executors and workloads: at once). */
  startedAt: number;
  /**
   * When every pod of the tier was gone or given up (`settled`), else when this invocation's drain
   * ended with some of them still there.
   */
  endedAt: number;
  settled: boolean;
}

interface Progress {
  uids: string[];
  startedAt?: number;
  endedAt?: number;
}

/**
 * When each tier of a drain began and ended. Tiers overlap (executors and workloads start
 * together, each driver goes when its own executors are gone), so a tier ends when its last pod
 * is gone or given up, not when the next one begins.
 */
export class TierProgress {
  private readonly tiers = new Map<Tier, Progress>();

  constructor(
    plan: DrainPlan,
    private readonly isSettled: (uid: string) => boolean,
  ) {
    for (const t of plan.tiers) this.tiers.set(t.tier, { uids: t.pods.map((p) => p.uid) });
  }

  /** The tier's first eviction begins (later calls keep the first time). */
  started(tier: Tier, at: number): void {
    const progress = this.tiers.get(tier);
    if (progress && progress.startedAt === undefined) progress.startedAt = at;
    this.update(at);
  }

  /** Something changed (a pod gone, an eviction ended): tiers whose every pod is settled end now. */
  update(at: number): void {
    for (const progress of this.tiers.values()) {
      if (progress.startedAt !== undefined && progress.endedAt === undefined && progress.uids.every(this.isSettled)) progress.endedAt = at;
    }
  }

  /** The tiers that began, in the order of TIERS; one still open ends at `at`, unsettled. */
  reports(at: number): TierReport[] {
    this.update(at);
    return TIERS.flatMap((tier) => {
      const progress = this.tiers.get(tier);
      if (progress?.startedAt === undefined) return [];
      return [{ tier, pods: progress.uids.length, startedAt: progress.startedAt, endedAt: progress.endedAt ?? at, settled: progress.endedAt !== undefined }];
    });
  }
}
