import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MessageQueue } from '../../../lib/aws/ports.ts';
import { EMPTY_RECEIVE_PAUSE_MS, EMPTY_RECEIVES_TO_STOP, needsAttention, redrive, type RedriveRequest } from '../../../lib/dead-letters/redrive.ts';
import { functionTarget, queueTarget } from '../../../lib/dead-letters/targets.ts';
import { unwrapDocument } from '../../../lib/dead-letters/unwrap.ts';
import type { Clock } from '../../../lib/util/clock.ts';
import { InMemorySelfInvoker } from '../../../sandbox/aws/in-memory-ports.ts';
import { InMemoryQueues } from '../../../sandbox/aws/in-memory-queues.ts';

const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionDeadLetterQueue-1A2B3C';
const NOTICES = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionNoticeQueue-9Z8Y7X';
const FIXTURES = ['eventbridge-rule-dlq', 'scheduler-dlq', 'lambda-on-failure', 'notice-queue-dlq', 'sqs-event-record'];

const fixture = (name: string): unknown => JSON.parse(readFileSync(`test/fixtures/dead-letters/${name}.json`, 'utf8'));

/** A fixture as the message a queue holds: its body and string attributes, whichever shape the file has. */
function asQueued(document: unknown): { body: string; attributes: Record<string, string> } {
  const doc = document as Record<string, unknown>;
  const one = (doc.Messages ?? doc.Records) as unknown[] | undefined;
  const m = (one ? one[0] : doc) as { Body?: string; body?: string; MessageAttributes?: Record<string, { StringValue?: string }>; messageAttributes?: Record<string, { stringValue?: string }> };
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) if (v.StringValue !== undefined) attributes[k] = v.StringValue;
  for (const [k, v] of Object.entries(m.messageAttributes ?? {})) if (v.stringValue !== undefined) attributes[k] = v.stringValue;
  return { body: (m.Body ?? m.body)!, attributes };
}

/** The payload each fixture unwraps to, as the target must receive it. */
const payloadOf = (name: string) => unwrapDocument(fixture(name)).payload;

/** A clock that moves only when slept on (the in-memory queue reads it for visibility timeouts). */
function steppingClock() {
  let now = Date.parse('2026-03-20T10:00:00Z');
  const slept: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    io: (work) => work(),
  };
  return { clock, slept };
}

function world(names: string[] = FIXTURES) {
  const { clock, slept } = steppingClock();
  const queues = new InMemoryQueues(clock).create(DLQ).create(NOTICES);
  const ids = names.map((name) => queues.put(DLQ, asQueued(fixture(name))));
  const request = (extra: Partial<RedriveRequest> = {}): RedriveRequest => ({
    queue: queues,
    source: DLQ,
    target: queueTarget(queues, NOTICES),
    dryRun: false,
    max: 100,
    visibilityTimeoutSeconds: 30,
    clock,
    ...extra,
  });
  return { queues, ids, request, slept };
}

