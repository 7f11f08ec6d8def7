import type { NodeSpec, PodSpec } from '../../sandbox/kube/index.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';
import type { SimulationResult, TimelineEntry } from '../../sandbox/scenario/result.ts';

export const SPOT_NODE = 'ip-10-0-1-10.ec2.internal';
export const OTHER_NODE = 'ip-10-0-1-11.ec2.internal';
export const ON_DEMAND_NODE = 'ip-10-0-2-20.ec2.internal';
export const SPOT_INSTANCE = 'i-0aaa1111bbbb22220';

export const nodes: NodeSpec[] = [
  { name: SPOT_NODE, instanceId: SPOT_INSTANCE, zone: 'us-east-1a', capacityType: 'SPOT' },
  { name: OTHER_NODE, instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1b', capacityType: 'SPOT' },
  { name: ON_DEMAND_NODE, instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1a', capacityType: 'ON_DEMAND' },
];

export function executor(name: string, node = SPOT_NODE, extra: Partial<PodSpec> = {}): PodSpec {
  return {
    name,
    namespace: 'spark',
    node,
    labels: { 'spark-role': 'executor', 'spark-app-selector': 'spark-0001', 'spark-exec-id': name.replace(/\D/g, '') || '1' },
    owner: { kind: 'Pod', name: 'etl-driver' },
    terminationGracePeriodSeconds: 100,
    preStop: '/opt/decom.sh',
    shutdownSeconds: 30,
    ...extra,
  };
}

export function driver(node = ON_DEMAND_NODE): PodSpec {
  return { name: 'etl-driver', namespace: 'spark', node, labels: { 'spark-role': 'driver', 'spark-app-selector': 'spark-0001' }, owner: 'none', shutdownSeconds: 5 };
}

export function web(name: string, node: string, extra: Partial<PodSpec> = {}): PodSpec {
  return { name, namespace: 'default', node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-rs' }, terminationGracePeriodSeconds: 30, shutdownSeconds: 5, ...extra };
}

export function spotWarning(instanceId = SPOT_INSTANCE, extra: Record<string, unknown> = {}) {
  return {
    source: 'aws.ec2',
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
    ...extra,
  };
}

/**
 * Runs a scenario given as a plain object (validated like a file). Lambda's cold start is 0 here
 * unless the test sets it, and the notice queue hands each notice over at once (batches of up to
 * 10 with no batching window), so timings are the handler's own; test/integration/mass-limits.test.ts
 * covers cold starts, batching windows, concurrency and throttling.
 */
export function simulate(raw: Record<string, unknown>): Promise<SimulationResult> {
  const lambda = { coldStartMs: 0, ...(raw.lambda as Record<string, unknown> | undefined) };
  const queue = raw.queue === false ? false : { batchSize: 10, batchingWindowSeconds: 0, ...(raw.queue as Record<string, unknown> | undefined) };
  return runScenario(parseScenario({ name: 'test', ...raw, lambda, queue }));
}

export const at = (result: SimulationResult, predicate: (e: TimelineEntry) => boolean): TimelineEntry[] =>
  result.timeline.filter(predicate);

/** The first time the API started terminating the pod (eviction or delete). */
export function terminatingAt(result: SimulationResult, pod: string): number {
  const entry = result.timeline.find((e) => e.actor === 'kubelet' && e.action === 'terminating' && e.pod === pod);
  if (!entry) throw new Error(`${pod} never started terminating`);
  return entry.t;
}

/** API writes (node patches, evictions, deletions) in the timeline. */
export const writes = (result: SimulationResult) =>
  result.timeline.filter((e) => e.actor === 'api' && ['patch', 'evict', 'delete'].includes(e.action));
