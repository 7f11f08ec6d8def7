import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_BATCH_LIMIT, type BatchOutcome, type MessageQueue, type ReceivedMessage } from './ports.ts';
import { LifeguardError } from '../util/errors.ts';

/**
 * MessageQueue over the SQS API. Batch entry ids must be at most 80 characters of [A-Za-z0-9_-] and
 * unique in the call: callers' ids are mapped to `e0`…`e9` here and back, so any id will do. IAM
 * has no actions of their own for the batch calls: sqs:SendMessage and sqs:DeleteMessage allow
 * SendMessageBatch and DeleteMessageBatch (SQS Developer Guide, "Amazon SQS batch actions").
 */
export class SqsMessageQueue implements MessageQueue {
  constructor(private readonly client: SQSClient) {}

  async receive(queueUrl: string, options: { max: number; visibilityTimeoutSeconds: number }): Promise<ReceivedMessage[]> {
    const response = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(SQS_BATCH_LIMIT, Math.max(1, options.max)),
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        // Short polling: answer at once, so a read of an emptied queue ends.
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return (response.Messages ?? []).flatMap((m): ReceivedMessage[] => {
      if (!m.MessageId || !m.ReceiptHandle) return [];
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
        if (value.StringValue !== undefined) attributes[name] = value.StringValue;
      }
      const receiveCount = Number(m.Attributes?.ApproximateReceiveCount);
      const sentAt = Number(m.Attributes?.SentTimestamp);
      return [
        {
          messageId: m.MessageId,
          receiptHandle: m.ReceiptHandle,
          body: m.Body ?? '',
          attributes,
          ...(Number.isFinite(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
          ...(Number.isFinite(sentAt) && sentAt > 0 ? { sentAt } : {}),
        },
      ];
    });
  }

  send(queueUrl: string, messages: ReadonlyArray<{ id: string; body: string }>): Promise<BatchOutcome> {
    return batch(messages, (entry) => ({ MessageBody: entry.body }), (Entries) => this.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries })));
  }

  delete(queueUrl: string, messages: ReadonlyArray<{ id: string; receiptHandle: string }>): Promise<BatchOutcome> {
    return batch(messages, (entry) => ({ ReceiptHandle: entry.receiptHandle }), (Entries) => this.client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries })));
  }
}

type BatchAnswer = { Successful?: Array<{ Id?: string | undefined }> | undefined; Failed?: Array<{ Id?: string | undefined; Code?: string | undefined; Message?: string | undefined }> | undefined };

/** One batch call: the callers' entries as `e0`…`e9` (at most SQS_BATCH_LIMIT), and SQS's answer per entry back under the callers' ids. */
async function batch<M extends { id: string }, E>(messages: ReadonlyArray<M>, entry: (message: M) => E, call: (entries: Array<E & { Id: string }>) => Promise<BatchAnswer>): Promise<BatchOutcome> {
  if (messages.length === 0) return { ok: [], failed: [] };
  const ids = checkBatch(messages);
  const response = await call(messages.map((m, i) => ({ Id: `e${i}`, ...entry(m) })));
  return outcome(ids, response.Successful ?? [], response.Failed ?? []);
}

/** A batch call asked of SQS beyond what one call takes. */
export class SqsBatchError extends LifeguardError {}

function checkBatch(messages: ReadonlyArray<{ id: string }>): string[] {
  if (messages.length > SQS_BATCH_LIMIT) throw new SqsBatchError(`an SQS batch holds at most ${SQS_BATCH_LIMIT} entries, got ${messages.length}`);
  return messages.map((m) => m.id);
}

/** Maps SQS's per-entry answer back to the callers' ids; an entry SQS did not mention counts as failed. */
function outcome(ids: string[], successful: Array<{ Id?: string | undefined }>, failed: Array<{ Id?: string | undefined; Code?: string | undefined; Message?: string | undefined }>): BatchOutcome {
  const byEntry = (entryId: string | undefined) => (entryId?.startsWith('e') ? ids[Number(entryId.slice(1))] : undefined);
  const ok = successful.map((s) => byEntry(s.Id)).filter((id): id is string => id !== undefined);
  const reasons = new Map(failed.map((f) => [byEntry(f.Id), [f.Code, f.Message].filter(Boolean).join(': ') || 'failed, no reason given']));
  return {
    ok,
    failed: ids.filter((id) => !ok.includes(id)).map((id) => ({ id, reason: reasons.get(id) ?? 'not in the answer of SQS' })),
  };
}
