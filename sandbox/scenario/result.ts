import type { V1Taint } from '@kubernetes/client-node';
import type { DrainReport, PodReport } from '../../lib/drain/drain.ts';
import type { KubeEmulator, PodHistoryEntry } from '../kube/index.ts';
import type { Invocation } from './runner.ts';
import type { FailoverResult } from '../dr/runner.ts';
import type { Scenario } from './schema.ts';

export interface TimelineEntry {
  /** Simulated seconds from the scenario start. */
  t: number;
  actor: 'eventbridge' | 'lifeguard' | 'ec2' | 'api' | 'kubelet' | 'controller' | 'node' | 'stepfunctions';
  action: string;
  node?: string;
  /** namespace/name */
  pod?: string;
  detail?: string;
}

/**
 * evicted / deleted: Lifeguard evicted (or force-deleted) it and it was gone before its node died;
 * exited-before-deadline: it ended for another reason before its node died; killed-at-deadline: it
 * was still there when the instance went away; skipped: Lifeguard left it on purpose (DaemonSet,
 * mirror, finished); untouched: nothing happened to it.
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
  /** Every pod Lifeguard had to move was gone before its node died. */
  deadlineMet: boolean;
  podsKilledAtDeadline: number;
  /** Evictions that left a PodDisruptionBudget below its desired healthy pods (always 0). */
  pdbViolations: number;
  forcedDeletions: number;
  /** Executors that were evicted or deleted and exited on their own, their blocks migrated. */
  executorsDecommissioned: number;
  executorsKilled: number;
  errors: string[];
}

/** The disaster-recovery part of a run (present when the scenario has an `emr` section). */
export type FailoverSection = Pick<FailoverResult, 'executions' | 'rtoSeconds' | 'phases' | 'targets' | 'targetHealth' | 'alarms' | 'clusters'>;

export interface SimulationResult {
  scenario: string;
  timeline: TimelineEntry[];
  nodes: Record<string, { unschedulable: boolean; taints: V1Taint[]; terminatedAt: number | null }>;
  pods: Record<string, PodResult>;
  summary: Summary;
  /** What each delivered event made Lifeguard do (its own report). */
  invocations: Invocation[];
  failover?: FailoverSection;
}

/** A scenario with no Kubernetes cluster: nothing to report, nothing missed. */
export function emptyInterruptionResult(): Pick<SimulationResult, 'nodes' | 'pods' | 'summary' | 'invocations'> {
  return {
    nodes: {},
    pods: {},
    summary: { cordonLatencySeconds: null, deadlineMet: true, podsKilledAtDeadline: 0, pdbViolations: 0, forcedDeletions: 0, executorsDecommissioned: 0, executorsKilled: 0, errors: [] },
    invocations: [],
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
}

export function buildResult(input: ResultInput): Pick<SimulationResult, 'nodes' | 'pods' | 'summary' | 'invocations'> {
  const { cluster, emulator, timeline, invocations, terminatedAt, seconds } = input;
  const drains = invocations.flatMap((i) => drainReportsOf(i));
  const reported = new Map<string, PodReport>();
  for (const drain of drains) for (const pod of drain.pods) reported.set(pod.uid, pod);

  const history = emulator.podHistory();
  const byUid = new Map(history.map((h) => [h.uid, h]));
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
      sparkRole: sparkRoleOf(h),
      ending: h.ending ?? null,
      terminatingAt: h.terminatingAt !== undefined ? seconds(h.terminatingAt) : null,
      goneAt: h.goneAt !== undefined ? seconds(h.goneAt) : null,
      gracePeriodSeconds: h.gracePeriodSeconds ?? null,
      lifeguard: report ? { tier: report.tier, outcome: report.outcome, attempts: report.attempts, forced: report.forced, ...(report.reason ? { reason: report.reason } : {}) } : null,
      replacedBy: replacement.get(h.uid) ?? null,
    };
  }

  const nodes: SimulationResult['nodes'] = {};
  for (const spec of cluster.nodes) {
    const node = emulator.node(spec.name);
    const died = terminatedAt.get(spec.name);
    nodes[spec.name] = {
      unschedulable: node?.spec.unschedulable === true,
      taints: (node?.spec.taints ?? []) as V1Taint[],
      terminatedAt: died !== undefined ? seconds(died) : null,
    };
  }

  const results = Object.values(pods);
  const executors = history.filter((h) => sparkRoleOf(h) === 'executor');
  const firstDelivery = timeline.find((e) => e.actor === 'eventbridge' && e.action === 'deliver');
  const firstPatch = firstDelivery && timeline.find((e) => e.actor === 'api' && e.action === 'patch' && e.t >= firstDelivery.t);
  const killedAtDeadline = results.filter((p) => p.outcome === 'killed-at-deadline').length;
  const errors = invocations.filter((i) => i.error).map((i) => `event ${i.step}: ${i.error}`);

  return {
    nodes,
    pods,
    summary: {
      cordonLatencySeconds: firstDelivery && firstPatch ? round3(firstPatch.t - firstDelivery.t) : null,
      deadlineMet: killedAtDeadline === 0 && drains.every((d) => d.deadlineMet) && errors.length === 0,
      podsKilledAtDeadline: killedAtDeadline,
      pdbViolations: input.pdbViolations,
      forcedDeletions: history.filter((h) => h.cause === 'delete').length,
      executorsDecommissioned: executors.filter((h) => (h.cause === 'eviction' || h.cause === 'delete') && h.ending === 'exited').length,
      executorsKilled: executors.filter((h) => h.ending === 'killed').length,
      errors,
    },
    invocations,
  };

  function sparkRoleOf(h: PodHistoryEntry): 'executor' | 'driver' | null {
    const pod = byUid.has(h.uid) ? cluster.pods.find((p) => p.name === h.name && (p.namespace ?? 'default') === h.namespace) : undefined;
    const role = pod?.labels?.['spark-role'];
    return role === 'executor' || role === 'driver' ? role : null;
  }
}

function outcomeOf(h: PodHistoryEntry, report: PodReport | undefined, terminatedAt: Map<string, number>): PodOutcome {
  if (report?.outcome === 'skipped') return 'skipped';
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
