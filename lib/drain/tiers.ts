import type { V1Pod } from '@kubernetes/client-node';
import { sparkRole } from '../spark/pods.ts';

/**
 * Eviction order. Executors go first so they start decommissioning (migrating shuffle and cached
 * blocks) as early as possible; drivers stay while their executors migrate, because block locations
 * are registered with the driver; node-critical system pods go last, they keep the node working.
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
