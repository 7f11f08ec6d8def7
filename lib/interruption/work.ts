import { parseEvent, UnsupportedEventError } from '../events/parse.ts';
import { InvalidEventError, type Notice } from '../events/notice.ts';
import { CONTINUATION_KEY, continuationSchema, isContinuationPayload, type Continuation } from '../lifecycle/continuation.ts';
import type { InterruptionDeps } from './deps.ts';
import type { Trigger } from '../lifecycle/next-step.ts';
import type { InterruptionReport } from './report.ts';
import { describeIssues } from '../util/zod-issues.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** What a delivery asks for: the notice, the instances, and what triggered it. */
export interface Work {
  notice: Notice;
  event: Record<string, unknown>;
  instanceIds: string[];
  trigger: Trigger;
  continuation?: Continuation;
  /** A Health event type code Lifeguard does not know (handled as a retirement). */
  unknownEventType?: string;
}

/**
 * Reads one delivery — an EventBridge event, or one of Lifeguard's own continuations — and logs
 * what it is. Bad input is not an error: a malformed, unsupported or foreign event comes back as
 * an `ignored` report that changes nothing (a retry could not help).
 */
export function readDelivery(body: unknown, deps: Pick<InterruptionDeps, 'log' | 'dryRun'>, receivedAt: number): { work?: Work; ignored?: InterruptionReport } {
  const { log } = deps;
  const dryRun = deps.dryRun === true;
  let work: Work;
  try {
    work = workOf(body);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    const unsupported = err instanceof UnsupportedEventError;
    const eventId = eventIdOf(body);
    log.warn(unsupported ? 'event ignored: not one Lifeguard acts on' : 'event rejected: malformed', { reason: err.message, field: err.field, eventId });
    return { ignored: { ignored: true, reason: err.message, ...(err.field ? { field: err.field } : {}), ...(eventId ? { eventId } : {}), dryRun, receivedAt, instances: [] } };
  }

  const { notice, continuation } = work;
  const eventAgeMs = receivedAt - notice.eventTime;
  const deadline = notice.deadline === null ? 'no deadline' : `deadline ${iso(notice.deadline)}`;
  const late = eventAgeMs > 10_000 ? `, delivered ${Math.round(eventAgeMs / 1000)} s after the event` : '';
  log.info(`${continuation ? `continuation ${continuation.type}: ` : ''}${notice.kind} for ${work.instanceIds.join(', ')} (${deadline}${late})`, {
    eventId: notice.eventId,
    kind: notice.kind,
    instances: work.instanceIds,
    deadline: iso(notice.deadline),
    eventAgeMs,
    dryRun,
  });
  if (work.unknownEventType !== undefined) {
    log.warn(`unrecognised AWS Health event type ${work.unknownEventType}: handled as a retirement (drained, never uncordoned); add it to lib/events/parsers/health-event-types.ts`, {
      eventId: notice.eventId,
      eventTypeCode: work.unknownEventType,
      eventArn: notice.kind === 'scheduled-change' ? notice.eventArn : undefined,
      treatedAs: 'retirement',
    });
  }
  return { work };
}

function workOf(event: unknown): Work {
  if (!isContinuationPayload(event)) {
    const notice = parseEvent(event);
    const unknownEventType = notice.kind === 'scheduled-change' && notice.unknownEventType === true ? notice.eventTypeCode : undefined;
    return { notice, event: event as Record<string, unknown>, instanceIds: notice.instanceIds, trigger: { kind: 'event' }, ...(unknownEventType !== undefined ? { unknownEventType } : {}) };
  }
  const parsed = continuationSchema.safeParse(event[CONTINUATION_KEY]);
  if (!parsed.success) {
    const [first] = describeIssues(parsed.error, { value: event[CONTINUATION_KEY], at: [CONTINUATION_KEY] });
    throw new InvalidEventError(first!.line, first!.path);
  }
  const continuation = parsed.data;
  const notice = parseEvent(continuation.event);
  if (!notice.instanceIds.includes(continuation.instanceId)) {
    throw new InvalidEventError(`${CONTINUATION_KEY}.instanceId: ${continuation.instanceId} is not an instance of its event`, `${CONTINUATION_KEY}.instanceId`);
  }
  return { notice, event: continuation.event, instanceIds: [continuation.instanceId], trigger: { kind: 'continuation', continuation }, continuation };
}

function eventIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
