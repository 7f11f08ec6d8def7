import type { V1Pod } from '@kubernetes/client-node';
import { sparkRole } from '../spark/pods.ts';

/**
 * The kinds of pods a drain tells apart, in the order reports list them. When each goes:
 * - executors and workloads (everything not Spark and not critical) at once, executors first in
 *   the queue of calls: executors start decommissioning (migrating shuffle and cached blocks) as
 *   early as possible, and workloads whose PodDisruptionBudget paces them need the most wall time;
 *   neither has a reason to wait for the other;
 * - each Spark driver once its own executors on this node are gone (block locations are registered
 *   with the driver), not waiting for other applications' executors;
 * - node-critical system pods last, once everything else is gone: they keep the node working.
 * drain.ts holds the times that bound these waits.
 */
export const TIERS = ['spark-executor', 'workload', 'spark-driver', 'system-critical'] as const;
export type Tier = (typeof TIERS)[number];

const CRITICAL_PRIORITY_CLASSES = new Set(['system-node-critical', 'system-cluster-critical']);

export function tierOf(pod: V1Pod): Tier {
  if (CRITICAL_PRIORITY_CLASSES.has(pod.spec?.priorityClassName ?? '')) return 'system-critical';
  switch (sparkRole(pod)) {
    case 'executor':
      return 'spark-executor';
    case 'driver':
      return 'spark-driver';
    default:
      return 'workload';
  }
}

/** Groups pods by tier, in eviction order; every tier is present (possibly empty). */
export function groupByTier<T>(items: readonly T[], tier: (item: T) => Tier): Array<{ tier: Tier; items: T[] }> {
  return TIERS.map((t) => ({ tier: t, items: items.filter((item) => tier(item) === t) }));
}
