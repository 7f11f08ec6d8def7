import type { DrainReport, PodReport } from '../../lib/drain/drain.ts';
import type { KubeEmulator, LevelMetrics, PodHistoryEntry } from '../kube/index.ts';
import type { Taint } from '../kube/objects.ts';
import type { LifecycleRecord } from '../aws/in-memory-ports.ts';
import type { ScheduleRecord } from '../aws/in-memory-scheduler.ts';
import type { Invocation } from './lambda.ts';
import type { FailoverResult } from '../dr/runner.ts';
import type { Scenario } from './schema.ts';
import { driversBeforeExecutors } from './spark-order.ts';

export interface TimelineEntry {
  /** Simulated seconds from the scenario start. */
  t: number;
  actor: 'eventbridge' | 'sqs' | 'lifeguard' | 'lambda' | 'scheduler' | 'ec2' | 'api' | 'kubelet' | 'controller' | 'node' | 'stepfunctions' | 'karpenter' | 'eks-auto-mode' | 'nth';
  action: string;
  node?: string;
  /** namespace/name */
  pod?: string;
  detail?: string;
}

/**
 * evicted / deleted: Lifeguard evicted (or force-deleted) it and it was gone before its node died;
 * exited-before-deadline: it ended for another reason before its node died; killed-at-deadline: it
 * was still there when the instance went away; skipped: Lifeguard leaves it on purpose (DaemonSet,
 * mirror, finished: it dies with its node, and that is no miss); untouched: nothing happened to it.
 */
export type PodOutcome = 'evicted' | 'deleted' | 'exited-before-deadline' | 'killed-at-deadline' | 'untouched' | 'skipped';

export interface PodResult {
  outcome: PodOutcome;
  node: string | null;
  sparkRole: 'executor' | 'driver' | null;
  /** exited: it shut down within its grace; killed: SIGKILL (grace over, or its node died). */
  ending: 'exited' | 'killed' | null;
  terminatingAt: number | null;
  goneAt: number | null;
  gracePeriodSeconds: number | null;
  /** What Lifeguard's own report says about the pod, when it acted on its node. */
  lifeguard: Pick<PodReport, 'tier' | 'outcome' | 'attempts' | 'forced' | 'reason'> | null;
  /** The pod a controller created in its place. */
  replacedBy: string | null;
}

export interface Summary {
  /** Delivery of the first event to the first node patch (the cordon), simulated seconds. */
  cordonLatencySeconds: number | null;
  /**
   * Every pod Lifeguard had to move was gone before its node died, and no delivery failed for good.
   * Null (shown `n/a`) when there was nothing to drain.
   */
  deadlineMet: boolean | null;
  podsKilledAtDeadline: number;
  /** Evictions that left a PodDisruptionBudget below its desired healthy pods (always 0). */
  pdbViolations: number;
  forcedDeletions: number;
  /**
   * Executors with the decommission preStop hook that were evicted or deleted and exited on their
   * own, their blocks migrated. (Executors without the hook are evicted, not decommissioned.)
   */
  executorsDecommissioned: number;
  executorsKilled: number;
  /**
   * Spark drivers asked to stop while their own executors on the same node were still there (Spark's
   * order broken; sandbox/scenario/spark-order.ts). Lifeguard never does it; another handler may.
   */
  driversBeforeExecutors: number;
  errors: string[];
}

/** The disaster-recovery part of a run (present when the scenario has an `emr` section). */
export type FailoverSection = Pick<FailoverResult, 'executions' | 'rtoSeconds' | 'phases' | 'targets' | 'targetHealth' | 'alarms' | 'clusters'>;

export interface SimulationResult {
  scenario: string;
  /** The scenario's start (ISO 8601): `t` counts from it. */
  start: string;
  timeline: TimelineEntry[];
  nodes: Record<string, { unschedulable: boolean; taints: Taint[]; terminatedAt: number | null }>;
  pods: Record<string, PodResult>;
  summary: Summary;
  /** Every invocation of the interruption function: what delivered it, when, and its report. */
  invocations: Invocation[];
  /** One-time schedules Lifeguard made, in simulated seconds. */
  schedules: Array<{ name: string; description: string; createdAt: number; at: number; updates: number; firedAt: number | null; deletedAt: number | null }>;
  /**
   * The Kubernetes Events Lifeguard recorded (events.k8s.io/v1), as `kubectl get events` lists
   * them: first and last time (simulated seconds), how many times, about what, why.
   */
  kubeEvents: Array<{ t: number; lastT: number; count: number; regarding: string; reason: string; type: string; note: string }>;
  /** Auto Scaling lifecycle calls (heartbeats and completions), in simulated seconds. */
  lifecycleActions: Array<{ t: number; instanceId: string; action: 'complete' | 'heartbeat'; result?: string }>;
  /**
   * Event steps that did not do what the scenario expects: nothing at all (no rule, no node, an event
   * Lifeguard ignores) without `expect: ignored`, or something despite it. `simulate` exits 4 on any.
   */
  unexpectedEvents: UnexpectedEvent[];
  /** What the run cost the services it used: the Kubernetes API, Lambda, EC2 (present with a `cluster`). */
  load?: LoadSection;
  failover?: FailoverSection;
}

