import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const runRedrive = cliCommand('redrive');
import type { Clock } from '../../../lib/util/clock.ts';
import { InMemorySelfInvoker } from '../../../sandbox/aws/in-memory-ports.ts';
import { InMemoryQueues } from '../../../sandbox/aws/in-memory-queues.ts';
import { captureIo } from './capture.ts';

// `lifeguard redrive` against in-memory SQS and Lambda: what an operator sees, and what is left behind.
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionDeadLetterQueue-1A2B3C';
const FAILURES = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionFailureQueue-4D5E6F';
const NOTICES = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionNoticeQueue-7G8H9I';

const message = (name: string) => {
  const doc = JSON.parse(readFileSync(`test/fixtures/dead-letters/${name}.json`, 'utf8')) as { Messages?: unknown[] };
  const m = (doc.Messages?.[0] ?? doc) as { Body: string; MessageAttributes?: Record<string, { StringValue: string }> };
  return { body: m.Body, attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])) };
};
const clock: Clock = { now: () => Date.parse('2026-03-20T10:00:00Z'), sleep: async () => {}, io: (work) => work() };

function aws() {
  const queues = new InMemoryQueues(clock).create(DLQ).create(FAILURES).create(NOTICES);
  const invokers = new Map<string, InMemorySelfInvoker>();
  const invokerFor = (name: string) => invokers.get(name) ?? invokers.set(name, new InMemorySelfInvoker(clock, () => {})).get(name)!;
  return { queues, invokers, deps: { queues, invokerFor, clock } };
}

