import type { SimulationResult } from '../../sandbox/scenario/result.ts';

/**
 * A Spot pool of `nodes` (40) reclaimed within two seconds: every node runs two Spark executors
 * that need `executorShutdownSeconds` (45) to decommission (their drivers on On-Demand spares) and
 * four replicas of one web Deployment whose budget lets a quarter of them be down at once, so the
 * web pods move in waves, each as long as a replacement takes to turn Ready. Node 0 also runs a
 * driver beside one of its own executors, a quick one (20 s).
 */
export const NODES = 40;
const SPARES = 12;
export const WEB_PER_NODE = 4;
const APPS = 4;

export const spotNode = (i: number) => `ip-10-2-0-${i}.ec2.internal`;
const instanceId = (i: number) => `i-0${(0x2000 + i).toString(16).padStart(16, '0')}`;

export function poolReclaim({ nodes: n = NODES, executorShutdownSeconds = 45 } = {}): Record<string, unknown> {
  const nodes = [
    ...Array.from({ length: n }, (_, i) => ({ name: spotNode(i), instanceId: instanceId(i), zone: 'us-east-1a', capacityType: 'SPOT' })),
    ...Array.from({ length: SPARES }, (_, i) => ({ name: `spare-${i}.ec2.internal`, instanceId: instanceId(n + i), zone: 'us-east-1b', capacityType: 'ON_DEMAND' })),
  ];
  const executor = (name: string, node: string, app: string, driver: string, shutdownSeconds = executorShutdownSeconds) => ({
    name,
    namespace: 'spark',
    node,
    labels: { 'spark-role': 'executor', 'spark-app-selector': app, 'spark-exec-id': name.replace(/\D+/g, '') },
    owner: { kind: 'Pod', name: driver },
    terminationGracePeriodSeconds: 100,
    preStop: '/opt/decom.sh',
    shutdownSeconds,
  });
  const driver = (name: string, node: string, app: string) => ({ name, namespace: 'spark', node, labels: { 'spark-role': 'driver', 'spark-app-selector': app }, shutdownSeconds: 2 });
  const pods = [
    // Drivers first, so their executors' ownerReferences name them (as Spark's do).
    ...Array.from({ length: APPS }, (_, a) => driver(`app-${a}-driver`, `spare-${a}.ec2.internal`, `spark-${a}`)),
    // One application runs its driver on an interrupted node, beside one of its executors (a quick one).
    driver('local-driver', spotNode(0), 'spark-local'),
    executor('local-exec-1', spotNode(0), 'spark-local', 'local-driver', 20),
    ...Array.from({ length: n }, (_, i) => [
      executor(`exec-${i}-a`, spotNode(i), `spark-${i % APPS}`, `app-${i % APPS}-driver`),
      executor(`exec-${i}-b`, spotNode(i), `spark-${(i + 1) % APPS}`, `app-${(i + 1) % APPS}-driver`),
      ...Array.from({ length: WEB_PER_NODE }, (_, w) => ({ name: `web-${i}-${w}`, node: spotNode(i), labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, terminationGracePeriodSeconds: 30, shutdownSeconds: 5 })),
    ]).flat(),
  ];
  const events = Array.from({ length: n }, (_, i) => ({
    at: 1 + Math.round(((i * 2) / (n - 1)) * 1000) / 1000,
    event: { source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: { 'instance-id': instanceId(i), 'instance-action': 'terminate' } },
  }));
  return {
    cluster: { name: 'pool', nodes, pods, pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, maxUnavailable: '25%' }], api: { latencyMs: 5 } },
    events,
    until: 180,
  };
}

/** Seconds from each node's warning to its recorded completion, sorted (Infinity: never). */
export function drainedSeconds(result: SimulationResult, n = NODES): number[] {
  const start = Date.parse(result.start);
  const deliveredAt = result.timeline.filter((e) => e.actor === 'eventbridge' && e.action === 'deliver').map((e) => e.t);
  const drainedAt = new Map<string, number>();
  for (const invocation of result.invocations) {
    const drain = invocation.report?.instances[0]?.drain;
    if (drain?.drainedAt != null) drainedAt.set(drain.nodeName, (drain.drainedAt - start) / 1000);
  }
  return Array.from({ length: n }, (_, i) => (drainedAt.get(spotNode(i)) ?? Infinity) - deliveredAt[i]!).sort((a, b) => a - b);
}

