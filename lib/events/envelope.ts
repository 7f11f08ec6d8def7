import { z } from 'zod';
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

type PathSegment = PropertyKey;

/** `detail.affectedEntities[1].entityValue`; `$` for the event itself. */
export function fieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || '$';
}

/**
 * Validates `value` (found at `basePath` in the event) and returns the parsed copy; on failure
 * throws an InvalidEventError naming the first bad field, what was expected and what came.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, basePath: readonly PathSegment[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InvalidEventError(`${fieldPath(basePath)}: invalid`, fieldPath(basePath));
  const path = [...basePath, ...issue.path];
  const field = fieldPath(path);
  const received = valueAt(value, issue.path);
  throw new InvalidEventError(`${field}: ${expectation(issue)}, got ${describe(received)}`, field);
}

/** Throws an InvalidEventError for a rule no schema can express (e.g. an order between two fields). */
export function invalidField(path: readonly PathSegment[], expected: string, received: unknown): never {
  const field = fieldPath(path);
  throw new InvalidEventError(`${field}: ${expected}, got ${describe(received)}`, field);
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // zod calls a string-keyed object a "record"; the JSON word is "object".
      return `expected ${issue.expected === 'record' ? 'object' : issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `expected at least ${String(issue.minimum)} item(s)` : issue.message;
    default:
      // Formats (regexes, times) carry their own "expected ..." message, set in the schema.
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
