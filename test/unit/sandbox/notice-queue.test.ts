import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { failedIds, SimulatedEventSourceMapping } from '../../../sandbox/scenario/event-source-mapping.ts';
import { SimulatedLambda } from '../../../sandbox/scenario/lambda.ts';
import { SimulatedQueue } from '../../../sandbox/scenario/sqs-queue.ts';

const origin = { trigger: 'event' as const, step: 0 };

describe('SimulatedQueue (SQS standard queue)', () => {
  it('hides a received message for the visibility timeout, deletes it only by its latest receipt handle, and brings it back sooner on ChangeMessageVisibility', async () => {
    const clock = new VirtualClock(0);
    const queue = new SimulatedQueue({ clock, visibilityTimeoutMs: 30_000, maxReceiveCount: 5 });
    queue.send('a', origin);
    const [first] = queue.receive(10);
    expect(first).toMatchObject({ body: 'a', receiveCount: 1 });
    const firstHandle = first!.receiptHandle!;
    expect(queue.receive(10)).toEqual([]);

    await clock.runUntil(30_000);
    const [again] = queue.receive(10);
    expect(again!.receiveCount).toBe(2);
    // The first receive's handle is stale: it deletes nothing.
    expect(queue.delete(firstHandle)).toBe(false);

    queue.changeVisibility(again!.receiptHandle!, 5);
    await clock.runUntil(35_000);
    const [third] = queue.receive(10);
    expect(third!.receiveCount).toBe(3);
    expect(queue.delete(third!.receiptHandle!)).toBe(true);
    expect(queue.size).toBe(0);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue instead of delivering it again', async () => {
    const clock = new VirtualClock(0);
    const dead: string[] = [];
    const queue = new SimulatedQueue({ clock, visibilityTimeoutMs: 1_000, maxReceiveCount: 2, onDeadLetter: (m) => dead.push(m.body) });
    queue.send('poison', origin);
    queue.receive(1);
    await clock.runUntil(1_000);
    queue.receive(1);
    await clock.runUntil(2_000);
    expect(queue.receive(1)).toEqual([]);
    expect(dead).toEqual(['poison']);
    expect(queue.deadLetters.map((m) => m.receiveCount)).toEqual([2]);
  });
});

describe('partial batch responses, as Lambda reads them', () => {
  const batch = { messages: [{ id: 'a' }, { id: 'b' }] } as never;
  it('names the failed messages; nothing, an empty or a null list means none failed; an unknown or missing id fails the whole batch', () => {
    expect(failedIds(batch, { batchItemFailures: [{ itemIdentifier: 'b' }] })).toEqual(new Set(['b']));
    expect(failedIds(batch, { response: { batchItemFailures: [{ itemIdentifier: 'a' }] } })).toEqual(new Set(['a']));
    expect(failedIds(batch, undefined)).toEqual(new Set());
    expect(failedIds(batch, { batchItemFailures: [] })).toEqual(new Set());
    expect(failedIds(batch, { batchItemFailures: null })).toEqual(new Set());
    expect(failedIds(batch, { batchItemFailures: [{ itemIdentifier: 'z' }] })).toBe('all');
    expect(failedIds(batch, { batchItemFailures: [{ itemIdentifier: '' }] })).toBe('all');
    expect(failedIds(batch, { batchItemFailures: [{ id: 'a' }] })).toBe('all');
  });
});

/** A queue, its event source mapping and a function that answers each batch with `answer`. */
function mapping(options: { batchSize: number; batchingWindowMs: number; answer?: (event: SQSEvent) => unknown; concurrency?: number }) {
  const clock = new VirtualClock(0);
  const batches: Array<{ at: number; size: number }> = [];
  const lambda = new SimulatedLambda({
    clock,
    timeoutMs: 900_000,
    maxRetries: 2,
    concurrency: options.concurrency ?? 1000,
    coldStartMs: 0,
    scalingPer10Seconds: 1000,
    maxEventAgeMs: 21_600_000,
    environment: () => async (payload) => {
      const event = payload as SQSEvent;
      batches.push({ at: clock.now(), size: event.Records.length });
      return options.answer?.(event) ?? { batchItemFailures: [] };
    },
  });
  const queue: SimulatedQueue = new SimulatedQueue({ clock, visibilityTimeoutMs: 60_000, maxReceiveCount: 3, onVisible: () => esm.poke() });
  const esm: SimulatedEventSourceMapping = new SimulatedEventSourceMapping({
    clock,
    queue,
    lambda,
    batchSize: options.batchSize,
    batchingWindowMs: options.batchingWindowMs,
    initialConcurrency: 5,
    scalingPerMinute: 300,
    maxConcurrentBatches: 1000,
    queueArn: 'arn:aws:sqs:us-east-1:123456789012:notices',
    region: 'us-east-1',
  });
  return { clock, queue, esm, batches };
}

describe('SimulatedEventSourceMapping', () => {
  it('a lone notice waits the batching window; a full batch goes at once', async () => {
    const { clock, queue, batches } = mapping({ batchSize: 3, batchingWindowMs: 2_000 });
    queue.send('lone', origin);
    await clock.runUntil(5_000);
    expect(batches).toEqual([{ at: 2_000, size: 1 }]);
    for (const body of ['a', 'b', 'c']) queue.send(body, origin);
    await clock.runUntil(8_000);
    // Five pollers were free: the three arrivals started batches of their own, each waiting its window.
    expect(batches.slice(1)).toEqual(Array(3).fill({ at: 7_000, size: 1 }));
  });

  it('with every poller gathering, later notices fill the batches, which go as soon as they are full', async () => {
    const { clock, queue, batches } = mapping({ batchSize: 4, batchingWindowMs: 10_000 });
    for (let i = 0; i < 20; i++) queue.send(`n${i}`, origin);
    await clock.runUntil(1_000);
    expect(batches).toEqual(Array(5).fill({ at: 0, size: 4 }));
    expect(queue.size).toBe(0);
  });

  it('deletes what succeeded and leaves the failures to come back after their visibility timeout', async () => {
    const answer = (event: SQSEvent) => ({ batchItemFailures: event.Records.filter((r) => r.body === 'first').map((r) => ({ itemIdentifier: r.messageId })) });
    const { clock, queue, batches } = mapping({ batchSize: 10, batchingWindowMs: 1_000, answer });
    const failing = queue.send('first', origin);
    queue.send('second', origin);
    await clock.runUntil(2_000);
    expect(queue.size).toBe(1);
    await clock.runUntil(62_000);
    // Received at 0 (its batch went after the 1 s window), visible again at 60 s, in a batch of its own at 61 s.
    expect(batches).toEqual([{ at: 1_000, size: 1 }, { at: 1_000, size: 1 }, { at: 61_000, size: 1 }]);
    expect(failing.receiveCount).toBe(2);
  });
});