describe('redrive', () => {
  it('--dry-run shows what every envelope holds, sends nothing and deletes nothing', async () => {
    const { queues, request } = world();
    const report = await redrive(request({ dryRun: true }));
    expect(report.entries.map((e) => [e.outcome, e.summary?.envelope])).toEqual([
      ['would-replay', 'EventBridge rule DLQ'],
      ['would-replay', 'Scheduler DLQ'],
      ['would-replay', 'Lambda on-failure record'],
      ['would-replay', 'SQS message'],
      // Read from a queue, the Lambda event's record is a message like any other.
      ['would-replay', 'SQS message'],
    ]);
    expect(report.entries.map((e) => e.summary?.subject)).toEqual([
      'i-0aaa1111bbbb22220',
      'ip-10-0-1-10.ec2.internal (i-0aaa1111bbbb22220)',
      'i-0aaa1111bbbb22222',
      'i-0aaa1111bbbb22220',
      expect.stringMatching(/^i-/),
    ]);
    expect(report).toMatchObject({ read: 5, stoppedAtMax: false, dryRun: true });
    expect(queues.messages(NOTICES)).toEqual([]);
    expect(queues.messages(DLQ)).toHaveLength(5);
  });

  it('sends each unwrapped payload to the queue, then deletes it from the dead-letter queue', async () => {
    const { queues, request } = world();
    const report = await redrive(request());
    expect(report.entries.every((e) => e.outcome === 'replayed')).toBe(true);
    expect(queues.messages(NOTICES).map((m) => JSON.parse(m.body))).toEqual(FIXTURES.map(payloadOf));
    expect(queues.messages(DLQ)).toEqual([]);
    expect(report.entries.some(needsAttention)).toBe(false);
  });

  it('invokes the function with each payload when the target is the function', async () => {
    const { queues, request, slept } = world(['scheduler-dlq', 'lambda-on-failure']);
    const invoker = new InMemorySelfInvoker(request().clock, () => {});
    const report = await redrive(request({ target: functionTarget(invoker, 'lifeguard-dev-interruption') }));
    expect(report.target).toBe('function lifeguard-dev-interruption');
    expect(invoker.invocations.map((i) => i.payload)).toEqual([payloadOf('scheduler-dlq'), payloadOf('lambda-on-failure')]);
    expect(queues.messages(DLQ)).toEqual([]);
    expect(slept).toEqual(Array(EMPTY_RECEIVES_TO_STOP - 1).fill(EMPTY_RECEIVE_PAUSE_MS));
  });

  it('leaves a message the target refused in the dead-letter queue, and deletes the others', async () => {
    const { queues, ids, request } = world(['eventbridge-rule-dlq', 'notice-queue-dlq']);
    queues.failSend = (_url, body) => (body.includes('Rebalance') ? 'KMS.AccessDeniedException: the queue key refuses you' : undefined);
    const report = await redrive(request());
    expect(report.entries.map((e) => [e.messageId, e.outcome])).toEqual([
      [ids[0], 'replayed'],
      [ids[1], 'send-failed'],
    ]);
    expect(report.entries[1]!.problem).toBe('the target refused it: KMS.AccessDeniedException: the queue key refuses you');
    expect(queues.messages(DLQ).map((m) => m.messageId)).toEqual([ids[1]]);
    expect(queues.messages(NOTICES)).toHaveLength(1);
  });

  it('a target that fails as a whole deletes nothing', async () => {
    const { queues, request } = world(['eventbridge-rule-dlq', 'scheduler-dlq']);
    const down = { description: 'function gone', send: async () => Promise.reject(new Error('ResourceNotFoundException: Function not found')) };
    const report = await redrive(request({ target: down }));
    expect(report.entries.map((e) => e.outcome)).toEqual(['send-failed', 'send-failed']);
    expect(report.entries[0]!.problem).toMatch(/Function not found/);
    expect(queues.messages(DLQ)).toHaveLength(2);
  });

  it('reports a message sent but not deleted, so the operator knows a later redrive sends it again', async () => {
    const { queues, request } = world(['eventbridge-rule-dlq']);
    const noDeletes: MessageQueue = {
      receive: (url, options) => queues.receive(url, options),
      send: (url, messages) => queues.send(url, messages),
      delete: async () => Promise.reject(new Error('AccessDenied: sqs:DeleteMessage')),
    };
    const report = await redrive(request({ queue: noDeletes, target: queueTarget(queues, NOTICES) }));
    expect(report.entries[0]).toMatchObject({ outcome: 'replayed-not-deleted', problem: expect.stringMatching(/sent, but not deleted .*sqs:DeleteMessage/) });
    expect(queues.messages(NOTICES)).toHaveLength(1);
    expect(queues.messages(DLQ)).toHaveLength(1);
  });

  it('leaves what does not unwrap where it is, says why, and still replays the rest', async () => {
    const { queues, request } = world(['notice-queue-dlq']);
    const garbled = queues.put(DLQ, { body: 'Rate Exceeded.', attributes: { RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/r' } });
    const launch = queues.put(DLQ, { body: JSON.stringify({ ...(payloadOf('notice-queue-dlq') as object), 'detail-type': 'EC2 Instance Launch Successful', source: 'aws.autoscaling' }) });
    const report = await redrive(request());
    expect(report.entries.map((e) => e.outcome)).toEqual(['replayed', 'not-replayable', 'not-replayable']);
    expect(report.entries[1]).toMatchObject({ messageId: garbled, field: '(root)', problem: expect.stringMatching(/expected JSON/) });
    expect(report.entries[2]).toMatchObject({ messageId: launch, field: 'detail-type', problem: expect.stringMatching(/no parser for source "aws.autoscaling"/) });
    expect(queues.messages(DLQ).map((m) => m.messageId)).toEqual([garbled, launch]);
    expect(queues.messages(NOTICES)).toHaveLength(1);
    expect(report.entries.filter(needsAttention)).toHaveLength(2);
  });

  it('--max bounds the read: at most 10 a receive, never more than asked', async () => {
    const { queues, request } = world([]);
    for (let i = 0; i < 25; i++) queues.put(DLQ, asQueued(fixture('notice-queue-dlq')));
    const report = await redrive(request({ max: 12 }));
    expect(queues.receives.map((r) => r.returned)).toEqual([10, 2]);
    expect(report).toMatchObject({ read: 12, stoppedAtMax: true });
    expect(queues.messages(DLQ)).toHaveLength(13);
    expect(queues.messages(NOTICES)).toHaveLength(12);
  });

  it('a copy received again in the same run is not replayed twice', async () => {
    const { queues, request } = world(['eventbridge-rule-dlq', 'scheduler-dlq']);
    // With no visibility timeout every receive hands the same messages out again, as a redelivery would.
    const report = await redrive(request({ dryRun: true, visibilityTimeoutSeconds: 0, max: 6 }));
    expect(queues.receives.map((r) => r.returned)).toEqual([2, 2, 2]);
    expect(report.entries).toHaveLength(2);
    expect(report.read).toBe(2);
  });

  it('a receive that fails ends the read with the reason', async () => {
    const { request } = world([]);
    const report = await redrive(request({ source: `${DLQ}-gone` }));
    expect(report.error).toMatch(/^receiving from .*-gone failed: The specified queue does not exist/);
    expect(report.entries).toEqual([]);
  });
});
