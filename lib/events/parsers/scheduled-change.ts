import { z } from 'zod';
import { INSTANCE_ID, UnsupportedEventError, instanceIdSchema, invalidField, isoTimeSchema, noticeBase, validate } from '../envelope.ts';
import type { Envelope, EventParser } from '../envelope.ts';
import type { ScheduledChangeNotice } from '../notice.ts';
import { classifyEventTypeCode } from './health-event-types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC_1123 = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * `Wed, 05 Apr 2023 12:00:00 GMT` → epoch ms; undefined unless the date exists. The weekday is not
 * checked: AWS's own sample Health event carries a wrong one, and the date says all that matters.
 */
export function parseRfc1123(text: string): number | undefined {
  const m = RFC_1123.exec(text);
  if (!m) return undefined;
  const [, , date, month, year, hh, mm, ss] = m as unknown as [string, string, string, string, string, string, string, string];
  const monthIndex = MONTHS.indexOf(month);
  const ms = Date.UTC(Number(year), monthIndex, Number(date), Number(hh), Number(mm), Number(ss));
  const back = new Date(ms);
  const exact =
    back.getUTCFullYear() === Number(year) &&
    back.getUTCMonth() === monthIndex &&
    back.getUTCDate() === Number(date) &&
    back.getUTCHours() === Number(hh) &&
    back.getUTCMinutes() === Number(mm) &&
    back.getUTCSeconds() === Number(ss);
  return exact ? ms : undefined;
}

/** Health writes its times as RFC 1123 (`Wed, 05 Apr 2023 12:00:00 GMT`); some feeds use ISO 8601. */
const healthTimeSchema = z.string().transform((text, ctx) => {
  const ms = isoTimeSchema.safeParse(text).success ? Date.parse(text) : parseRfc1123(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an RFC 1123 time (Wed, 05 Apr 2023 12:00:00 GMT) or an ISO 8601 time with a zone',
      input: text,
    });
    return z.NEVER;
  }
  return ms;
});

/** What decides whether this parser applies at all. */
const scopeSchema = z.object({ service: z.string(), eventTypeCategory: z.string() });

export const scheduledChangeDetailSchema = z.object({
  eventArn: z.string().regex(/^arn:aws[a-z-]*:health:[a-z0-9-]*::event\/\S+$/, {
    error: 'expected a Health event ARN (arn:aws:health:<region>::event/...)',
  }),
  service: z.literal('EC2'),
  eventTypeCode: z.string().regex(/^[A-Z0-9_]+$/, { error: 'expected an event type code like AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED' }),
  eventTypeCategory: z.literal('scheduledChange'),
  statusCode: z.enum(['upcoming', 'open', 'closed']).optional(),
  startTime: healthTimeSchema,
  endTime: healthTimeSchema.optional(),
  // Newer events list instances here; older ones only in the envelope's `resources`.
  affectedEntities: z.array(z.object({ entityValue: z.string() })).default([]),
});

/** `i-...` or `arn:aws:ec2:<region>:<account>:instance/i-...`; undefined for anything else. */
function instanceIdCandidate(value: string): string | undefined {
  if (value.startsWith('i-')) return value;
  const arn = /^arn:aws[a-z-]*:ec2:[^:]*:[^:]*:instance\/(.+)$/.exec(value);
  return arn?.[1];
}

export const scheduledChangeParser = {
  source: 'aws.health',
  detailType: 'AWS Health Event',
  rule: {
    name: 'HealthScheduledChange',
    description: 'AWS Health scheduled changes for EC2: reboots, maintenance and retirements, up to weeks ahead',
    detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
  },
  parse(envelope: Envelope): ScheduledChangeNotice {
    const scope = validate(scopeSchema, envelope.detail, ['detail']);
    if (scope.service !== 'EC2') {
      throw new UnsupportedEventError(`detail.service: Lifeguard acts on "EC2" Health events, got ${JSON.stringify(scope.service)}`, 'detail.service');
    }
    if (scope.eventTypeCategory !== 'scheduledChange') {
      throw new UnsupportedEventError(
        `detail.eventTypeCategory: Lifeguard acts on "scheduledChange", got ${JSON.stringify(scope.eventTypeCategory)}`,
        'detail.eventTypeCategory',
      );
    }
    const detail = validate(scheduledChangeDetailSchema, envelope.detail, ['detail']);
    if (detail.endTime !== undefined && detail.endTime < detail.startTime) {
      invalidField(['detail', 'endTime'], 'expected a time at or after detail.startTime', envelope.detail.endTime);
    }
    // Several instances can share one event; a long list is split over pages, each its own event.
    const ids = new Set<string>();
    detail.affectedEntities.forEach((entity, i) => {
      // EC2 events can also name dedicated hosts or volumes: only instances become notices.
      if (entity.entityValue.startsWith('i-')) {
        ids.add(validate(instanceIdSchema, entity.entityValue, ['detail', 'affectedEntities', i, 'entityValue']));
      }
    });
    envelope.resources.forEach((resource, i) => {
      const candidate = instanceIdCandidate(resource);
      if (candidate !== undefined) ids.add(validate(instanceIdSchema, candidate, ['resources', i]));
    });
    if (ids.size === 0) {
      throw new UnsupportedEventError(
        `detail.affectedEntities: no EC2 instance among the affected entities of ${detail.eventArn} (expected ids matching ${String(INSTANCE_ID)})`,
        'detail.affectedEntities',
      );
    }

    const { change, known } = classifyEventTypeCode(detail.eventTypeCode);
    return {
      kind: 'scheduled-change',
      ...noticeBase(envelope),
      instanceIds: [...ids],
      eventArn: detail.eventArn,
      eventTypeCode: detail.eventTypeCode,
      change,
      ...(known ? {} : { unknownEventType: true as const }),
      // A closed event is a change that is over or was cancelled: what was scheduled is cancelled.
      status: detail.statusCode ?? 'upcoming',
      startTime: detail.startTime,
      endTime: detail.endTime ?? null,
      deadline: detail.startTime,
    };
  },
} satisfies EventParser;
