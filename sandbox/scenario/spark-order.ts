import type { Scenario } from './schema.ts';

type PodSpecs = NonNullable<Scenario['cluster']>['pods'];
/** When each pod began stopping and was gone (simulated seconds), by namespace/name: the result's pods. */
type PodTimes = Record<string, { terminatingAt: number | null; goneAt: number | null }>;

/**
 * Drivers asked to stop while one of their own executors on the same node was still there: the
 * order Lifeguard keeps (lib/drain/tiers.ts) broken, by whoever evicted the driver. An executor
 * decommissioning reports its blocks' new places to its driver; without the driver, Spark ends the
 * application and the executors' work with it. Own: owned by the driver pod, or the same
 * `spark-app-selector`.
 */
export function driversBeforeExecutors(specs: PodSpecs, pods: PodTimes): string[] {
  const broken: string[] = [];
  const key = (p: PodSpecs[number]) => `${p.namespace ?? 'default'}/${p.name}`;
  for (const driver of specs.filter((p) => p.labels?.['spark-role'] === 'driver')) {
    const stopped = pods[key(driver)]?.terminatingAt;
    if (stopped === null || stopped === undefined) continue;
    const app = driver.labels?.['spark-app-selector'];
    const own = specs.filter(
      (p) =>
        p.labels?.['spark-role'] === 'executor' &&
        p.node === driver.node &&
        ((typeof p.owner === 'object' && p.owner.kind === 'Pod' && p.owner.name === driver.name) || (app !== undefined && p.labels?.['spark-app-selector'] === app)),
    );
    const stillThere = own.filter((e) => {
      const gone = pods[key(e)]?.goneAt;
      return gone === null || gone === undefined || gone > stopped;
    });
    if (stillThere.length > 0) broken.push(key(driver));
  }
  return broken;
}
