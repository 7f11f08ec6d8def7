import { z } from 'zod';
import { invalidField, validate } from '../events/envelope.ts';
import { issuePath } from '../util/zod-issues.ts';
import { errorMessage } from '../util/errors.ts';

/**
 * How Lifeguard's work reaches a dead-letter queue, and how it comes back out. Each queue wraps the
 * payload (an EventBridge event, or one of Lifeguard's continuations) its own way:
 *
 * - `eventbridge-dead-letter`: a rule target that could not be delivered. The SQS body is the event;
 *   EventBridge adds the message attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 *   RETRY_ATTEMPTS and, when a retry limit ended it, EXHAUSTED_RETRY_CONDITION (EventBridge User
 *   Guide, "Event retry policy and using dead-letter queues").
 * - `scheduler-dead-letter`: a schedule that could not invoke its target. The body is the schedule's
 *   Input (a continuation); attributes SCHEDULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 *   RETRY_ATTEMPTS, EXECUTION_ID, SCHEDULED_TIME, IS_PAYLOAD_TRUNCATED.
 * - `lambda-failure`: the invocation record Lambda sends to an on-failure destination, as the SQS
 *   body: `requestContext` (condition, approximateInvokeCount, functionArn), `requestPayload` (the
 *   event the function got), `responseContext`, `responsePayload` (Lambda Developer Guide,
 *   "Asynchronous invocation"). A function's own DLQ would hold the bare event, with the attributes
 *   RequestID, ErrorCode, ErrorMessage.
 * - `sqs-message`: a message with no dead-letter attributes, such as one SQS moved to a queue's DLQ
 *   after maxReceiveCount receives: its body is what was sent. Also the shape `aws sqs
 *   receive-message` prints (`Body`, `MessageAttributes`, in `Messages`).
 * - `sqs-record`: a record of a Lambda SQS event (`body`, `messageAttributes`), as a log shows it.
 *
 * Envelopes nest (an on-failure record inside an SQS message); each is taken off in turn.
 */
export type EnvelopeKind = 'sqs-message' | 'sqs-record' | 'eventbridge-dead-letter' | 'scheduler-dead-letter' | 'lambda-failure';

/** Why the payload is a dead letter, as far as its envelopes say. */
export interface FailureFacts {
  /** `ERROR_CODE: ERROR_MESSAGE`, or Lambda's condition and the function's error. */
  reason?: string;
  /** Retries spent before it was given up (RETRY_ATTEMPTS). */
  retries?: number;
  /** Lambda's approximateInvokeCount: how many times the function ran it. */
  invocations?: number;
  /** What gave up: the rule, schedule or function ARN. */
  by?: string;
}

export interface Unwrapped {
  /** Outermost first; empty when the document is the payload itself. */
  envelopes: EnvelopeKind[];
  payload: Record<string, unknown>;
  /** Where the payload sits in the document, as a field path (`Messages.0.Body.requestPayload`); empty at the top. */
  location: PropertyKey[];
  failure: FailureFacts;
}

/** An SQS message as a reader has it: the body and the string-valued message attributes. */
export interface QueuedMessage {
  body: string;
  attributes: Record<string, string>;
}

export const ENVELOPE_LABELS: Record<EnvelopeKind, string> = {
  'sqs-message': 'SQS message',
  'sqs-record': 'SQS record',
  'eventbridge-dead-letter': 'EventBridge rule DLQ',
  'scheduler-dead-letter': 'Scheduler DLQ',
  'lambda-failure': 'Lambda on-failure record',
};

// Envelopes nest at most SQS message → on-failure record → payload; deeper is not Lifeguard's.
const MAX_DEPTH = 4;

const objectSchema = z.record(z.string(), z.unknown());

const apiMessageSchema = z.object({
  Body: z.string({ error: 'expected the message body as a string' }),
  MessageAttributes: z.record(z.string(), z.object({ StringValue: z.string().optional(), DataType: z.string() })).optional(),
});

const sqsRecordSchema = z.object({
  body: z.string({ error: 'expected the message body as a string' }),
  messageAttributes: z.record(z.string(), z.object({ stringValue: z.string().optional(), dataType: z.string() })).optional(),
});

const lambdaFailureSchema = z.object({
  requestContext: z.object({
    condition: z.string({ error: 'expected the condition Lambda recorded (RetriesExhausted, EventAgeExceeded, ...)' }),
    functionArn: z.string().optional(),
    approximateInvokeCount: z.number().int().nonnegative().optional(),
  }),
  requestPayload: objectSchema,
  responsePayload: z.unknown().optional(),
});

/** A file's document (from `handle`): the payload itself, or any of the envelopes above. */
export function unwrapDocument(document: unknown): Unwrapped {
  return unwrap(document, [], [], {}, 0);
}

