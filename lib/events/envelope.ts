import { z } from 'zod';
import { describeIssues, describeValue, issuePath } from '../util/zod-issues.ts';
import { InvalidEventError } from './notice.ts';
import type { Notice } from './notice.ts';

/** An EC2 instance id: `i-` and 8 (older) or 17 hex digits. */
export const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export const instanceIdSchema = z
  .string()
  .regex(INSTANCE_ID, { error: 'expected an EC2 instance id (i- and 8 or 17 lowercase hex digits)' });

/** ISO 8601 with a zone (`Z` or `±hh:mm`), as EventBridge writes `time`. Calendar-checked. */
export const isoTimeSchema = z.iso.datetime({
  offset: true,
  error: 'expected an ISO 8601 time with a zone, like 2026-01-01T00:00:00Z',
});

/**
 * The fields EventBridge puts around every event. `detail` is kept opaque here: each parser
 * validates its own.
 */
export const envelopeSchema = z.object({
  version: z.string().min(1, { error: 'expected a non-empty version' }),
  id: z.string().min(1, { error: 'expected a non-empty event id' }),
  'detail-type': z.string().min(1, { error: 'expected a non-empty detail-type' }),
  source: z.string().min(1, { error: 'expected a non-empty source' }),
  account: z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }),
  time: isoTimeSchema,
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d+$/, { error: 'expected an AWS region, like us-east-1' }),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * A well-formed event Lifeguard does not act on: an unknown source/detail-type, a Health event for
 * another service, an instance coming up. Callers log it and move on; retrying cannot help.
 * (Re-exported from parse.ts, where callers look for it.)
 */
export class UnsupportedEventError extends InvalidEventError {}

/** One parser per source + detail-type: validates `detail` and answers which instances, what kind, when. */
export interface EventParser {
  readonly source: string;
  readonly detailType: string;
  /**
   * The EventBridge rule that delivers this kind of event: its name (part of the stack's logical
   * ids), what it is for, and any `detail` filter narrower than source + detail-type.
   */
  readonly rule: { name: string; description: string; detail?: Record<string, unknown> };
  parse(envelope: Envelope): Notice;
}

/** The envelope fields every Notice carries. */
export function noticeBase(envelope: Envelope) {
  return {
    eventId: envelope.id,
    source: envelope.source,
    detailType: envelope['detail-type'],
    account: envelope.account,
    region: envelope.region,
    eventTime: Date.parse(envelope.time),
  };
}

/**
 * Validates `value` (found at `basePath` in the event) and returns the parsed copy; on failure
 * throws an InvalidEventError naming the first bad field, what was expected and what came.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, basePath: readonly PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first] = describeIssues(result.error, { value, at: basePath });
  const field = first?.path ?? issuePath(basePath);
  throw new InvalidEventError(first?.line ?? `${field}: invalid`, field);
}

/** Throws an InvalidEventError for a rule no schema can express (e.g. an order between two fields). */
export function invalidField(path: readonly PropertyKey[], expected: string, received: unknown): never {
  const field = issuePath(path);
  throw new InvalidEventError(`${field}: ${expected} (got ${describeValue(received)})`, field);
}
