import { runScenario } from '../sandbox/scenario/runner.ts';
import { parseScenario } from '../sandbox/scenario/load.ts';
import type { SimulationResult } from '../sandbox/scenario/result.ts';
import { PODS_PER_NODE, sparkPoolBudgets, sparkPoolPods } from './spark-pool.ts';

/**
 * A Spot pool reclaimed: N nodes get their two-minute warning within one minute, run as a scenario
 * (sandbox/scenario) with the sandbox's default limits — API Priority and Fairness as EKS runs it
 * (one flow for the function's IAM role), Lambda as a pool of execution environments (cold starts,
 * the account's concurrency, throttled events retried), EC2's DescribeInstances throttling — the
 * real handler in each environment, and EC2 reclaiming every instance at its deadline.
 */

export interface MassOptions {
  nodes: number;
  executorsPerNode?: number;
  /** Seconds an executor needs to migrate its blocks and exit once evicted. */
  executorShutdownSeconds?: number;
  /** Base service time of an API request, ms. */
  latencyMs?: number;
  /** Warnings spread evenly over this many seconds. */
  spreadSeconds?: number;
  /** Extra scenario `lambda` fields (e.g. reservedConcurrency). */
  lambda?: Record<string, unknown>;
  /** Lifeguard's configuration for the run (e.g. interruption.queue, interruption.apiRateLimit). */
  config?: Record<string, unknown>;
  /** Scenario `queue` fields (batch size, window, maximum concurrency…), or false: EventBridge invokes the function per event, as before the notice queue. */
  queue?: Record<string, unknown> | false;
  /** Share of API requests answered 429 (Retry-After 1 s) on top of the limits, at random. */
  throttleRate?: number;
  /**
   * `uniform` (the default): 20 executors per node that all need `executorShutdownSeconds`, 4
   * ReplicaSet pods with no budget, 1 DaemonSet pod. `spark`: a Spark-on-EKS pool as it runs
   * (bench/spark-pool.ts: executors needing 20 to 60 s with a grace of 115 s, drivers on On-Demand
   * nodes, PDB-paced Deployments, Jobs).
   */
  pool?: 'uniform' | 'spark';
}

/** EventBridge invoking the function once per event, as the stack did before the notice queue, with that version's client limit (100/s, burst 200). */
export const PER_EVENT_DELIVERY = { queue: false, config: { interruption: { apiRateLimit: { qps: 100, burst: 200 } } } } as const;

const SPARE_NODES_PER_INTERRUPTED = 0.2;
const OTHERS_PER_NODE = 4; // ReplicaSet pods, replaced elsewhere
const DAEMONSETS_PER_NODE = 1; // skipped by the drain

export const nodeName = (i: number): string => `ip-10-1-${Math.floor(i / 250)}-${i % 250}.ec2.internal`;
const instanceId = (i: number): string => `i-0${i.toString(16).padStart(16, '0')}`;

/** The scenario, as a file would hold it. */
export function massScenario(options: MassOptions): Record<string, unknown> {
  const n = options.nodes;
  const executors = options.executorsPerNode ?? 20;
  const spreadSeconds = options.spreadSeconds ?? 60;
  const spares = Math.ceil(n * SPARE_NODES_PER_INTERRUPTED) + 1;
  const nodes = [
    ...Array.from({ length: n }, (_, i) => ({ name: nodeName(i), instanceId: instanceId(i), zone: 'us-east-1a', capacityType: 'SPOT' })),
    ...Array.from({ length: spares }, (_, i) => ({ name: `spare-${i}.ec2.internal`, instanceId: instanceId(n + i), zone: 'us-east-1b', capacityType: 'ON_DEMAND' })),
  ];
  const spark = options.pool === 'spark';
  const layout = { spotNode: nodeName, onDemandNode: (i: number) => `spare-${i}.ec2.internal`, onDemandNodes: spares };
  const pods = spark ? sparkPoolPods(n, layout) : Array.from({ length: n }, (_, i) => podsFor(i, executors, options.executorShutdownSeconds ?? 20)).flat();
  const events = Array.from({ length: n }, (_, i) => ({
    at: 1 + (n === 1 ? 0 : Math.round(((i * spreadSeconds) / (n - 1)) * 1000) / 1000),
    event: { source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: { 'instance-id': instanceId(i), 'instance-action': 'terminate' } },
  }));
  return {
    name: `mass-reclaim-${n}`,
    cluster: {
      name: 'bench',
      nodes,
      pods,
      ...(spark ? { pdbs: sparkPoolBudgets() } : {}),
      api: { latencyMs: options.latencyMs ?? 5, ...(options.throttleRate ? { faults: { rate: options.throttleRate, statuses: [429], retryAfterSeconds: 1 } } : {}) },
    },
    events,
    until: spreadSeconds + 180,
    ...(options.lambda ? { lambda: options.lambda } : {}),
    ...(options.queue !== undefined ? { queue: options.queue } : {}),
    ...(options.config ? { config: options.config } : {}),
  };
}