describe('lifeguard redrive', () => {
  it('--dry-run prints a line per message, sends and deletes nothing, exit 0', async () => {
    const { queues, deps } = aws();
    queues.put(DLQ, message('eventbridge-rule-dlq'));
    queues.put(DLQ, message('scheduler-dlq'));
    const io = captureIo();
    expect(await runRedrive(['--queue', DLQ, '--dry-run'], { ...io.io, ...deps, env: {} })).toBe(0);
    expect(io.out).toEqual([
      `reading ${DLQ} (dry run: nothing is sent or deleted)`,
      expect.stringMatching(
        /^would replay {2}\S+ {2}EventBridge rule DLQ: aws\.ec2 \/ EC2 Spot Instance Interruption Warning, i-0aaa1111bbbb22220, event at 2026-03-14T09:26:53\.000Z; failed: THROTTLING: Rate Exceeded\. .*\(MaximumEventAgeInSeconds reached\) \(7 retries; arn:aws:events:us-east-1:123456789012:rule\/lifeguard-dev-SpotInterruptionRule-1A2B3C4D5E6F\)$/,
      ),
      expect.stringMatching(/^would replay {2}\S+ {2}Scheduler DLQ: continuation scheduled-drain \(aws\.health \/ AWS Health Event\), ip-10-0-1-10\.ec2\.internal \(i-0aaa1111bbbb22220\), event at 2026-03-02T17:05:11\.000Z; failed: AWS\.Lambda\.TooManyRequestsException/),
      '2 read: 2 would be replayed',
      'what was read and left is hidden from other readers for 30 s (--visibility-timeout), then visible again',
    ]);
    expect(queues.messages(NOTICES)).toEqual([]);
    expect(queues.messages(DLQ)).toHaveLength(2);
  });

  it('replays to the notice queue named by $LIFEGUARD_NOTICE_QUEUE_URL and empties the dead-letter queue, exit 0', async () => {
    const { queues, deps } = aws();
    queues.put(DLQ, message('notice-queue-dlq'));
    const io = captureIo();
    expect(await runRedrive(['--queue', DLQ, '--json'], { ...io.io, ...deps, env: { LIFEGUARD_NOTICE_QUEUE_URL: NOTICES } })).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report).toMatchObject({ source: DLQ, target: `queue ${NOTICES}`, read: 1, counts: { replayed: 1 } });
    expect(JSON.parse(queues.messages(NOTICES)[0]!.body)).toMatchObject({ 'detail-type': 'EC2 Instance Rebalance Recommendation' });
    expect(queues.messages(DLQ)).toEqual([]);
  });

  it('--to-function invokes the function with the payload of an on-failure record', async () => {
    const { queues, invokers, deps } = aws();
    queues.put(FAILURES, message('lambda-on-failure'));
    const io = captureIo();
    expect(await runRedrive(['--queue', FAILURES, '--to-function', 'lifeguard-dev-interruption'], { ...io.io, ...deps, env: { LIFEGUARD_NOTICE_QUEUE_URL: NOTICES } })).toBe(0);
    expect(invokers.get('lifeguard-dev-interruption')!.invocations.map((i) => i.payload)).toEqual([
      JSON.parse(readFileSync('test/fixtures/events/state-change-shutting-down.json', 'utf8')),
    ]);
    expect(io.out[0]).toBe(`replaying ${FAILURES} to function lifeguard-dev-interruption`);
    expect(io.out[1]).toMatch(/^replayed {2}\S+ {2}Lambda on-failure record: aws\.ec2 \/ EC2 Instance State-change Notification, i-0aaa1111bbbb22222, .*failed: RetriesExhausted: HttpError: .* \(3 invocations; arn:aws:lambda:/);
    expect(queues.messages(FAILURES)).toEqual([]);
    expect(queues.messages(NOTICES)).toEqual([]);
  });

  it('exits 1 and says so when a message is left behind: one that does not unwrap, one the target refused', async () => {
    const { queues, deps } = aws();
    queues.put(DLQ, { body: '{"oops"', attributes: { RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/r' } });
    queues.put(DLQ, message('eventbridge-rule-dlq'));
    queues.failSend = () => 'AccessDenied: sqs:SendMessage';
    const io = captureIo();
    expect(await runRedrive(['--queue', DLQ, '--to', NOTICES], { ...io.io, ...deps, env: {} })).toBe(1);
    expect(io.out.slice(1, 3)).toEqual([
      expect.stringMatching(/^left \(not replayable\) {2}\S+ {2}— \(root\): expected JSON/),
      expect.stringMatching(/^left \(send failed\) {2}\S+ {2}EventBridge rule DLQ: .* — the target refused it: AccessDenied: sqs:SendMessage$/),
    ]);
    expect(io.out[3]).toBe('2 read: 0 replayed, 1 refused by the target (left in the queue), 1 not replayable (left in the queue: fix or delete them by hand, see `lifeguard handle FILE --validate-only`)');
    expect(queues.messages(DLQ)).toHaveLength(2);
  });

  it('says an empty queue is empty, exit 0; a queue it cannot read is a failure, exit 1', async () => {
    const { deps } = aws();
    const io = captureIo();
    expect(await runRedrive(['--queue', DLQ, '--dry-run'], { ...io.io, ...deps, env: {} })).toBe(0);
    expect(io.out[1]).toMatch(/^the queue is empty/);
    const gone = captureIo();
    expect(await runRedrive(['--queue', `${DLQ}-gone`, '--dry-run'], { ...gone.io, ...deps, env: {} })).toBe(1);
    expect(gone.stderr()).toMatch(/^lifeguard redrive: receiving from .*-gone failed: The specified queue does not exist/);
  });

  it('stops at --max and says the queue may hold more', async () => {
    const { queues, deps } = aws();
    for (let i = 0; i < 3; i++) queues.put(DLQ, message('notice-queue-dlq'));
    const io = captureIo();
    expect(await runRedrive(['--queue', DLQ, '--to', NOTICES, '--max', '2'], { ...io.io, ...deps, env: {} })).toBe(0);
    expect(io.out).toContain('stopped at --max 2: the queue may hold more');
    expect(queues.messages(DLQ)).toHaveLength(1);
  });
});