/** A message read from a dead-letter queue (from `redrive`): its body, unwrapped with its attributes. */
export function unwrapMessage(message: QueuedMessage): Unwrapped {
  return unwrapBody(message.body, message.attributes, 'sqs-message', [], [], {}, 0);
}

function unwrap(value: unknown, location: PropertyKey[], envelopes: EnvelopeKind[], failure: FailureFacts, depth: number): Unwrapped {
  const doc = validate(objectSchema, value, location);
  if (depth > MAX_DEPTH) invalidField(location, `expected an event or a continuation within ${MAX_DEPTH} envelopes`, doc);

  if ('Messages' in doc || 'Records' in doc) {
    const key = 'Messages' in doc ? 'Messages' : 'Records';
    const list = validate(z.array(z.unknown()), doc[key], [...location, key]);
    if (list.length !== 1) invalidField([...location, key], 'expected exactly one message (put each in a file of its own)', list);
    return unwrap(list[0], [...location, key, 0], envelopes, failure, depth + 1);
  }
  if ('Body' in doc) {
    const message = validate(apiMessageSchema, doc, location);
    const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).flatMap(([k, v]) => (v.StringValue === undefined ? [] : [[k, v.StringValue]])));
    return unwrapBody(message.Body, attributes, 'sqs-message', [...location, 'Body'], envelopes, failure, depth);
  }
  if ('body' in doc && ('messageId' in doc || doc.eventSource === 'aws:sqs')) {
    const record = validate(sqsRecordSchema, doc, location);
    const attributes = Object.fromEntries(Object.entries(record.messageAttributes ?? {}).flatMap(([k, v]) => (v.stringValue === undefined ? [] : [[k, v.stringValue]])));
    return unwrapBody(record.body, attributes, 'sqs-record', [...location, 'body'], envelopes, failure, depth);
  }
  if ('requestPayload' in doc || 'requestContext' in doc) {
    const record = validate(lambdaFailureSchema, doc, location);
    const error = functionError(record.responsePayload);
    const facts: FailureFacts = {
      ...failure,
      reason: `${record.requestContext.condition}${error ? `: ${error}` : ''}`,
      ...(record.requestContext.approximateInvokeCount !== undefined ? { invocations: record.requestContext.approximateInvokeCount } : {}),
      ...(record.requestContext.functionArn ? { by: record.requestContext.functionArn } : {}),
    };
    return unwrap(record.requestPayload, [...location, 'requestPayload'], [...envelopes, 'lambda-failure'], facts, depth + 1);
  }
  return { envelopes, payload: doc, location, failure };
}

/** An SQS body: JSON, classified by the attributes its writer added. */
function unwrapBody(body: string, attributes: Record<string, string>, container: 'sqs-message' | 'sqs-record', location: PropertyKey[], envelopes: EnvelopeKind[], failure: FailureFacts, depth: number): Unwrapped {
  const kind: EnvelopeKind = attributes.RULE_ARN ? 'eventbridge-dead-letter' : attributes.SCHEDULE_ARN ? 'scheduler-dead-letter' : container;
  if (attributes.IS_PAYLOAD_TRUNCATED === 'true') {
    invalidField(location, 'a whole payload, but Scheduler truncated this one (IS_PAYLOAD_TRUNCATED): replay it from the schedule instead', body);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    invalidField(location, `expected JSON (an EventBridge event or a Lifeguard continuation) but it does not parse (${errorMessage(err)})`, body);
  }
  return unwrap(parsed, location, [...envelopes, kind], { ...failure, ...attributeFacts(attributes) }, depth + 1);
}

/** The failure as EventBridge, Scheduler or a Lambda DLQ wrote it in message attributes. */
function attributeFacts(attributes: Record<string, string>): FailureFacts {
  const code = attributes.ERROR_CODE ?? attributes.ErrorCode;
  const message = attributes.ERROR_MESSAGE ?? attributes.ErrorMessage;
  const condition = attributes.EXHAUSTED_RETRY_CONDITION;
  const reason = [code, message].filter(Boolean).join(': ') + (condition ? ` (${condition} reached)` : '');
  const retries = Number(attributes.RETRY_ATTEMPTS);
  const by = attributes.RULE_ARN ?? attributes.SCHEDULE_ARN;
  return {
    ...(reason ? { reason } : {}),
    ...(attributes.RETRY_ATTEMPTS !== undefined && Number.isInteger(retries) ? { retries } : {}),
    ...(by ? { by } : {}),
  };
}

/** `errorType: errorMessage` of the function's error response, when it has one. */
function functionError(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const { errorType, errorMessage } = response as { errorType?: unknown; errorMessage?: unknown };
  const text = [errorType, errorMessage].filter((v) => typeof v === 'string' && v).join(': ');
  return text ? text.slice(0, 300) : undefined;
}

/** `Messages.0.Body` for a payload's location; empty at the top of the document. */
export const locationText = (location: readonly PropertyKey[]): string => (location.length ? issuePath(location) : '');
