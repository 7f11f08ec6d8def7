import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { NoticeQueue } from '../aws/ports.ts';
import { errorMessage, RetryLaterError } from '../util/errors.ts';
import { handleBatch, type BatchDeps, type ClusterTarget, type Delivery, type DeliveryResult } from './batch.ts';

/** The longest a failed notice waits before it comes back (it doubles per receive up to this). */
export const MAX_RETRY_DELAY_SECONDS = 900;

/** An event from Lambda's SQS event source mapping: records from the notice queue. */
export function isSqsBatch(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs');
}

export interface NoticeBatchOptions {
  /** Brings a failed notice back after its retry delay; without it, it comes back after the queue's visibility timeout. */
  queue?: NoticeQueue;
  /** A failed notice's first retry delay; doubled with each receive of the message, up to MAX_RETRY_DELAY_SECONDS. */
  retryDelaySeconds: number;
}

export interface NoticeBatchResult {
  /** The partial batch response (ReportBatchItemFailures): only the notices that failed come back. */
  response: SQSBatchResponse;
  /** What became of each record, in order. */
  results: DeliveryResult[];
}

/**
 * A batch of notices from the notice queue: each record's body is an EventBridge event (what every
 * interruption rule sends), or a continuation (a one-time schedule, a drain handed over, a
 * redriven dead letter). All of them are handled as one batch (batch.ts). Only a notice whose work
 * could not be done now is reported failed; it comes back after its own delay — the time its
 * error names (the next node LIST, the end of another invocation's lease), else a backoff doubling
 * with each receive — set with ChangeMessageVisibility, so a Spot warning is retried within
 * seconds, not after the queue's visibility timeout. A body that is not an event Lifeguard acts on
 * (not JSON, malformed, foreign) is reported ignored and not retried. When the clusters cannot be
 * reached at all, every notice fails the same way: the batch is retried, nothing is lost.
 */
export async function handleNoticeBatch(event: SQSEvent, connect: () => Promise<readonly ClusterTarget[]>, base: BatchDeps, options: NoticeBatchOptions): Promise<NoticeBatchResult> {
  const { log } = base;
  const receivedAt = base.clock.now();
  const records = event.Records;
  const read = records.map((record) => readRecord(record, base, receivedAt));
  const deliveries = read.filter((r): r is Delivery => 'body' in r);

  let handled: DeliveryResult[];
  try {
    handled = deliveries.length > 0 ? await handleBatch(deliveries, await connect(), base) : [];
  } catch (error) {
    log.error('the batch could not be handled; every notice in it is tried again', { notices: deliveries.length, error: errorMessage(error) });
    handled = deliveries.map((d) => ({ id: d.id, reports: [], error }));
  }
  const byId = new Map(handled.map((r) => [r.id, r]));
  const results = read.map((r) => ('body' in r ? byId.get(r.id)! : r));

  const failed = records.filter((_, i) => results[i]!.error !== undefined);
  await Promise.all(
    failed.map(async (record) => {
      const seconds = retryDelaySeconds(byId.get(record.messageId)!.error, receiveCount(record), options.retryDelaySeconds);
      if (!options.queue) return;
      try {
        await options.queue.retryLater(record.receiptHandle, seconds);
      } catch (error) {
        log.warn("could not set a failed notice's retry delay; it comes back after the queue's visibility timeout", { messageId: record.messageId, error: errorMessage(error) });
      }
    }),
  );
  if (failed.length > 0) log.warn(`${failed.length} of ${records.length} notice(s) failed and come back to be tried again`, { messageIds: failed.map((r) => r.messageId) });
  return { response: { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) }, results };
}

/** The record as a delivery, or (its body is not JSON) an ignored result. */
function readRecord(record: SQSRecord, base: BatchDeps, receivedAt: number): Delivery | DeliveryResult {
  try {
    return { id: record.messageId, body: JSON.parse(record.body) as unknown };
  } catch (error) {
    const reason = `the message body is not JSON: ${errorMessage(error)}`;
    base.log.warn('notice rejected: malformed', { reason, messageId: record.messageId });
    return { id: record.messageId, reports: [{ ignored: true, reason, field: 'body', dryRun: base.dryRun === true, receivedAt, instances: [] }] };
  }
}

const receiveCount = (record: SQSRecord): number => Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);

/**
 * When a failed notice should come back: the latest time its errors name (a RetryLaterError knows
 * when its answer can exist), else `first` doubled per earlier receive; at least 1 s, at most
 * MAX_RETRY_DELAY_SECONDS.
 */
export function retryDelaySeconds(error: unknown, receives: number, first: number): number {
  const errors = error instanceof AggregateError ? error.errors : [error];
  const backoff = first * 2 ** (receives - 1);
  const wanted = Math.max(...errors.map((e) => (e instanceof RetryLaterError ? Math.ceil(e.retryAfterMs / 1000) : backoff)));
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, wanted));
}
