import type { Notice } from '../events/notice.ts';
import { continuationPayload, scheduleName, trimEvent, type Continuation } from '../lifecycle/continuation.ts';
import type { ContinuationType, NodeLifecycle, PendingAction } from '../lifecycle/state.ts';
import type { InterruptionDeps } from './deps.ts';

export interface NodeRef {
  instanceId: string;
  nodeName: string;
}

/** What a continuation needs to be planned: its type, when, and the event it belongs to. */
export interface ContinuationPlan {
  type: ContinuationType;
  at: number;
  notice: Notice;
  event: Record<string, unknown>;
  round?: number;
}

/** The key a schedule name is derived from: a Health change's ARN (an update moves it), else the event. */
const keyOf = (type: ContinuationType, notice: Notice) => (type === 'scheduled-drain' && notice.kind === 'scheduled-change' ? notice.eventArn : notice.eventId);

export function pendingFor(plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): PendingAction {
  return {
    type: plan.type,
    schedule: scheduleName(plan.type, deps.clusterName, ref.nodeName, keyOf(plan.type, plan.notice)),
    at: new Date(plan.at).toISOString(),
    eventId: plan.notice.eventId,
  };
}

/**
 * Creates (or moves) the schedule before the node records it as pending: if the node write then
 * fails, the retry makes the same schedule again, by name, instead of a node that waits forever.
 */
export async function ensureSchedule(plan: ContinuationPlan, ref: NodeRef, deps: InterruptionDeps): Promise<PendingAction> {
  const pending = pendingFor(plan, ref, deps);
  if (!deps.scheduler) throw new Error(`no scheduler is available here: cannot schedule ${plan.type} for ${ref.nodeName} at ${pending.at} (Lifeguard schedules work from its Lambda function)`);
  const continuation: Continuation = {
    type: plan.type,
    cluster: deps.clusterName,
    nodeName: ref.nodeName,
    instanceId: ref.instanceId,
    eventId: plan.notice.eventId,
    event: trimEvent(plan.event, ref.instanceId),
    round: plan.round ?? 0,
  };
  await deps.scheduler.upsert({
    name: pending.schedule,
    at: plan.at,
    payload: continuationPayload(continuation),
    description: `${plan.type} for node ${ref.nodeName} (${ref.instanceId}), event ${plan.notice.eventId}`,
  });
  return pending;
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
        deps.log.warn('could not delete a schedule; it will find nothing to do when it fires', { schedule: p.schedule, error: err instanceof Error ? err.message : String(err) });
      }),
    ),
  );
}

/** The node's pending actions with `drop` removed and `add` put in (replacing any of the same schedule). */
export function withPending(state: NodeLifecycle, drop: readonly PendingAction[], add: readonly PendingAction[]): PendingAction[] {
  const gone = new Set([...drop, ...add].map((p) => p.schedule));
  return [...state.pending.filter((p) => !gone.has(p.schedule)), ...add];
}
