import type { ContinuationType } from './state.ts';

/**
 * When a one-time EventBridge Scheduler schedule fires. "All schedule types on EventBridge
 * Scheduler invoke their targets with 60 second precision. This means that if you set your schedule
 * to run at 1:00, it will invoke the target API between 1:00:00 and 1:00:59" (EventBridge Scheduler
 * User Guide, "Schedule types"). So Lifeguard names whole minutes only, and picks the minute by what
 * the work must not be: late, or early.
 */
export const SCHEDULER_PRECISION_MS = 60_000;

/**
 * The earliest minute Lifeguard names is at least this far ahead of the request: an at() whose
 * minute has begun, or passed, by the time CreateSchedule lands is refused or never invoked (the
 * documentation promises nothing for it), and the SDK's own retries can take seconds.
 */
export const SCHEDULE_LEAD_MS = 60_000;

/**
 * `by`: the work must have begun by the time (a Health drain at startTime − lead: late eats the
 * drain's lead, early only cordons a little sooner) — the minute that ends before it, so it fires
 * 0–2 min early, never late. `not-before`: the work must not begin before the time (a rebalance
 * revert after its TTL, a look at a node after its maintenance window) — the minute at or after it,
 * so it fires 0–2 min late, never early.
 */
export type ScheduleTiming = 'by' | 'not-before';

/**
 * Each scheduled continuation's timing. `resume-drain` has none: a drain that hands over must go on
 * within seconds, which no schedule can promise — it is a notice the function sends to its own queue (lib/aws/notice-queue.ts);
 * only without an invoker does it fall back to a schedule, `not-before` now.
 */
export const CONTINUATION_TIMING: Record<Exclude<ContinuationType, 'resume-drain'>, ScheduleTiming> = {
  'scheduled-drain': 'by',
  'revert-rebalance': 'not-before',
  'uncordon-after-maintenance': 'not-before',
};

/**
 * A `by` notice this close to its time is acted on now rather than scheduled: within it, the lead
 * and the minute before the time would not fit; and a schedule of it that fires early (up to two
 * minutes, see `by`) finds it due.
 */
export const ACT_NOW_WITHIN_MS = SCHEDULE_LEAD_MS + 2 * SCHEDULER_PRECISION_MS;

const floorMinute = (ms: number) => Math.floor(ms / SCHEDULER_PRECISION_MS) * SCHEDULER_PRECISION_MS;
/** The whole minute at or after `ms`: what an at() expression names for it (never earlier than asked). */
export const ceilMinute = (ms: number) => Math.ceil(ms / SCHEDULER_PRECISION_MS) * SCHEDULER_PRECISION_MS;

/** The whole minute to name in `at()` for work wanted at `wanted`, asked for at `now` (epoch ms). */
export function scheduleMinute(timing: ScheduleTiming, wanted: number, now: number): number {
  const earliest = ceilMinute(now + SCHEDULE_LEAD_MS);
  const minute = timing === 'by' ? floorMinute(wanted - SCHEDULER_PRECISION_MS) : ceilMinute(wanted);
  return Math.max(minute, earliest);
}

/** When a schedule naming `minute` can fire: within that minute. */
export const fireWindow = (minute: number): { from: number; to: number } => ({ from: minute, to: minute + SCHEDULER_PRECISION_MS });
