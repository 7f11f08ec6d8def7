import type { Notice } from '../events/notice.ts';
import { continuationPayload, scheduleName, trimEvent, type Continuation } from '../lifecycle/continuation.ts';
import { CONTINUATION_TIMING, scheduleMinute, type ScheduleTiming } from '../lifecycle/schedule-timing.ts';
import type { ContinuationType, NodeLifecycle, PendingAction } from '../lifecycle/state.ts';
import type { InterruptionDeps } from './deps.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';

/** A continuation that cannot be scheduled or started here (no scheduler, no invoker). */
export class ContinuationError extends LifeguardError {}

export interface NodeRef {
  instanceId: string;
  nodeName: string;
}

/** What a continuation needs to be planned: its type, when it is wanted, and the event it belongs to. */
export interface ContinuationPlan {
  type: ContinuationType;
  /** When the work is wanted (epoch ms); a schedule names the minute schedule-timing.ts picks for it. */
  at: number;
  notice: Notice;
  event: Record<string, unknown>;
  round?: number;
}

/** The key a schedule name is derived from: a Health change's ARN (an update moves it), else the event. */
const keyOf = (type: ContinuationType, notice: Notice) => (type === 'scheduled-drain' && notice.kind === 'scheduled-change' ? notice.eventArn : notice.eventId);

/** The node's record of a continuation; `at` as it will be delivered (a schedule's minute, or now for an invocation). */
export function pendingFor(plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): PendingAction {
  return {
    type: plan.type,
    schedule: scheduleName(plan.type, deps.clusterName, ref.nodeName, keyOf(plan.type, plan.notice)),
    at: new Date(plan.at).toISOString(),
    eventId: plan.notice.eventId,
  };
}

const continuationOf = (plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): Continuation => ({
  type: plan.type,
  cluster: deps.clusterName,
  nodeName: ref.nodeName,
  instanceId: ref.instanceId,
  eventId: plan.notice.eventId,
  event: trimEvent(plan.event, ref.instanceId),
  round: plan.round ?? 0,
});

/** A resumed drain has no time to lose: a schedule for it (no invoker) is for the first minute Scheduler can keep. */
const timingOf = (type: ContinuationType): ScheduleTiming => (type === 'resume-drain' ? 'not-before' : CONTINUATION_TIMING[type]);

/**
 * Creates (or moves) the schedule before the node records it as pending: if the node write then
 * fails, the retry makes the same schedule again, by name, instead of a node that waits forever.
 * The schedule names a whole minute (Scheduler's precision) picked by the continuation's timing.
 */
export async function ensureSchedule(plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): Promise<PendingAction> {
  const minute = scheduleMinute(timingOf(plan.type), plan.at, deps.clock.now());
  const pending = pendingFor({ ...plan, at: minute }, ref, deps);
  if (!deps.scheduler) throw new ContinuationError(`no scheduler is available here: cannot schedule ${plan.type} for ${ref.nodeName} at ${pending.at} (Lifeguard schedules work from its Lambda function)`);
  await deps.scheduler.upsert({
    name: pending.schedule,
    at: minute,
    payload: continuationPayload(continuationOf(plan, ref, deps)),
    description: `${plan.type} for node ${ref.nodeName} (${ref.instanceId}), event ${plan.notice.eventId}`,
  });
  return pending;
}

/**
 * Starts the continuation now: a new notice on the queue (SendMessage), which the event source
 * mapping delivers within its batching window. Called once the node's record says it is pending
 * and the lease is dropped: a notice sent before that could be handled while the lease is still
 * held and end as a duplicate, leaving the drain with no one to go on.
 */
export async function invokeNow(plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): Promise<void> {
  if (!deps.invoker) throw new ContinuationError(`no invoker is available here: cannot start ${plan.type} for ${ref.nodeName} in a new invocation`);
  await deps.invoker.invoke(continuationPayload(continuationOf(plan, ref, deps)));
}

/**
 * Deletes schedules that are no longer wanted. Best effort: a schedule that survives finds the
 * node's record changed when it fires and ends as stale, changing nothing.
 */
export async function dropSchedules(pending: readonly PendingAction[], deps: InterruptionDeps): Promise<void> {
  if (!deps.scheduler) return;
  await Promise.all(
    pending.map((p) =>
      deps.scheduler!.delete(p.schedule).catch((err: unknown) => {
        deps.log.warn('could not delete a schedule; it will find nothing to do when it fires', { schedule: p.schedule, error: errorMessage(err) });
      }),
    ),
  );
}

/** The node's pending actions with `drop` removed and `add` put in (replacing any of the same schedule). */
export function withPending(state: NodeLifecycle, drop: readonly PendingAction[], add: readonly PendingAction[]): PendingAction[] {
  const gone = new Set([...drop, ...add].map((p) => p.schedule));
  return [...state.pending.filter((p) => !gone.has(p.schedule)), ...add];
}