function podsFor(i: number, executors: number, shutdownSeconds: number): Array<Record<string, unknown>> {
  const node = nodeName(i);
  return [
    ...Array.from({ length: executors }, (_, e) => ({
      name: `exec-${i}-${e}`,
      namespace: 'spark',
      node,
      labels: { 'spark-role': 'executor', 'spark-app-selector': `spark-${i % 7}`, 'spark-exec-id': String(e) },
      terminationGracePeriodSeconds: 60,
      preStop: '/opt/decom.sh',
      shutdownSeconds,
    })),
    ...Array.from({ length: OTHERS_PER_NODE }, (_, w) => ({ name: `web-${i}-${w}`, node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 2 })),
    ...Array.from({ length: DAEMONSETS_PER_NODE }, (_, d) => ({ name: `agent-${i}-${d}`, namespace: 'kube-system', node, owner: { kind: 'DaemonSet', name: 'agent' } })),
  ];
}

export async function runMassInterruption(options: MassOptions): Promise<Record<string, number | string>> {
  const scenario = parseScenario(massScenario(options), 'mass scenario');
  const wallStart = performance.now();
  const result = await runScenario(scenario);
  const wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10;
  const podsPerNode = options.pool === 'spark' ? PODS_PER_NODE : (options.executorsPerNode ?? 20) + OTHERS_PER_NODE + DAEMONSETS_PER_NODE;
  return { ...massFigures(result, options.nodes, podsPerNode), wallSeconds };
}

/** The figures docs/performance.md reports, from a mass scenario's result. */
export function massFigures(result: SimulationResult, n: number, podsPerNode: number): Record<string, number | string> {
  // Warning i is the i-th delivery: the events are spread in node order.
  const deliveredAt = result.timeline.filter((e) => e.actor === 'eventbridge' && e.action === 'deliver').map((e) => e.t);
  const cordonedAt = new Map<string, number>();
  for (const e of result.timeline) if (e.actor === 'api' && e.action === 'patch' && e.node && e.detail?.includes('unschedulable=true') && !cordonedAt.has(e.node)) cordonedAt.set(e.node, e.t);
  const drainedAt = new Map<string, number>();
  for (const i of result.invocations) {
    const drain = i.report?.instances[0]?.drain;
    if (drain?.drainedAt != null) drainedAt.set(drain.nodeName, (drain.drainedAt - Date.parse(result.start)) / 1000);
  }
  const nodes = Array.from({ length: n }, (_, i) => nodeName(i));
  const sinceDelivery = (at: Map<string, number>) => nodes.map((name, i) => ((at.get(name) ?? Infinity) - deliveredAt[i]!) * 1000).sort((a, b) => a - b);
  const cordonMs = sinceDelivery(cordonedAt);
  const drainedMs = sinceDelivery(drainedAt);
  const killedAt = new Set(Object.values(result.pods).filter((p) => p.outcome === 'killed-at-deadline').map((p) => p.node));
  const load = result.load!;
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const fmt = (ms: number) => (Number.isFinite(ms) ? Math.round(ms) : 'never');
  const perNode = (x: number) => Math.round((x / n) * 10) / 10;
  const perNode3 = (x: number) => Math.round((x / n) * 1000) / 1000;
  return {
    podsPerNode,
    cordonP50Ms: fmt(pct(cordonMs, 50)),
    cordonP99Ms: fmt(pct(cordonMs, 99)),
    cordonMaxMs: fmt(cordonMs.at(-1)!),
    neverCordoned: cordonMs.filter((ms) => !Number.isFinite(ms)).length,
    drainedP50Ms: fmt(pct(drainedMs, 50)),
    drainedP99Ms: fmt(pct(drainedMs, 99)),
    deadlineMisses: nodes.filter((name) => killedAt.has(name) || !drainedAt.has(name)).length,
    failedInvocations: result.invocations.filter((i) => i.error).length,
    executorsKilled: result.summary.executorsKilled,
    throttled429: load.api.throttled429,
    apiRequestsPerNode: perNode(load.api.requests),
    listPodsPerNode: perNode(load.api.byVerb['list pods'] ?? 0),
    watchPodsPerNode: perNode(load.api.byVerb['watch pods'] ?? 0),
    listNodes: load.api.byVerb['list nodes'] ?? 0,
    maxQueueWaitMs: load.api.maxQueueWaitMs,
    seatSecondsPerNode: perNode3(load.api.seatSeconds),
    podReadSeatSecondsPerNode: perNode3((load.api.seatSecondsByVerb['watch pods'] ?? 0) + (load.api.seatSecondsByVerb['list pods'] ?? 0)),
    maxSeatsInUse: load.api.maxSeatsInUse,
    connectionsPerNode: perNode(load.api.connections),
    lambdaColdStarts: load.lambda.coldStarts,
    lambdaThrottles: load.lambda.throttles,
    lambdaPeakConcurrency: load.lambda.peakConcurrency,
    lambdaInvocations: load.lambda.invocations,
    ec2DescribeInstances: load.ec2.describeInstances,
    ec2Throttled: load.ec2.throttled,
    forcedDeletions: result.summary.forcedDeletions,
    ...(load.queue ? { queueBatches: load.queue.batches, queueReceivesPerNotice: load.queue.receivesPerNotice, queueDeadLettered: load.queue.deadLettered, queueThrottled: load.queue.throttled } : {}),
  };
}