/** An event step that did not do what its scenario expects of it. */
export interface UnexpectedEvent {
  /** Index in `events`. */
  step: number;
  detailType: string;
  problem: string;
}

export interface LoadSection {
  api: {
    requests: number;
    byVerb: Record<string, number>;
    throttled429: number;
    maxQueueWaitMs: number;
    maxSeatsInUse: number;
    connections: number;
    /** Per API Priority and Fairness priority level the requests went to: seats, requests, 429s, most seats used, longest queue wait (limits on). */
    levels: Record<string, LevelMetrics>;
    /** Queue waits of dispatched requests by "verb resource" ("patch nodes": the cordon), ms. */
    queueWaits: Record<string, { count: number; p50Ms: number; p99Ms: number; maxMs: number }>;
    /** Seats × seconds the server spent on Lifeguard's requests (API Priority and Fairness's currency), in all and by verb. */
    seatSeconds: number;
    seatSecondsByVerb: Record<string, number>;
  };
  /** `invocations`: runs of the function (a batch of notices is one). */
  lambda: { invocations: number; environments: number; coldStarts: number; throttles: number; peakConcurrency: number };
  ec2: { describeInstances: number; throttled: number };
  /** The notice queue (absent with `queue: false`). */
  queue?: QueueLoad;
}

export interface QueueLoad {
  /** Notices sent to it (EventBridge, schedules, hand-overs). */
  sent: number;
  /** Receives (a notice received twice counts twice), and how many per notice sent. */
  received: number;
  receivesPerNotice: number;
  deleted: number;
  deadLettered: number;
  /** Batches invoked, the largest, and the most gathered or running at once. */
  batches: number;
  largestBatch: number;
  peakConcurrentBatches: number;
  /** Invocation tries Lambda throttled (no concurrency), and batches whose invocation failed or timed out. */
  throttled: number;
  failedInvocations: number;
}

export type QueueStats = Omit<QueueLoad, 'receivesPerNotice'>;

/** A scenario with no Kubernetes cluster: nothing to report, nothing missed. */
export type InterruptionSections = Pick<SimulationResult, 'nodes' | 'pods' | 'summary' | 'invocations' | 'schedules' | 'kubeEvents' | 'lifecycleActions' | 'load' | 'unexpectedEvents'>;

export function emptyInterruptionResult(): InterruptionSections {
  return {
    nodes: {},
    pods: {},
    summary: { cordonLatencySeconds: null, deadlineMet: null, podsKilledAtDeadline: 0, pdbViolations: 0, forcedDeletions: 0, executorsDecommissioned: 0, executorsKilled: 0, driversBeforeExecutors: 0, errors: [] },
    invocations: [],
    schedules: [],
    kubeEvents: [],
    lifecycleActions: [],
    unexpectedEvents: [],
  };
}

export interface ResultInput {
  cluster: NonNullable<Scenario['cluster']>;
  emulator: KubeEmulator;
  timeline: TimelineEntry[];
  invocations: Invocation[];
  terminatedAt: Map<string, number>;
  pdbViolations: number;
  seconds: (ms: number) => number;
  schedules: readonly ScheduleRecord[];
  lifecycleActions: readonly LifecycleRecord[];
  lambda: { environmentsCreated: number; throttles: number; peakConcurrency: number; executions: number; coldStarts: number };
  instances: { calls: number; throttled: number };
  queue?: QueueStats;
}

/** Which report of a pod says most about it, when several invocations saw it. */
const OUTCOME_RANK: Record<PodReport['outcome'], number> = { skipped: 0, pending: 1, failed: 2, evicted: 3, deleted: 3 };

