import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../../lib/aws/sqs-queue.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { InMemoryQueues } from '../../../sandbox/aws/in-memory-queues.ts';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionDeadLetterQueue-1A2B3C';
const queue = () => new SqsMessageQueue(new SQSClient({ region: 'us-east-1' }));

describe('SqsMessageQueue', () => {
  it('receives without waiting, with the visibility timeout, every message attribute and the receive count', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'h-1',
          Body: '{"id":"e-1"}',
          Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1773480713000' },
          MessageAttributes: {
            RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:123456789012:rule/r' },
            ErrorCode: { DataType: 'Number', StringValue: '429' },
            Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) },
          },
        },
        { ReceiptHandle: 'no-id' },
      ],
    });
    const messages = await queue().receive(URL, { max: 25, visibilityTimeoutSeconds: 30 });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: URL,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    });
    expect(messages).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'h-1',
        body: '{"id":"e-1"}',
        attributes: { RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/r', ErrorCode: '429' },
        receiveCount: 3,
        sentAt: 1773480713000,
      },
    ]);
  });

  it('an empty queue answers no Messages at all', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});
    expect(await queue().receive(URL, { max: 1, visibilityTimeoutSeconds: 30 })).toEqual([]);
  });

  it('sends and deletes in one batch call each, mapping SQS’s entry ids back to the caller’s', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: 'e0', MessageId: 'n-0', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: 'e1', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad character' }],
    });
    const sent = await queue().send(URL, [
      { id: 'message/with:characters SQS refuses in an entry id', body: '{"a":1}' },
      { id: 'second', body: '{"b":2}' },
      { id: 'third', body: '{"c":3}' },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries).toEqual([
      { Id: 'e0', MessageBody: '{"a":1}' },
      { Id: 'e1', MessageBody: '{"b":2}' },
      { Id: 'e2', MessageBody: '{"c":3}' },
    ]);
    expect(sent).toEqual({
      ok: ['message/with:characters SQS refuses in an entry id'],
      failed: [
        { id: 'second', reason: 'InvalidMessageContents: bad character' },
        { id: 'third', reason: 'not in the answer of SQS' },
      ],
    });

    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: 'e0' }], Failed: [] });
    expect(await queue().delete(URL, [{ id: 'x', receiptHandle: 'h-1' }])).toEqual({ ok: ['x'], failed: [] });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input).toEqual({ QueueUrl: URL, Entries: [{ Id: 'e0', ReceiptHandle: 'h-1' }] });
  });

  it('refuses a batch SQS would refuse, and sends no empty one', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: String(i), body: '{}' }));
    await expect(queue().send(URL, eleven)).rejects.toThrow(/at most 10 entries, got 11/);
    expect(await queue().delete(URL, [])).toEqual({ ok: [], failed: [] });
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('InMemoryQueues', () => {
  it('hides what it hands out for the visibility timeout, then hands it out again with a new receipt handle', async () => {
    const clock = new VirtualClock();
    const queues = new InMemoryQueues(clock).create(URL);
    queues.put(URL, { body: 'a' });
    queues.put(URL, { body: 'b', attributes: { RULE_ARN: 'r' } });
    const first = await queues.receive(URL, { max: 10, visibilityTimeoutSeconds: 30 });
    expect(first.map((m) => [m.body, m.receiveCount])).toEqual([['a', 1], ['b', 1]]);
    expect(first[1]!.attributes).toEqual({ RULE_ARN: 'r' });
    expect(await queues.receive(URL, { max: 10, visibilityTimeoutSeconds: 30 })).toEqual([]);
    await clock.runUntil(clock.now() + 30_000);
    const again = await queues.receive(URL, { max: 1, visibilityTimeoutSeconds: 30 });
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([['a', 2]]);
    // Only the latest receive's handle deletes.
    expect(await queues.delete(URL, [{ id: 'old', receiptHandle: first[0]!.receiptHandle }])).toMatchObject({ ok: [], failed: [{ id: 'old', reason: expect.stringMatching(/ReceiptHandleIsInvalid/) }] });
    expect(await queues.delete(URL, [{ id: 'new', receiptHandle: again[0]!.receiptHandle }])).toEqual({ ok: ['new'], failed: [] });
    expect(queues.messages(URL).map((m) => m.body)).toEqual(['b']);
  });

  it('answers as SQS does to a bad request, an unknown queue, and a refused entry', async () => {
    const queues = new InMemoryQueues(new VirtualClock()).create(URL);
    await expect(queues.receive(URL, { max: 11, visibilityTimeoutSeconds: 30 })).rejects.toThrow(/MaxNumberOfMessages must be 1 to 10/);
    await expect(queues.send(URL, [])).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    await expect(queues.send(URL, [{ id: 'a', body: '1' }, { id: 'a', body: '2' }])).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(queues.receive(`${URL}-gone`, { max: 1, visibilityTimeoutSeconds: 30 })).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    queues.failSend = (_url, body) => (body === 'no' ? 'KMS.AccessDeniedException: no' : undefined);
    expect(await queues.send(URL, [{ id: 'y', body: 'yes' }, { id: 'n', body: 'no' }])).toEqual({ ok: ['y'], failed: [{ id: 'n', reason: 'KMS.AccessDeniedException: no' }] });
    expect(queues.messages(URL).map((m) => m.body)).toEqual(['yes']);
  });
});
