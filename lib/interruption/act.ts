import type { V1Node } from '@kubernetes/client-node';
import type { Regarding } from '../kube/event-recorder.ts';
import { ANNOTATIONS, cordonApplied, cordonedAtOf, cordonInputOf, cordonPatch, nodeRef } from '../drain/cordon.ts';
import { drainNode, type DrainReport } from '../drain/drain.ts';
import type { DrainPlan } from '../drain/plan.ts';
import type { Notice } from '../events/notice.ts';
import { annotationPath } from '../kube/json-pointer.ts';
import { KubeEventRecorder } from '../kube/event-recorder.ts';
import { DrainFailedError } from '../drain/errors.ts';
import type { JsonPatchOp, KubeApi } from '../kube/port.ts';
import { holdsLeaseOp, LEASE_ANNOTATION, LEASE_DEFAULTS, LeaseKeeper, LeaseMissingError, leaseValue, readLease } from '../lifecycle/lease.ts';
import type { ActStep } from '../lifecycle/next-step.ts';
import { lifecycleAnnotation, lifecycleOp, recordAfter, withSeen, type NodeLifecycle, type PendingAction } from '../lifecycle/state.ts';
import { STATUS_OF } from '../lifecycle/table.ts';
import type { InterruptionDeps } from './deps.ts';
import { completeLifecycle, leavePending, startHeartbeat } from './lifecycle-hook.ts';
import { CONFLICT, patchUnlessChanged, writeGuarded } from './node-write.ts';
import type { RetryWithinBudget } from './retry-budget.ts';
import type { NodeDecision } from './policy.ts';
import { NODE_EVENTS, publisherFor, type Publisher } from './publish.ts';
import type { InstanceReport } from './report.ts';
import { dropSchedules, ensureSchedule, invokeNow, pendingFor, withPending, type NodeRef } from './schedules.ts';

/**
 * A drain that hands over goes on in a new invocation at once (a notice it sends to its queue: a schedule would
 * fire one to two minutes later, lib/lifecycle/schedule-timing.ts) — unless this invocation drained
 * for less than this: then its time is misconfigured (handOverSeconds against the function's
 * timeout), and going on at once would only loop; the next round is a schedule, a minute or more
 * away, as every round was before.
 */
const MIN_DRAIN_ROUND_MS = 60_000;

export interface ActInput {
  notice: Notice;
  /** The EventBridge event as delivered (continuations carry it on). */
  event: Record<string, unknown>;
  ref: NodeRef;
  node: V1Node;
  state: NodeLifecycle;
  /** The table's step (lib/lifecycle/next-step.ts): its decision, whether the drain resumes, whether this notice takes the node over. */
  step: ActStep;
  holder: string;
  /** Rounds of resume so far (a continuation's round). */
  round: number;
  /** How this node's Kubernetes calls ride out transient failures. */
  retry: RetryWithinBudget;
  /** When this invocation began its work (a hand-over measures its round from it). */
  roundStartedAt: number;
}

/**
 * A node tainted, cordoned and leased for a drain that has not started: a batch cordons every node
 * before it drains any (so no cordon waits behind evictions), then runs these. The lease is
 * renewed from the cordon on, so a drain that waits its turn keeps its node.
 */
export interface PendingDrain {
  readonly kind: 'pending-drain';
  readonly nodeName: string;
  /** The report so far: cordoned. */
  readonly cordoned: InstanceReport;
  /** Drains under the lease and settles the node's record (once). `kube` reads the node's pods (a batch's shared pod stream). */
  run(options?: { kube?: KubeApi }): Promise<InstanceReport>;
  /** A later notice of the same batch took the node over: run() leaves it to that one, draining nothing. */
  supersede(): void;
}

export const isPendingDrain = (value: unknown): value is PendingDrain => (value as PendingDrain | undefined)?.kind === 'pending-drain';

/**
 * Taints and cordons the node for the notice — in one patch with the lifecycle record and, when a
 * drain follows, the lease — and returns the drain to run under that lease (PendingDrain).
 * CONFLICT: the node changed since it was read; the caller reads it again and decides again.
 */