export function buildResult(input: ResultInput): Omit<InterruptionSections, 'unexpectedEvents'> {
  const { invocations, seconds } = input;
  const drains = invocations.flatMap((i) => drainReportsOf(i));
  const pods = podResults(input, bestReports(drains));
  return {
    nodes: nodeResults(input),
    pods,
    summary: summaryOf(input, pods, drains),
    invocations,
    load: loadOf(input),
    schedules: input.schedules.map((r) => ({
      name: r.name,
      description: r.description,
      createdAt: seconds(r.createdAt),
      at: seconds(r.at),
      updates: r.updates,
      firedAt: r.firedAt !== undefined ? seconds(r.firedAt) : null,
      deletedAt: r.deletedAt !== undefined ? seconds(r.deletedAt) : null,
    })),
    kubeEvents: input.emulator.events().map((e) => ({
      t: seconds(Date.parse(e.eventTime)),
      lastT: seconds(Date.parse(e.series?.lastObservedTime ?? e.eventTime)),
      count: e.series?.count ?? 1,
      regarding: `${e.regarding.kind ?? '?'}/${e.regarding.namespace ? `${e.regarding.namespace}/` : ''}${e.regarding.name ?? '?'}`,
      reason: e.reason,
      type: e.type,
      note: e.note ?? '',
    })),
    lifecycleActions: input.lifecycleActions.map((r) => ({ t: seconds(r.at), instanceId: r.hook.instanceId, action: r.action, ...(r.result ? { result: r.result } : {}) })),
  };
}

/**
 * Per pod, the report that says most. A later invocation sees a pod an earlier one evicted as
 * "already terminating": keep what really happened to it.
 */
function bestReports(drains: readonly DrainReport[]): Map<string, PodReport> {
  const reported = new Map<string, PodReport>();
  for (const drain of drains) {
    for (const pod of drain.pods) {
      const known = reported.get(pod.uid);
      if (!known || OUTCOME_RANK[pod.outcome] >= OUTCOME_RANK[known.outcome]) reported.set(pod.uid, pod);
    }
  }
  return reported;
}

/** The scenario's pods by namespace/name, built once per cluster (a lookup per history entry). */
const specIndex = new WeakMap<ResultInput['cluster'], Map<string, ResultInput['cluster']['pods'][number]>>();

function specOf(cluster: ResultInput['cluster'], h: PodHistoryEntry) {
  let index = specIndex.get(cluster);
  if (!index) {
    index = new Map();
    // The first spec of a name wins, as a linear search would find it.
    for (const pod of cluster.pods) {
      const key = `${pod.namespace ?? 'default'}/${pod.name}`;
      if (!index.has(key)) index.set(key, pod);
    }
    specIndex.set(cluster, index);
  }
  return index.get(`${h.namespace}/${h.name}`);
}

function sparkRoleOf(cluster: ResultInput['cluster'], h: PodHistoryEntry): 'executor' | 'driver' | null {
  const role = specOf(cluster, h)?.labels?.['spark-role'];
  return role === 'executor' || role === 'driver' ? role : null;
}

function podResults(input: ResultInput, reported: Map<string, PodReport>): Record<string, PodResult> {
  const { cluster, emulator, terminatedAt, seconds } = input;
  const history = emulator.podHistory();
  const replacement = new Map<string, string>();
  for (const h of history) if (h.replacementOf) replacement.set(h.replacementOf, `${h.namespace}/${h.name}`);
  const pods: Record<string, PodResult> = {};
  for (const h of history) {
    const key = `${h.namespace}/${h.name}`;
    if (pods[key]) continue; // a StatefulSet replacement keeps its name: the first life is the one reported
    const report = reported.get(h.uid);
    pods[key] = {
      outcome: outcomeOf(h, report, terminatedAt),
      node: h.node ?? null,
      sparkRole: sparkRoleOf(cluster, h),
      ending: h.ending ?? null,
      terminatingAt: h.terminatingAt !== undefined ? seconds(h.terminatingAt) : null,
      goneAt: h.goneAt !== undefined ? seconds(h.goneAt) : null,
      gracePeriodSeconds: h.gracePeriodSeconds ?? null,
      lifeguard: report ? { tier: report.tier, outcome: report.outcome, attempts: report.attempts, forced: report.forced, ...(report.reason ? { reason: report.reason } : {}) } : null,
      replacedBy: replacement.get(h.uid) ?? null,
    };
  }
  return pods;
}

function nodeResults(input: ResultInput): SimulationResult['nodes'] {
  const nodes: SimulationResult['nodes'] = {};
  for (const spec of input.cluster.nodes) {
    const node = input.emulator.node(spec.name);
    const died = input.terminatedAt.get(spec.name);
    nodes[spec.name] = {
      unschedulable: node?.spec.unschedulable === true,
      taints: node?.spec.taints ?? [],
      terminatedAt: died !== undefined ? input.seconds(died) : null,
    };
  }
  return nodes;
}

