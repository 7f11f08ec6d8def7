/**
 * The pods of a Spot pool as a Spark-on-EKS cluster runs them, for the burst bench: per Spot node
 * 18 executors that need 20 to 60 s to decommission (spread evenly, the same on every run) with
 * a grace of 115 s, as EMR on EKS advises for decommissioning with shuffle migration; 4 replicas of
 * PDB-paced Deployments (maxUnavailable 25 %); 2 Job pods; 1 DaemonSet pod. Drivers run on the
 * On-Demand nodes, each owning its executors, as Spark's ownerReferences do.
 */

export const EXECUTORS_PER_NODE = 18;
const WEB_PER_NODE = 4;
const JOBS_PER_NODE = 2;
const DAEMONSETS_PER_NODE = 1;
export const PODS_PER_NODE = EXECUTORS_PER_NODE + WEB_PER_NODE + JOBS_PER_NODE + DAEMONSETS_PER_NODE;

const EXECUTOR_GRACE_SECONDS = 115;
const DECOMMISSION_SECONDS = { min: 20, max: 60 };
/** Spark applications sharing the pool; each driver on an On-Demand node. */
const APPS = 20;
/** Deployments whose replicas spread over the pool, each under its own budget. */
const DEPLOYMENTS = 10;

/** What a mass scenario needs to place the pool's pods. */
export interface PoolLayout {
  spotNode(i: number): string;
  onDemandNode(i: number): string;
  onDemandNodes: number;
}

/** Seconds executor `e` of node `i` needs to migrate its blocks: every value from 20 to 60 s, evenly. */
export function decommissionSeconds(i: number, e: number): number {
  const span = DECOMMISSION_SECONDS.max - DECOMMISSION_SECONDS.min + 1;
  return DECOMMISSION_SECONDS.min + ((i * 7 + e * 13) % span);
}

export function sparkPoolPods(n: number, layout: PoolLayout): Array<Record<string, unknown>> {
  const drivers = Array.from({ length: APPS }, (_, a) => ({
    name: `app-${a}-driver`,
    namespace: 'spark',
    node: layout.onDemandNode(a % layout.onDemandNodes),
    labels: { 'spark-role': 'driver', 'spark-app-selector': `spark-${a}` },
    shutdownSeconds: 2,
  }));
  const perNode = Array.from({ length: n }, (_, i) => {
    const node = layout.spotNode(i);
    return [
      ...Array.from({ length: EXECUTORS_PER_NODE }, (_, e) => {
        const app = (i + e) % APPS;
        return {
          name: `exec-${i}-${e}`,
          namespace: 'spark',
          node,
          labels: { 'spark-role': 'executor', 'spark-app-selector': `spark-${app}`, 'spark-exec-id': String(i * EXECUTORS_PER_NODE + e) },
          owner: { kind: 'Pod', name: `app-${app}-driver` },
          terminationGracePeriodSeconds: EXECUTOR_GRACE_SECONDS,
          preStop: '/opt/decom.sh',
          shutdownSeconds: decommissionSeconds(i, e),
        };
      }),
      ...Array.from({ length: WEB_PER_NODE }, (_, w) => {
        const deployment = `web-${(i * WEB_PER_NODE + w) % DEPLOYMENTS}`;
        return { name: `${deployment}-${i}-${w}`, node, labels: { app: deployment }, owner: { kind: 'ReplicaSet', name: deployment }, terminationGracePeriodSeconds: 30, shutdownSeconds: 5 };
      }),
      ...Array.from({ length: JOBS_PER_NODE }, (_, j) => ({ name: `report-${i}-${j}`, namespace: 'batch', node, owner: { kind: 'Job', name: `report-${i}` }, terminationGracePeriodSeconds: 30, shutdownSeconds: 10 })),
      ...Array.from({ length: DAEMONSETS_PER_NODE }, (_, d) => ({ name: `agent-${i}-${d}`, namespace: 'kube-system', node, owner: { kind: 'DaemonSet', name: 'agent' } })),
    ];
  });
  return [...drivers, ...perNode.flat()];
}

export const sparkPoolBudgets = () =>
  Array.from({ length: DEPLOYMENTS }, (_, d) => ({ name: `web-${d}`, namespace: 'default', selector: { app: `web-${d}` }, maxUnavailable: '25%' }));