export async function act(input: ActInput, deps: InterruptionDeps): Promise<InstanceReport | PendingDrain | typeof CONFLICT> {
  const { notice, ref, node, state, step } = input;
  const { decision } = step;
  const now = deps.clock.now();
  // A newer notice takes the node over: the older one's revert, resume and uncordon are off.
  const dropped = state.pending.filter((p) => (step.takeover && p.type !== 'scheduled-drain') || isThisScheduledDrain(p, notice, state));
  const added: PendingAction[] = decision.revertAt !== undefined ? [await ensureSchedule({ type: 'revert-rebalance', at: decision.revertAt, notice, event: input.event }, ref, deps)] : [];

  const cordon = cordonInputOf(ref.nodeName, notice, decision);
  const next = recordAfter(state, step.input, {
    reason: decision.reason,
    applied: cordonApplied(node, state.applied, cordon),
    pending: withPending(state, dropped, added),
    seen: withSeen(state, notice.eventId),
    health: notice.kind === 'scheduled-change' ? { ...state.health, [notice.eventArn]: notice.eventId } : state.health,
  });
  const drains = next.phase === 'draining';
  const lease = drains ? leaseValue(input.holder, now + LEASE_DEFAULTS.durationMs) : undefined;
  const written = await writeGuarded(deps.kube, node, cordonPatch(node, cordon, now, { ...lifecycleAnnotation(next), ...(lease ? { [LEASE_ANNOTATION]: lease } : {}) }), input.retry);
  if (written === CONFLICT) return CONFLICT;
  await dropSchedules(dropped, deps);
  const cordonedAt = cordonedAtOf(written);
  deps.log.info(decision.unschedulable ? 'node tainted and cordoned' : 'node tainted', { node: ref.nodeName, eventId: notice.eventId, kind: notice.kind, resumed: step.resume });
  const k8sEvents = new KubeEventRecorder(deps, { awsEventId: notice.eventId, instance: input.holder });
  const cordonNote = `${decision.unschedulable ? 'tainted and cordoned' : 'tainted'}: ${decision.reason}`;
  // A drain says it was cordoned in its DrainStarted Event: one Event (one API write) less per node in a mass reclaim.
  if (!step.resume && !drains) k8sEvents.record(nodeRef(written), 'Cordoned', cordonNote);
  const base: InstanceReport = {
    instanceId: ref.instanceId,
    nodeName: ref.nodeName,
    status: STATUS_OF.act,
    decision,
    phase: next.phase,
    cordon: { patched: true, ...(cordonedAt !== undefined ? { cordonedAt } : {}) },
    ...(added.length ? { scheduled: added.map((p) => ({ type: p.type, name: p.schedule, at: p.at })) } : {}),
  };

  if (!drains) {
    try {
      const lifecycle = notice.kind === 'asg-lifecycle' && decision.completeLifecycle === 'now' ? await completeLifecycle(notice, ref.instanceId, deps) : undefined;
      return { ...base, ...(lifecycle ? { lifecycle } : {}) };
    } finally {
      await k8sEvents.flush();
    }
  }
  return pendingDrain({ ...input, node: written, state: next }, base, k8sEvents, cordonNote, deps);
}

/** Starts keeping the lease just written and hands back the drain, to be run when the batch says. */
function pendingDrain(input: ActInput, base: InstanceReport, k8sEvents: KubeEventRecorder, cordonNote: string, deps: InterruptionDeps): PendingDrain {
  const lease = readLease(input.node);
  if (!lease) throw new LeaseMissingError(`lease annotation missing on ${input.ref.nodeName} right after it was written`);
  const halt = new AbortController();
  const keeper = new LeaseKeeper(input.ref.nodeName, lease, deps, LEASE_DEFAULTS, () => halt.abort());
  keeper.start();
  let superseded = false;
  let ran: Promise<InstanceReport> | undefined;
  return {
    kind: 'pending-drain',
    nodeName: input.ref.nodeName,
    cordoned: base,
    supersede: () => {
      superseded = true;
    },
    run(options = {}) {
      ran ??= (async () => {
        try {
          if (superseded || keeper.lost) {
            await keeper.stop();
            const reason = superseded ? 'a later notice of the same batch took the node over' : 'a more urgent event took the node over';
            deps.log.info(`${reason}; leaving the drain to it`, { node: input.ref.nodeName, eventId: input.notice.eventId });
            return { ...base, status: STATUS_OF.superseded, reason };
          }
          return await drainUnderLease(input, base, k8sEvents, cordonNote, { keeper, halt }, { ...deps, ...(options.kube ? { kube: options.kube } : {}) });
        } finally {
          await k8sEvents.flush();
        }
      })();
      return ran;
    },
  };
}

const isThisScheduledDrain = (p: PendingAction, notice: Notice, state: NodeLifecycle) =>
  p.type === 'scheduled-drain' && notice.kind === 'scheduled-change' && (p.eventId === notice.eventId || state.health[notice.eventArn] === p.eventId);

