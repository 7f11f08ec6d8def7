import pLimit from 'p-limit';
import { parseEvent, UnsupportedEventError } from '../events/parse.ts';
import { InvalidEventError, type Notice } from '../events/notice.ts';
import { CONTINUATION_KEY, continuationSchema, isContinuationPayload, type Continuation } from '../lifecycle/continuation.ts';
import type { InterruptionDeps } from './deps.ts';
import { handleInstance, type InstanceWork } from './instance.ts';
import type { InstanceReport, InterruptionReport } from './report.ts';

export type { InterruptionDeps } from './deps.ts';
export type { InstanceReport, InstanceStatus, InterruptionReport, LifecycleStatus } from './report.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** What to work on: the notice and, per instance, what triggered it. */
type Work = { notice: Notice; event: Record<string, unknown>; instanceIds: string[]; continuation?: Continuation };

/**
 * Handles one delivery end to end: an EventBridge event, or one of Lifeguard's own continuations
 * (a one-time schedule firing). Each instance's node gets one step of its lifecycle (next-step.ts):
 * schedule, cordon, drain, hand over, revert... Instances are handled in parallel.
 *
 * Never throws for bad input (a malformed, unsupported or foreign event is reported `ignored` and
 * changes nothing: a retry could not help). Throws when the work could not be done now — the
 * Kubernetes API failed for good, another invocation holds the node — so the delivery is retried;
 * the node's lifecycle record makes that retry resume.
 */
export async function handleInterruption(event: unknown, deps: InterruptionDeps): Promise<InterruptionReport> {
  const { clock, log } = deps;
  const receivedAt = clock.now();
  const dryRun = deps.dryRun === true;

  let work: Work;
  try {
    work = workOf(event);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    const unsupported = err instanceof UnsupportedEventError;
    const eventId = eventIdOf(event);
    log.warn(unsupported ? 'event ignored: not one Lifeguard acts on' : 'event rejected: malformed', { reason: err.message, field: err.field, eventId });
    return { ignored: true, reason: err.message, ...(err.field ? { field: err.field } : {}), ...(eventId ? { eventId } : {}), dryRun, receivedAt, instances: [] };
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

  const unknownEventType = notice.kind === 'scheduled-change' && notice.unknownEventType === true && !continuation ? notice.eventTypeCode : undefined;
  if (unknownEventType !== undefined) {
    log.warn(`unrecognised AWS Health event type ${unknownEventType}: handled as a retirement (drained, never uncordoned); add it to lib/events/parsers/health-event-types.ts`, {
      eventId: notice.eventId,
      eventTypeCode: unknownEventType,
      eventArn: notice.kind === 'scheduled-change' ? notice.eventArn : undefined,
      treatedAs: 'retirement',
    });
  }

  // A Health event can list many instances: bound how many nodes are worked on at once.
  const limit = pLimit(deps.config.interruption.drain.concurrency);
  const trigger = continuation ? ({ kind: 'continuation', continuation } as const) : ({ kind: 'event' } as const);
  const settled = await Promise.allSettled(
    work.instanceIds.map((instanceId) => limit(() => handleInstance({ notice, event: work.event, instanceId, trigger } satisfies InstanceWork, deps))),
  );
  const instances: InstanceReport[] = [];
  const failures: unknown[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled') return void instances.push(result.value);
    failures.push(result.reason);
    log.error('handling the instance failed; the delivery fails so it is tried again', {
      eventId: notice.eventId,
      instanceId: work.instanceIds[i],
      error: result.reason instanceof Error ? result.reason.message : String(result.reason),
    });
  });
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} instances of event ${notice.eventId} failed`);

  return {
    ignored: false,
    eventId: notice.eventId,
    kind: notice.kind,
    trigger: continuation ? 'continuation' : 'event',
    ...(continuation ? { continuation: continuation.type } : {}),
    dryRun,
    receivedAt,
    eventAgeMs,
    ...(unknownEventType !== undefined ? { unknownEventType } : {}),
    instances,
  };
}

function workOf(event: unknown): Work {
  if (!isContinuationPayload(event)) {
    const notice = parseEvent(event);
    return { notice, event: event as Record<string, unknown>, instanceIds: notice.instanceIds };
  }
  const parsed = continuationSchema.safeParse(event[CONTINUATION_KEY]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [CONTINUATION_KEY, ...issue.path].join('.');
    throw new InvalidEventError(`${field}: ${issue.message}`, field);
  }
  const continuation = parsed.data;
  const notice = parseEvent(continuation.event);
  if (!notice.instanceIds.includes(continuation.instanceId)) {
    throw new InvalidEventError(`${CONTINUATION_KEY}.instanceId: ${continuation.instanceId} is not an instance of its event`, `${CONTINUATION_KEY}.instanceId`);
  }
  return { notice, event: continuation.event, instanceIds: [continuation.instanceId], continuation };
}

function eventIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
