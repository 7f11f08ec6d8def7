import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsNoticeQueue } from '../../../lib/aws/notice-queue.ts';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-notices';

describe('SqsNoticeQueue', () => {
  it('brings a received notice back after the given delay (ChangeMessageVisibility on its receipt handle)', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsNoticeQueue({ region: 'us-east-1', queueUrl }).retryLater('AQEB-handle', 20);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toEqual({ QueueUrl: queueUrl, ReceiptHandle: 'AQEB-handle', VisibilityTimeout: 20 });
  });

  it('sends a continuation to the queue as a notice, its payload the message body', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const payload = { 'lifeguard-continuation': { type: 'resume-drain', nodeName: 'ip-10-0-1-10.ec2.internal', round: 1 } };
    await new SqsNoticeQueue({ region: 'us-east-1', queueUrl }).invoke(payload);
    const input = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(input.QueueUrl).toBe(queueUrl);
    expect(JSON.parse(input.MessageBody!)).toEqual(payload);
  });

  it('lets a refusal through, for the caller to handle', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied: not authorized to perform sqs:SendMessage'));
    await expect(new SqsNoticeQueue({ region: 'us-east-1', queueUrl }).invoke({})).rejects.toThrow(/sqs:SendMessage/);
  });
});
