import { SQS_BATCH_LIMIT, type BatchOutcome, type MessageQueue, type ReceivedMessage } from '../../lib/aws/ports.ts';
import type { Clock } from '../../lib/util/clock.ts';

interface Stored {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  receiveCount: number;
  /** Hidden from readers until then (the visibility timeout of the latest receive). */
  visibleAt: number;
  /** Only the latest receive's handle deletes the message. */
  receiptHandle?: string;
}

/** An error named as the SQS API names it, so callers see what they would see from AWS. */
const sqsError = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * SQS queues by URL, on an injected clock, behaving as SQS does where a reader can tell: a received
 * message is hidden for the visibility timeout and then visible again, each receive issues a new
 * receipt handle and only the latest one deletes, batches hold at most 10 entries with unique ids.
 * Not modelled: short polling's sampling of servers (every visible message is a candidate here).
 * `failSend` makes SendMessageBatch refuse chosen entries, as SQS does per entry.
 */
export class InMemoryQueues implements MessageQueue {
  private readonly queues = new Map<string, Stored[]>();
  private sequence = 0;
  /** Every ReceiveMessage asked for: the queue and how many messages it returned. */
  readonly receives: Array<{ queueUrl: string; returned: number }> = [];
  /** Entry bodies for which SendMessageBatch answers a per-entry failure with this reason. */
  failSend?: (queueUrl: string, body: string) => string | undefined;

  constructor(private readonly clock: Clock) {}

  create(queueUrl: string): this {
    if (!this.queues.has(queueUrl)) this.queues.set(queueUrl, []);
    return this;
  }

  /** Puts a message as a producer would (EventBridge, Scheduler, Lambda writing a dead letter). */
  put(queueUrl: string, message: { body: string; attributes?: Record<string, string> }): string {
    const messageId = `00000000-0000-4000-8000-${String(++this.sequence).padStart(12, '0')}`;
    this.queue(queueUrl).push({ messageId, body: message.body, attributes: { ...message.attributes }, sentAt: this.clock.now(), receiveCount: 0, visibleAt: 0 });
    return messageId;
  }

  /** What the queue holds, visible or not, oldest first. */
  messages(queueUrl: string): Array<{ messageId: string; body: string; attributes: Record<string, string>; receiveCount: number }> {
    return this.queue(queueUrl).map(({ messageId, body, attributes, receiveCount }) => ({ messageId, body, attributes, receiveCount }));
  }

  async receive(queueUrl: string, options: { max: number; visibilityTimeoutSeconds: number }): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(options.max) || options.max < 1 || options.max > SQS_BATCH_LIMIT) {
      throw sqsError('InvalidParameterValueException', `MaxNumberOfMessages must be 1 to ${SQS_BATCH_LIMIT}, got ${options.max}`);
    }
    const now = this.clock.now();
    const taken = this.queue(queueUrl)
      .filter((m) => m.visibleAt <= now)
      .slice(0, options.max);
    for (const m of taken) {
      m.receiveCount++;
      m.visibleAt = now + options.visibilityTimeoutSeconds * 1000;
      m.receiptHandle = `${m.messageId}#${m.receiveCount}`;
    }
    this.receives.push({ queueUrl, returned: taken.length });
    return taken.map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle!, body: m.body, attributes: { ...m.attributes }, receiveCount: m.receiveCount, sentAt: m.sentAt }));
  }

  async send(queueUrl: string, messages: ReadonlyArray<{ id: string; body: string }>): Promise<BatchOutcome> {
    this.checkBatch(messages);
    const queue = this.queue(queueUrl);
    const result: BatchOutcome = { ok: [], failed: [] };
    for (const m of messages) {
      const refused = this.failSend?.(queueUrl, m.body);
      if (refused) {
        result.failed.push({ id: m.id, reason: refused });
        continue;
      }
      queue.push({ messageId: `00000000-0000-4000-8000-${String(++this.sequence).padStart(12, '0')}`, body: m.body, attributes: {}, sentAt: this.clock.now(), receiveCount: 0, visibleAt: 0 });
      result.ok.push(m.id);
    }
    return result;
  }

  async delete(queueUrl: string, messages: ReadonlyArray<{ id: string; receiptHandle: string }>): Promise<BatchOutcome> {
    this.checkBatch(messages);
    const queue = this.queue(queueUrl);
    const result: BatchOutcome = { ok: [], failed: [] };
    for (const m of messages) {
      const index = queue.findIndex((s) => s.receiptHandle === m.receiptHandle);
      if (index < 0) {
        result.failed.push({ id: m.id, reason: 'ReceiptHandleIsInvalid: not the latest receipt handle of a message in the queue' });
        continue;
      }
      queue.splice(index, 1);
      result.ok.push(m.id);
    }
    return result;
  }

  private queue(queueUrl: string): Stored[] {
    const queue = this.queues.get(queueUrl);
    if (!queue) throw sqsError('QueueDoesNotExist', `The specified queue does not exist: ${queueUrl}`);
    return queue;
  }

  private checkBatch(entries: ReadonlyArray<{ id: string }>): void {
    if (entries.length === 0) throw sqsError('EmptyBatchRequest', 'There should be at least one entry in the request');
    if (entries.length > SQS_BATCH_LIMIT) throw sqsError('TooManyEntriesInBatchRequest', `at most ${SQS_BATCH_LIMIT} entries, got ${entries.length}`);
    if (new Set(entries.map((e) => e.id)).size !== entries.length) throw sqsError('BatchEntryIdsNotDistinct', 'two entries share an id');
  }
}