async function drainUnderLease(
  input: ActInput,
  base: InstanceReport,
  k8sEvents: KubeEventRecorder,
  cordonNote: string,
  { keeper, halt }: { keeper: LeaseKeeper; halt: AbortController },
  deps: InterruptionDeps,
): Promise<InstanceReport> {
  const { notice, ref } = input;
  const { decision } = input.step;
  const heartbeat = notice.kind === 'asg-lifecycle' && deps.lifecycle ? startHeartbeat(notice, ref.instanceId, deps) : undefined;
  const events = publisherFor(notice, ref.instanceId, ref.nodeName, deps);
  let report: DrainReport;
  try {
    const cordonedAt = cordonedAtOf(input.node);
    const remaining = deps.invocation?.remainingMs();
    report = await drainNode(
      {
        nodeName: ref.nodeName,
        deadline: decision.deadline,
        policy: { forceDelete: decision.forceDelete },
        eventId: notice.eventId,
        ...(cordonedAt !== undefined ? { cordonedAt } : {}),
        ...(remaining !== undefined ? { stopAt: deps.clock.now() + remaining - deps.config.interruption.drain.handOverSeconds * 1000 } : {}),
        signal: halt.signal,
      },
      {
        kube: deps.kube,
        clock: deps.clock,
        log: deps.log,
        options: deps.config.interruption.drain,
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.filters ? { filters: deps.filters } : {}),
        onPlan: (plan) => {
          if (!input.step.resume) announce(plan, decision, cordonNote, events, k8sEvents, nodeRef(input.node));
        },
        // Only what went wrong gets a pod Event: an Event per evicted pod would double a drain's API writes.
        onPodEvent: (pod, reason, note) => {
          if (reason !== 'Evicted') k8sEvents.record({ kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid }, reason, note, 'Warning');
        },
      },
    );
  } finally {
    await keeper.stop();
    await heartbeat?.stop();
  }
  try {
    const settled = await settle(input, { ...base, drain: report }, keeper, events, deps);
    if (settled.status === STATUS_OF['finish-drain']) k8sEvents.record(nodeRef(input.node), 'Drained', drainNote(report));
    if (settled.status === STATUS_OF['hand-over']) k8sEvents.record(nodeRef(input.node), 'DrainHandedOver', `${report.pods.filter((p) => p.goneAt === undefined && p.outcome !== 'skipped').length} pod(s) left: the next invocation resumes the drain`);
    return settled;
  } finally {
    await events.settled();
  }
}

function announce(plan: DrainPlan, decision: NodeDecision, cordonNote: string, events: Publisher, k8sEvents: KubeEventRecorder, node: Regarding): void {
  k8sEvents.record(node, 'DrainStarted', `${cordonNote}; ${decision.action}: ${plan.tiers.map((t) => `${t.pods.length} ${t.tier}`).join(', ') || 'nothing to evict'}; ${plan.skipped.length} pod(s) left alone`);
  events.publish(NODE_EVENTS.drainStarted, {
    action: decision.action,
    tiers: plan.tiers.map((t) => ({ tier: t.tier, pods: t.pods.length })),
    skipped: plan.skipped.length,
    warnings: plan.warnings.map((w) => w.message).slice(0, 20),
  });
  for (const tier of plan.tiers) {
    for (const pod of tier.pods.filter((p) => p.sparkRole === 'driver')) {
      k8sEvents.record({ kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid }, 'SparkDriverAtRisk', 'the Spark driver runs on an interrupted node: the application will fail; run drivers on On-Demand capacity', 'Warning');
      events.publish(NODE_EVENTS.driverAtRisk, {
        appId: pod.appId ?? null,
        driver: `${pod.namespace}/${pod.name}`,
        message: 'the Spark driver runs on an interrupted node: the application will fail; run drivers on On-Demand capacity',
      });
    }
  }
}

