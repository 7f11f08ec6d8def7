import { parseScenario } from '../sandbox/scenario/load.ts';
import type { SimulationResult } from '../sandbox/scenario/result.ts';
import { runScenario } from '../sandbox/scenario/runner.ts';
import { massFigures, massScenario, PER_EVENT_DELIVERY } from './mass.ts';
import type { Figures } from './results.ts';

/**
 * A Spot pool reclaimed in a larger cluster, with and without Lifeguard's API Priority and Fairness
 * objects (deploy/kubernetes-flowcontrol.yaml) on the server: N interrupted nodes warned within
 * 2 s (bench/mass.ts's nodes and pods, 2 executors each) among bystander nodes whose pods make
 * the cluster ~25,000 pods, so each drain's pod stream costs the server what it costs in a cluster
 * of that size (the work estimator counts every pod a field selector scans). Without the objects
 * every Lifeguard request is one flow of global-default and the drains' streams and evictions hold
 * the seats later cordons need; with them node GETs, LISTs and PATCHes have a level of their own.
 */

export type FlowControlSetting = 'default' | 'lifeguard';

export interface ApfBurstOptions {
  nodes: number;
  flowControl: FlowControlSetting;
  /** Seconds over which the warnings arrive. */
  withinSeconds?: number;
  executorsPerNode?: number;
  /** Pods on nodes that are not interrupted: they only make the server's scans longer. */
  bystanderPods?: number;
  /** Scenario `cluster.api.limits` fields (sandbox/kube/limits.ts). */
  limits?: Record<string, unknown>;
  /**
   * Deliver through the notice queue. Off by default: each warning is its own invocation (and
   * client, at the 100/s, burst 200 it had then), as before the queue. That is the load that
   * fills Lifeguard's flow; through the queue, a batch cordons all its nodes before any drain
   * and its drains share one pod read, and 120 to 1,000 nodes within 2 s never saturate the level
   * (no cordon PATCH waits, with or without the manifest).
   */
  queue?: boolean;
}

const PODS_PER_BYSTANDER = 100;
export const DEFAULT_BYSTANDER_PODS = 25_000;
const EXECUTORS_PER_NODE = 2;
/** bench/mass.ts: 4 ReplicaSet pods and 1 DaemonSet pod beside the executors. */
const OTHER_PODS_PER_NODE = 5;

/** The scenario, as a file would hold it. */
export function apfBurstScenario(options: ApfBurstOptions): Record<string, unknown> {
  const executors = options.executorsPerNode ?? EXECUTORS_PER_NODE;
  const delivery = options.queue ? {} : PER_EVENT_DELIVERY;
  const scenario = massScenario({ nodes: options.nodes, spreadSeconds: options.withinSeconds ?? 2, executorsPerNode: executors, executorShutdownSeconds: 5, ...delivery }) as {
    cluster: { nodes: Array<Record<string, unknown>>; pods: Array<Record<string, unknown>>; api: Record<string, unknown> };
  };
  const bystanders = Math.ceil((options.bystanderPods ?? DEFAULT_BYSTANDER_PODS) / PODS_PER_BYSTANDER);
  for (let b = 0; b < bystanders; b++) {
    const node = `ip-10-2-${Math.floor(b / 250)}-${b % 250}.ec2.internal`;
    scenario.cluster.nodes.push({ name: node, instanceId: `i-0f${b.toString(16).padStart(15, '0')}`, zone: 'us-east-1c' });
    for (let p = 0; p < PODS_PER_BYSTANDER; p++) scenario.cluster.pods.push({ name: `svc-${b}-${p}`, namespace: 'apps', node, labels: { app: `svc-${b % 40}` } });
  }
  scenario.cluster.api.flowControl = options.flowControl;
  if (options.limits) scenario.cluster.api.limits = options.limits;
  return { ...scenario, name: `apf-burst-${options.nodes}-${options.flowControl}` };
}

export function runApfBurst(options: ApfBurstOptions): Promise<SimulationResult> {
  return runScenario(parseScenario(apfBurstScenario(options), 'apf burst scenario'));
}

/** Event-to-cordon, the cordon PATCHes' queue waits on the server, and what the drains got. */
export function apfFigures(result: SimulationResult, options: ApfBurstOptions): Figures {
  const mass = massFigures(result, options.nodes, (options.executorsPerNode ?? EXECUTORS_PER_NODE) + OTHER_PODS_PER_NODE);
  const { api } = result.load!;
  const patch = api.queueWaits['patch nodes'];
  const round = (ms: number | undefined) => (ms === undefined ? 'none' : Math.round(ms));
  const levels = Object.fromEntries(Object.entries(api.levels).flatMap(([level, m]) => [[`${level}.seats`, m.concurrency], [`${level}.maxQueueWaitMs`, Math.round(m.maxQueueWaitMs)], [`${level}.throttled429`, m.throttled]]));
  return {
    cordonP50Ms: mass.cordonP50Ms!,
    cordonP99Ms: mass.cordonP99Ms!,
    cordonMaxMs: mass.cordonMaxMs!,
    patchNodeQueueWaitP50Ms: round(patch?.p50Ms),
    patchNodeQueueWaitP99Ms: round(patch?.p99Ms),
    patchNodeQueueWaitMaxMs: round(patch?.maxMs),
    neverCordoned: mass.neverCordoned!,
    drainedP50Ms: mass.drainedP50Ms!,
    drainedP99Ms: mass.drainedP99Ms!,
    deadlineMisses: mass.deadlineMisses!,
    executorsKilled: mass.executorsKilled!,
    throttled429: mass.throttled429!,
    apiRequests: api.requests,
    ...levels,
  };
}

const BENCH_SIZES = [150, 300, 1000];

/** `npm run bench -- apf`: each size with kube-apiserver's own configuration, then with Lifeguard's objects applied. */
export async function benchApf(): Promise<Figures> {
  const figures: Figures = {};
  for (const nodes of BENCH_SIZES) {
    for (const flowControl of ['default', 'lifeguard'] as const) {
      const options = { nodes, flowControl };
      const started = performance.now();
      const result = await runApfBurst(options);
      const measured: Figures = { ...apfFigures(result, options), wallSeconds: Math.round((performance.now() - started) / 100) / 10 };
      for (const [key, value] of Object.entries(measured)) figures[`n${nodes}.${flowControl}.${key}`] = value;
      console.log(`apf: ${nodes} nodes, ${flowControl}: cordon P50 ${measured.cordonP50Ms} ms, P99 ${measured.cordonP99Ms} ms; patch nodes queue wait P50 ${measured.patchNodeQueueWaitP50Ms} ms, P99 ${measured.patchNodeQueueWaitP99Ms} ms`);
    }
  }
  return figures;
}
