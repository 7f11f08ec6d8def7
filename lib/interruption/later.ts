import type { V1Node } from '@kubernetes/client-node';
import { nodeRef, revertPatch } from '../drain/cordon.ts';
import type { Notice } from '../events/notice.ts';
import { annotationOps } from '../kube/json-pointer.ts';
import { IDLE, lifecycleAnnotation, recordAfter, withSeen, type ContinuationType, type NodeLifecycle, type PendingAction } from '../lifecycle/state.ts';
import { STATUS_OF, type Input } from '../lifecycle/table.ts';
import { KubeEventRecorder } from '../kube/event-recorder.ts';
import type { InterruptionDeps } from './deps.ts';
import { CONFLICT, writeGuarded } from './node-write.ts';
import type { RetryWithinBudget } from './retry-budget.ts';
import { NODE_EVENTS, publisherFor } from './publish.ts';
import type { InstanceReport } from './report.ts';
import { dropSchedules, ensureSchedule, withPending, type NodeRef } from './schedules.ts';

/** The steps that do not drain: schedule work for later, look again later, cancel, revert. */
export interface LaterInput {
  notice: Notice;
  event: Record<string, unknown>;
  ref: NodeRef;
  node: V1Node;
  state: NodeLifecycle;
  /** The table's input this step answers (lib/lifecycle/table.ts): the phase it leaves the node in. */
  input: Input;
  round: number;
  /** How this node's Kubernetes calls ride out transient failures. */
  retry: RetryWithinBudget;
}

const scheduledOf = (p: PendingAction) => ({ type: p.type, name: p.schedule, at: p.at });

const reportBase = (input: LaterInput, phase: NodeLifecycle['phase']): Pick<InstanceReport, 'instanceId' | 'nodeName' | 'phase'> => ({
  instanceId: input.ref.instanceId,
  nodeName: input.ref.nodeName,
  phase,
});

/** Records the event on the node without touching its taints, with `pending` updated. */
async function recordOnly(input: LaterInput, next: NodeLifecycle, deps: InterruptionDeps): Promise<V1Node | typeof CONFLICT> {
  return writeGuarded(deps.kube, input.node, annotationOps(input.node, lifecycleAnnotation(next)), input.retry);
}

/**
 * A one-time schedule delivers the continuation at `at` (a Health drain days ahead, another look at
 * a node back from maintenance). Nothing on the node changes but Lifeguard's record.
 */
export async function scheduleLater(input: LaterInput, type: ContinuationType, at: number, reason: string, deps: InterruptionDeps): Promise<InstanceReport | typeof CONFLICT> {
  const { notice, state } = input;
  const pending = await ensureSchedule({ type, at, notice, event: input.event, round: input.round }, input.ref, deps);
  const next = recordAfter(state, input.input, {
    ...(state.phase === 'idle' ? { reason } : {}),
    pending: withPending(state, [], [pending]),
    seen: withSeen(state, notice.eventId),
    health: notice.kind === 'scheduled-change' && type === 'scheduled-drain' ? { ...state.health, [notice.eventArn]: notice.eventId } : state.health,
  });
  if ((await recordOnly(input, next, deps)) === CONFLICT) return CONFLICT;
  deps.log.info(`${type} scheduled for ${pending.at}`, { node: input.ref.nodeName, eventId: notice.eventId, reason });
  if (type === 'scheduled-drain') {
    const events = publisherFor(notice, input.ref.instanceId, input.ref.nodeName, deps);
    events.publish(NODE_EVENTS.drainScheduled, { at: pending.at, reason });
    await events.settled();
  }
  return { ...reportBase(input, next.phase), status: STATUS_OF.schedule, reason, scheduled: [scheduledOf(pending)] };
}

/** Stops waiting for a node that never came back: it stays as it is, and a person is told. */
export async function giveUp(input: LaterInput, reason: string, deps: InterruptionDeps): Promise<InstanceReport | typeof CONFLICT> {
  const dropped = input.state.pending.filter((p) => p.type === 'uncordon-after-maintenance');
  const next = recordAfter(input.state, input.input, { reason, pending: withPending(input.state, dropped, []) });
  if ((await recordOnly(input, next, deps)) === CONFLICT) return CONFLICT;
  deps.log.warn(reason, { node: input.ref.nodeName, eventId: input.notice.eventId });
  return { ...reportBase(input, next.phase), status: STATUS_OF['give-up'], reason };
}

/**
 * Undoes Lifeguard's own taint, cordon and label — only what its record says it did — and drops
 * the pending work of the event. With `cancel`, also deletes the Health change's scheduled drain.
 */
export async function revert(input: LaterInput, reason: string, options: { cancel: boolean; undo: boolean }, deps: InterruptionDeps): Promise<InstanceReport | typeof CONFLICT> {
  const { notice, state } = input;
  const arn = notice.kind === 'scheduled-change' ? notice.eventArn : undefined;
  const actedFor = arn !== undefined ? state.health[arn] : undefined;
  const belongs = (p: PendingAction) => p.eventId === notice.eventId || (actedFor !== undefined && p.eventId === actedFor) || (!options.cancel && p.type !== 'scheduled-drain');
  const dropped = state.pending.filter(belongs);
  const next = recordAfter(state, input.input, {
    ...(options.undo ? { applied: IDLE.applied } : {}),
    reason,
    pending: withPending(state, dropped, []),
    seen: withSeen(state, notice.eventId),
    // The change is over: a scheduled drain still on its way for it finds it stale.
    health: arn !== undefined ? { ...state.health, [arn]: notice.eventId } : state.health,
  });
  const ops = options.undo ? revertPatch(input.node, state.applied, lifecycleAnnotation(next)) : annotationOps(input.node, lifecycleAnnotation(next));
  if ((await writeGuarded(deps.kube, input.node, ops, input.retry)) === CONFLICT) return CONFLICT;
  await dropSchedules(dropped.filter((p) => p.type !== 'scheduled-drain' || options.cancel), deps);
  deps.log.info(options.undo ? "Lifeguard's taint and cordon reverted" : 'scheduled work cancelled', { node: input.ref.nodeName, eventId: notice.eventId, reason, keptCordon: options.undo && !state.applied.cordon && input.node.spec?.unschedulable === true });
  if (options.undo) {
    const events = publisherFor(notice, input.ref.instanceId, input.ref.nodeName, deps);
    events.publish(NODE_EVENTS.reverted, { reason });
    const k8sEvents = new KubeEventRecorder(deps, { awsEventId: notice.eventId, instance: 'lifeguard' });
    k8sEvents.record(nodeRef(input.node), 'Reverted', `Lifeguard's taint${state.applied.cordon ? ' and cordon' : ''} removed: ${reason}`);
    await Promise.all([events.settled(), k8sEvents.flush()]);
  }
  return { ...reportBase(input, next.phase), status: options.cancel ? STATUS_OF.cancel : STATUS_OF.revert, reason };
}
