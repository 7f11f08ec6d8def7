import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelopeLabel, failureText, summarize } from '../../../lib/dead-letters/describe.ts';
import { readPayload } from '../../../lib/dead-letters/payload.ts';
import { unwrapDocument, unwrapMessage } from '../../../lib/dead-letters/unwrap.ts';
import { InvalidEventError } from '../../../lib/events/notice.ts';
import { UnsupportedEventError } from '../../../lib/events/parse.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(`test/fixtures/dead-letters/${name}.json`, 'utf8'));
const event = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`test/fixtures/events/${name}.json`, 'utf8'));

/** Unwraps a document and reads its payload, as `handle` does. */
const open = (document: unknown) => {
  const unwrapped = unwrapDocument(document);
  return { unwrapped, replayable: readPayload(unwrapped.payload, unwrapped.location) };
};

const thrown = (work: () => unknown): InvalidEventError => {
  try {
    work();
  } catch (err) {
    if (err instanceof InvalidEventError) return err;
    throw err;
  }
  throw new Error('expected an InvalidEventError');
};

describe('unwrapping each envelope Lifeguard’s dead letters come in', () => {
  it('an EventBridge rule DLQ message (aws sqs receive-message output): the event, and why EventBridge gave up', () => {
    const { unwrapped, replayable } = open(fixture('eventbridge-rule-dlq'));
    expect(unwrapped.envelopes).toEqual(['eventbridge-dead-letter']);
    expect(unwrapped.payload).toEqual(event('spot-interruption-terminate'));
    expect(unwrapped.location).toEqual(['Messages', 0, 'Body']);
    expect(unwrapped.failure).toEqual({
      reason: 'THROTTLING: Rate Exceeded. (Service: Lambda, Status Code: 429, Request ID: 0c7f1e2d-3a4b-4c5d-8e9f-a0b1c2d3e4f5) (MaximumEventAgeInSeconds reached)',
      retries: 7,
      by: 'arn:aws:events:us-east-1:123456789012:rule/lifeguard-dev-SpotInterruptionRule-1A2B3C4D5E6F',
    });
    expect(summarize(unwrapped, replayable)).toEqual({
      envelope: 'EventBridge rule DLQ',
      payload: 'aws.ec2 / EC2 Spot Instance Interruption Warning',
      subject: 'i-0aaa1111bbbb22220',
      eventTime: '2026-03-14T09:26:53.000Z',
      failure: expect.stringMatching(/^THROTTLING: Rate Exceeded\. .* \(7 retries; arn:aws:events:.*:rule\/lifeguard-dev-SpotInterruptionRule-1A2B3C4D5E6F\)$/),
    });
  });

  it('a Scheduler DLQ message: the schedule’s Input is the continuation, the schedule says why', () => {
    const { unwrapped, replayable } = open(fixture('scheduler-dlq'));
    expect(unwrapped.envelopes).toEqual(['scheduler-dead-letter']);
    expect(replayable.kind).toBe('continuation');
    expect(unwrapped.failure).toMatchObject({ reason: 'AWS.Lambda.TooManyRequestsException: Rate Exceeded. (MaximumRetryAttempts reached)', retries: 10 });
    expect(unwrapped.failure.by).toMatch(/^arn:aws:scheduler:us-east-1:123456789012:schedule\/lifeguard-dev-interruption-work\//);
    expect(summarize(unwrapped, replayable)).toMatchObject({
      envelope: 'Scheduler DLQ',
      payload: 'continuation scheduled-drain (aws.health / AWS Health Event)',
      subject: 'ip-10-0-1-10.ec2.internal (i-0aaa1111bbbb22220)',
      eventTime: '2026-03-02T17:05:11.000Z',
    });
  });

  it('the on-failure destination queue: the body is Lambda’s invocation record, the payload its requestPayload', () => {
    const { unwrapped, replayable } = open(fixture('lambda-on-failure'));
    expect(unwrapped.envelopes).toEqual(['sqs-message', 'lambda-failure']);
    expect(unwrapped.payload).toEqual(event('state-change-shutting-down'));
    expect(unwrapped.location).toEqual(['Body', 'requestPayload']);
    expect(unwrapped.failure).toEqual({
      reason: 'RetriesExhausted: HttpError: HTTP request failed: 503 Service Unavailable (PATCH /api/v1/nodes/ip-10-0-1-12.ec2.internal)',
      invocations: 3,
      by: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-dev-interruption:$LATEST',
    });
    expect(summarize(unwrapped, replayable)).toMatchObject({ envelope: 'Lambda on-failure record', subject: 'i-0aaa1111bbbb22222' });
  });

  it('an invocation record pasted on its own: a hand-over (resume-drain) that failed', () => {
    const { unwrapped, replayable } = open(fixture('lambda-on-failure-record'));
    expect(unwrapped.envelopes).toEqual(['lambda-failure']);
    expect(replayable).toMatchObject({ kind: 'continuation', continuation: { type: 'resume-drain', round: 2 } });
    expect(unwrapped.failure.reason).toMatch(/^RetriesExhausted: LeaseHeldError: node ip-10-0-1-10/);
  });

  it('the notice queue’s DLQ (moved after maxReceiveCount): the body is the event, nothing says why', () => {
    const { unwrapped, replayable } = open(fixture('notice-queue-dlq'));
    expect(unwrapped.envelopes).toEqual(['sqs-message']);
    expect(unwrapped.payload).toEqual(event('rebalance-recommendation'));
    expect(summarize(unwrapped, replayable)).toMatchObject({ envelope: 'SQS message', failure: 'no reason recorded' });
  });

  it('a Lambda SQS event with one record, as a log shows it', () => {
    const { unwrapped, replayable } = open(fixture('sqs-event-record'));
    expect(unwrapped.envelopes).toEqual(['sqs-record']);
    expect(unwrapped.location).toEqual(['Records', 0, 'body']);
    expect(replayable).toMatchObject({ kind: 'event', notice: { kind: 'spot-interruption', action: 'hibernate' } });
  });

  it('a plain event and a plain continuation are their own payload', () => {
    expect(open(event('spot-interruption-stop')).unwrapped).toMatchObject({ envelopes: [], location: [], failure: {} });
    const record = fixture('lambda-on-failure-record') as { requestPayload: unknown };
    expect(open(record.requestPayload).replayable.kind).toBe('continuation');
    expect(envelopeLabel([])).toBe('no envelope');
    expect(failureText({})).toBe('no reason recorded');
  });

  it('a message read from a queue: the same classification from its body and attributes', () => {
    const dlq = (fixture('eventbridge-rule-dlq') as { Messages: Array<{ Body: string; MessageAttributes: Record<string, { StringValue: string }> }> }).Messages[0]!;
    const attributes = Object.fromEntries(Object.entries(dlq.MessageAttributes).map(([k, v]) => [k, v.StringValue]));
    const unwrapped = unwrapMessage({ body: dlq.Body, attributes });
    expect(unwrapped).toMatchObject({ envelopes: ['eventbridge-dead-letter'], location: [], failure: { retries: 7 } });
    // The on-failure queue's messages carry no attributes: the body itself is the envelope.
    const failed = fixture('lambda-on-failure') as { Body: string };
    expect(unwrapMessage({ body: failed.Body, attributes: {} }).envelopes).toEqual(['sqs-message', 'lambda-failure']);
  });
});

describe('what cannot be unwrapped is named by its field', () => {
  it('a body that is not JSON', () => {
    const err = thrown(() => unwrapMessage({ body: '{"version": "0", "id": ', attributes: { RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/x' } }));
    expect(err.field).toBe('(root)');
    expect(err.message).toMatch(/expected JSON \(an EventBridge event or a Lifeguard continuation\) but it does not parse/);
    const inFile = thrown(() => unwrapDocument({ Messages: [{ Body: 'hello' }] }));
    expect(inFile.message).toMatch(/^Messages\.0\.Body: expected JSON/);
  });

  it('a payload Scheduler truncated', () => {
    const err = thrown(() => unwrapMessage({ body: '{"lifeguard-continuation":{', attributes: { SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:123456789012:schedule/g/s', IS_PAYLOAD_TRUNCATED: 'true' } }));
    expect(err.message).toMatch(/Scheduler truncated this one \(IS_PAYLOAD_TRUNCATED\)/);
  });

  it('an on-failure record without a requestPayload object', () => {
    const err = thrown(() => unwrapDocument({ requestContext: { condition: 'RetriesExhausted' }, requestPayload: 'i-0aaa1111bbbb22220' }));
    expect(err.field).toBe('requestPayload');
    expect(err.message).toBe('requestPayload: expected an object (got "i-0aaa1111bbbb22220")');
  });

  it('a receive-message output with several messages, or none', () => {
    const two = { Messages: [{ Body: '{}' }, { Body: '{}' }] };
    expect(thrown(() => unwrapDocument(two)).message).toBe('Messages: expected exactly one message (put each in a file of its own) (got a list of 2)');
    expect(thrown(() => unwrapDocument({ Records: [] })).field).toBe('Records');
  });

  it('a malformed event inside an envelope: the field from the top of the document', () => {
    const spot = event('spot-interruption-terminate');
    const body = JSON.stringify({ ...spot, detail: { 'instance-action': 'terminate' } });
    const { payload, location } = unwrapDocument({ Messages: [{ Body: body, MessageAttributes: {} }] });
    const err = thrown(() => readPayload(payload, location));
    expect(err.field).toBe('Messages.0.Body.detail.instance-id');
    expect(err.message).toMatch(/^Messages\.0\.Body\.detail\.instance-id: expected a string \(got nothing\)$/);
  });

  it('an event Lifeguard does not act on stays unsupported, wherever it is', () => {
    const running = { ...event('state-change-stopping'), 'detail-type': 'EC2 Instance Launch Successful', source: 'aws.autoscaling' };
    const err = thrown(() => readPayload(running, ['Body']));
    expect(err).toBeInstanceOf(UnsupportedEventError);
    expect(err.field).toBe('Body.detail-type');
  });

  it('a continuation naming an instance its event does not have', () => {
    const record = fixture('lambda-on-failure-record') as { requestPayload: { 'lifeguard-continuation': Record<string, unknown> } };
    const wrong = { 'lifeguard-continuation': { ...record.requestPayload['lifeguard-continuation'], instanceId: 'i-0fff1111bbbb22220' } };
    const err = thrown(() => readPayload(wrong, ['requestPayload']));
    expect(err.field).toBe('requestPayload.lifeguard-continuation.instanceId');
    expect(err.message).toMatch(/expected an instance of its event, i-0aaa1111bbbb22220 \(got "i-0fff1111bbbb22220"\)/);
    const typo = { 'lifeguard-continuation': { ...record.requestPayload['lifeguard-continuation'], type: 'resume-drian' } };
    expect(thrown(() => readPayload(typo)).field).toBe('lifeguard-continuation.type');
  });

  it('a document that is no object at all', () => {
    expect(thrown(() => unwrapDocument(['not', 'an', 'event'])).message).toBe('(root): expected an object (got a list of 3)');
  });
});