function loadOf(input: ResultInput): LoadSection {
  const m = input.emulator.metrics();
  return {
    api: {
      requests: m.total,
      byVerb: m.requests,
      throttled429: m.throttled.queueFull + m.throttled.timeOut + m.injected429,
      maxQueueWaitMs: Math.round(m.maxQueueWaitMs),
      maxSeatsInUse: m.maxSeatsInUse,
      connections: m.connectionsOpened,
      levels: m.levels,
      queueWaits: m.queueWaits,
      seatSeconds: seatSeconds(m.seatMs),
      seatSecondsByVerb: Object.fromEntries(Object.entries(m.seatMsByVerb).map(([verb, ms]) => [verb, seatSeconds(ms)])),
    },
    lambda: {
      invocations: input.lambda.executions,
      environments: input.lambda.environmentsCreated,
      coldStarts: input.lambda.coldStarts,
      throttles: input.lambda.throttles,
      peakConcurrency: input.lambda.peakConcurrency,
    },
    ec2: { describeInstances: input.instances.calls, throttled: input.instances.throttled },
    ...(input.queue ? { queue: { ...input.queue, receivesPerNotice: input.queue.sent ? Math.round((input.queue.received / input.queue.sent) * 100) / 100 : 0 } } : {}),
  };
}

function summaryOf(input: ResultInput, pods: Record<string, PodResult>, drains: readonly DrainReport[]): Summary {
  const { cluster, emulator, timeline, invocations } = input;
  const history = emulator.podHistory();
  const executors = history.filter((h) => sparkRoleOf(cluster, h) === 'executor');
  const firstDelivery = timeline.find((e) => e.actor === 'eventbridge' && e.action === 'deliver');
  const firstPatch = firstDelivery && timeline.find((e) => e.actor === 'api' && e.action === 'patch' && e.t >= firstDelivery.t);
  const killedAtDeadline = Object.values(pods).filter((p) => p.outcome === 'killed-at-deadline').length;
  const measured = drains.filter((d) => d.deadlineMet !== null);
  const failed = failedForGood(invocations);
  return {
    cordonLatencySeconds: firstDelivery && firstPatch ? round3(firstPatch.t - firstDelivery.t) : null,
    deadlineMet: measured.length === 0 && killedAtDeadline === 0 && failed === 0 ? null : killedAtDeadline === 0 && measured.every((d) => d.deadlineMet === true) && failed === 0,
    podsKilledAtDeadline: killedAtDeadline,
    pdbViolations: input.pdbViolations,
    forcedDeletions: history.filter((h) => h.cause === 'delete').length,
    executorsDecommissioned: executors.filter((h) => (h.cause === 'eviction' || h.cause === 'delete') && h.ending === 'exited' && specOf(cluster, h)?.preStop !== undefined).length,
    executorsKilled: executors.filter((h) => h.ending === 'killed').length,
    driversBeforeExecutors: driversBeforeExecutors(cluster.pods, pods).length,
    errors: invocations.filter((i) => i.error).map((i) => `${i.id} (${i.trigger}${i.step !== undefined ? ` of event ${i.step}` : ''}): ${i.error}`),
  };
}

/**
 * Deliveries that failed on their last try: no retry of the same event or schedule succeeded
 * after them.
 */
function failedForGood(invocations: readonly Invocation[]): number {
  const last = new Map<string, Invocation>();
  for (const i of invocations) last.set(i.step !== undefined ? `step ${i.step}` : `schedule ${i.schedule ?? i.id}`, i);
  return [...last.values()].filter((i) => i.error !== undefined).length;
}

const diesWithItsNode = (h: PodHistoryEntry) => h.owner?.kind === 'DaemonSet';

function outcomeOf(h: PodHistoryEntry, report: PodReport | undefined, terminatedAt: Map<string, number>): PodOutcome {
  if (report?.outcome === 'skipped' && h.cause !== 'eviction' && h.cause !== 'delete') return 'skipped';
  if (diesWithItsNode(h) && (h.cause === 'node-termination' || h.goneAt === undefined)) return h.goneAt === undefined ? 'untouched' : 'skipped';
  const nodeDiedAt = h.node !== undefined ? terminatedAt.get(h.node) : undefined;
  if (h.cause === 'node-termination') return 'killed-at-deadline';
  if (h.goneAt !== undefined && nodeDiedAt !== undefined && h.goneAt >= nodeDiedAt) return 'killed-at-deadline';
  if (h.cause === 'eviction') return 'evicted';
  if (h.cause === 'delete') return 'deleted';
  if (h.goneAt !== undefined) return 'exited-before-deadline';
  return 'untouched';
}

/** The drain reports inside one invocation's report. */
function drainReportsOf(invocation: Invocation): DrainReport[] {
  return (invocation.report?.instances ?? []).flatMap((n) => (n.drain ? [n.drain] : []));
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const seatSeconds = (ms: number) => round3(ms / 1000);