/** Records where the drain ended on the node, releases the lease, and completes a lifecycle hook. */
async function settle(input: ActInput, report: InstanceReport & { drain: DrainReport }, keeper: LeaseKeeper, events: Publisher, deps: InterruptionDeps): Promise<InstanceReport> {
  const { notice, ref, state } = input;
  const { decision } = input.step;
  const drain = report.drain;
  const superseded = { ...report, status: STATUS_OF.superseded, phase: recordAfter(state, 'drain:taken-over', {}).phase };
  if (drain.incomplete === 'lease-lost' || keeper.lost) return { ...superseded, reason: 'a more urgent event took the node over' };
  if (drain.errors.length > 0) {
    await release(ref.nodeName, keeper, [], input.retry, deps).catch(() => undefined);
    throw new DrainFailedError(`drain of ${ref.nodeName} hit permanent Kubernetes API errors: ${drain.errors.join('; ')}`, drain);
  }
  const now = deps.clock.now();
  if (drain.incomplete === 'hand-over') {
    const plan = { type: 'resume-drain' as const, at: now, notice, event: input.event, round: input.round + 1 };
    const invoke = deps.invoker !== undefined && now - input.roundStartedAt >= MIN_DRAIN_ROUND_MS;
    if (deps.invoker && !invoke) deps.log.warn('the invocation had less than a minute to drain before handing over: the next round is scheduled, not started at once (is handOverSeconds close to the function timeout?)', { node: ref.nodeName, eventId: notice.eventId });
    const resume = invoke ? pendingFor(plan, ref, deps) : await ensureSchedule(plan, ref, deps);
    const next = recordAfter(state, 'drain:out-of-time', { reason: `${decision.reason}; drain handed over to the next invocation`, pending: withPending(state, [], [resume]) });
    if (!(await release(ref.nodeName, keeper, [lifecycleOp(next)], input.retry, deps))) return superseded;
    // Queued only now that the record is on the node and the lease is gone (see invokeNow). If it
    // fails, so does this invocation: Lambda's retry of it resumes the drain.
    if (invoke) await invokeNow(plan, ref, deps);
    return { ...report, status: STATUS_OF['hand-over'], phase: next.phase, scheduled: [{ type: resume.type, name: resume.schedule, at: resume.at }] };
  }
  const uncordon = decision.uncordonAfter !== undefined ? [await ensureSchedule({ type: 'uncordon-after-maintenance', at: Math.max(decision.uncordonAfter, now), notice, event: input.event }, ref, deps)] : [];
  const resumes = state.pending.filter((p) => p.type === 'resume-drain');
  const next = recordAfter(state, 'drain:done', { reason: `${decision.reason}; drained`, pending: withPending(state, resumes, uncordon) });
  const drainedAt = new Date(now).toISOString();
  if (!(await release(ref.nodeName, keeper, [lifecycleOp(next), { op: 'add', path: annotationPath(ANNOTATIONS.drainedAt), value: drainedAt }], input.retry, deps))) {
    return superseded;
  }
  const done: InstanceReport = { ...report, status: STATUS_OF['finish-drain'], phase: next.phase, drain: { ...drain, drainedAt: now }, ...(uncordon.length ? { scheduled: uncordon.map((p) => ({ type: p.type, name: p.schedule, at: p.at })) } : {}) };
  events.publish(NODE_EVENTS.drainCompleted, drainSummary(done.drain!));
  if (notice.kind === 'asg-lifecycle' && decision.completeLifecycle === 'when-drained') {
    return { ...done, lifecycle: drain.allGone ? await completeLifecycle(notice, ref.instanceId, deps) : leavePending(drain, deps) };
  }
  return done;
}

/**
 * Writes `ops` (annotations) and drops the lease in one patch, only while the lease is still ours.
 * False when it is not (a more urgent event took the node over): nothing is written. A retry after
 * a lost answer whose first attempt landed fails the same precondition: the node is read to tell
 * the two apart (lease gone and every annotation as written: it was ours).
 */
async function release(nodeName: string, keeper: LeaseKeeper, ops: JsonPatchOp[], retry: RetryWithinBudget, deps: InterruptionDeps): Promise<boolean> {
  const written = await patchUnlessChanged(deps.kube, nodeName, [holdsLeaseOp(keeper.lease), ...ops, { op: 'remove', path: annotationPath(LEASE_ANNOTATION) }], retry);
  if (written !== CONFLICT) return true;
  const node = await retry(`get node ${nodeName}`, () => deps.kube.getNode(nodeName));
  return node !== undefined && hasLanded(node, ops);
}

function hasLanded(node: V1Node, ops: JsonPatchOp[]): boolean {
  const annotations = node.metadata?.annotations ?? {};
  if (LEASE_ANNOTATION in annotations) return false;
  const current = new Map(Object.entries(annotations).map(([key, value]) => [annotationPath(key), value]));
  return ops.every((op) => op.op !== 'add' || current.get(op.path) === op.value);
}

function drainNote(report: DrainReport): string {
  const count = (outcome: string) => report.pods.filter((p) => p.outcome === outcome).length;
  const met = report.deadlineMet === null ? 'nothing to drain' : report.deadlineMet ? 'deadline met' : 'deadline MISSED';
  return `drained: ${count('evicted')} evicted, ${count('deleted')} force-deleted, ${count('pending') + count('failed')} not evicted; ${met}`;
}

function drainSummary(report: DrainReport): Record<string, unknown> {
  const count = (outcome: string) => report.pods.filter((p) => p.outcome === outcome).length;
  return {
    allGone: report.allGone,
    deadlineMet: report.deadlineMet,
    durationMs: (report.drainedAt ?? report.startedAt) - report.startedAt,
    pods: { evicted: count('evicted'), deleted: count('deleted'), skipped: count('skipped'), pending: count('pending'), failed: count('failed') },
    forcedDeletions: report.pods.filter((p) => p.forced).length,
    applications: report.applications.slice(0, 50),
  };
}
