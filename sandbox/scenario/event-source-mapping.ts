import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { Execution, SimulatedLambda } from './lambda.ts';
import type { QueueMessage, SimulatedQueue } from './sqs-queue.ts';

/**
 * Lambda's SQS event source mapping, as AWS documents it for a standard queue (figures in
 * docs/performance.md, "The notice queue"): pollers start with `initialConcurrency` (5) batches at
 * a time and, while messages keep waiting, add up to `scalingPerMinute` (300) more per minute, up to
 * `maxConcurrentBatches` (1,000) and the mapping's `maximumConcurrency`. A batch is what one
 * poller gathers: up to `batchSize` messages, for at most the batching window from its first
 * message (or until the 6 MB invocation payload is full); each ReceiveMessage takes at most 10. The
 * function is invoked synchronously with it; a throttled invocation (no concurrency left: reserved
 * concurrency) is retried with backoff until the messages' visibility timeout runs out, when they
 * go back to the queue. A partial batch response deletes every message but those it names; a
 * response naming a message the batch does not hold is a complete failure; an invocation that fails
 * or times out deletes nothing (its messages come back after their visibility timeout, or sooner if
 * the function changed it).
 */
export interface MappingOptions {
  clock: VirtualClock;
  queue: SimulatedQueue;
  lambda: SimulatedLambda;
  batchSize: number;
  batchingWindowMs: number;
  /** The mapping's ScalingConfig.MaximumConcurrency (unset: only the pollers' own limit). */
  maximumConcurrency?: number;
  initialConcurrency: number;
  scalingPerMinute: number;
  maxConcurrentBatches: number;
  /** The queue's ARN and region, as records carry them. */
  queueArn: string;
  region: string;
  onThrottle?: (batch: Batch) => void;
  /** The function began on the batch. */
  onStart?: (batch: Batch, execution: { id: string }) => void;
  /** The invocation of a batch ended: what it returned or why it failed. */
  onResult?: (batch: Batch, execution: Execution) => void;
  /** A request the pollers make to the queue with the function's role (for the sandbox's record of AWS calls). */
  onRequest?: (operation: 'ReceiveMessage' | 'DeleteMessageBatch') => void;
}

/** One poller's batch: the messages it received, from when. */
export interface Batch {
  messages: QueueMessage[];
  startedAt: number;
  bytes: number;
  throttles: number;
  cancelWindow?: () => void;
}

/** The synchronous invocation payload limit (6 MB), which also caps a batch. */
const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** SQS ReceiveMessage returns at most 10 messages per call. */
const RECEIVE_MAX = 10;
/** What a record adds to the payload besides its body (ids, handle, attributes), roughly. */
const RECORD_OVERHEAD_BYTES = 1024;
const THROTTLE_RETRY_FIRST_MS = 1_000;
const THROTTLE_RETRY_MAX_MS = 30_000;

export class SimulatedEventSourceMapping {
  private active = 0;
  private limit: number;
  private readonly gathering: Batch[] = [];
  private scaling: (() => void) | undefined;
  /** Which gathering batch receives first next time: pollers share what arrives, none is always first. */
  private turn = 0;
  /** Batches invoked (throttled tries not counted), throttled tries, batches whose invocation failed. */
  readonly stats = { batches: 0, throttled: 0, failedInvocations: 0, largestBatch: 0, peakConcurrentBatches: 0 };

  constructor(private readonly options: MappingOptions) {
    this.limit = options.initialConcurrency;
  }

  /** Work in progress: batches gathering, invoked or retrying, or messages waiting to be received. */
  get busy(): boolean {
    return this.active > 0 || this.options.queue.visible > 0;
  }

  /** Messages became visible, or a batch ended: start and fill batches while pollers are free. */
  poke(): void {
    const { queue } = this.options;
    // An idle poller is long-polling: a message that arrives goes to a new batch while one is free.
    while (this.active < this.cap() && queue.visible > 0) {
      const batch: Batch = { messages: [], startedAt: this.options.clock.now(), bytes: 0, throttles: 0 };
      this.active++;
      this.stats.peakConcurrentBatches = Math.max(this.stats.peakConcurrentBatches, this.active);
      this.gathering.push(batch);
      this.take(batch);
      if (this.full(batch) || this.options.batchingWindowMs === 0) this.invoke(batch);
      else batch.cancelWindow = this.options.clock.schedule(this.options.batchingWindowMs, () => this.invoke(batch));
    }
    // Then every gathering batch takes its share of what is left, a receive at a time, in turn.
    for (let progress = true; progress && queue.visible > 0; ) {
      progress = false;
      const order = [...this.gathering];
      for (let i = 0; i < order.length && queue.visible > 0; i++) {
        const batch = order[(this.turn + i) % order.length]!;
        if (this.take(batch) > 0) progress = true;
        if (this.full(batch)) this.invoke(batch);
      }
      this.turn++;
    }
    if (queue.visible > 0) this.scaleUp();
    else if (this.active === 0) this.limit = this.options.initialConcurrency;
  }

  private cap(): number {
    return Math.min(this.limit, this.options.maxConcurrentBatches, this.options.maximumConcurrency ?? Infinity);
  }

  private hardCap(): number {
    return Math.min(this.options.maxConcurrentBatches, this.options.maximumConcurrency ?? Infinity);
  }

  /** One ReceiveMessage for the batch (at most 10, what it still has room for); returns how many it got. */
  private take(batch: Batch): number {
    const room = Math.min(RECEIVE_MAX, this.options.batchSize - batch.messages.length);
    if (room <= 0 || batch.bytes >= PAYLOAD_LIMIT_BYTES) return 0;
    this.options.onRequest?.('ReceiveMessage');
    const got = this.options.queue.receive(room);
    for (const message of got) {
      batch.messages.push(message);
      batch.bytes += message.body.length + RECORD_OVERHEAD_BYTES;
    }
    return got.length;
  }

  private full(batch: Batch): boolean {
    return batch.messages.length >= this.options.batchSize || batch.bytes >= PAYLOAD_LIMIT_BYTES;
  }

  /** While messages wait and every poller is busy, one more concurrent batch every 60 s / scalingPerMinute. */
  private scaleUp(): void {
    if (this.scaling || this.limit >= this.hardCap()) return;
    this.scaling = this.options.clock.schedule(60_000 / this.options.scalingPerMinute, () => {
      this.scaling = undefined;
      if (this.options.queue.visible === 0 || this.active < this.limit) return;
      this.limit = Math.min(this.limit + 1, this.hardCap());
      this.poke();
    });
  }

  private invoke(batch: Batch): void {
    const at = this.gathering.indexOf(batch);
    if (at < 0) return;
    this.gathering.splice(at, 1);
    batch.cancelWindow?.();
    if (batch.messages.length === 0) return this.release();
    this.attempt(batch, THROTTLE_RETRY_FIRST_MS);
  }

  private attempt(batch: Batch, nextDelayMs: number): void {
    const { clock, lambda } = this.options;
    const started = lambda.invokeSync(this.event(batch), (execution) => this.options.onStart?.(batch, execution));
    if (started === 'throttled') {
      batch.throttles++;
      this.stats.throttled++;
      this.options.onThrottle?.(batch);
      // Lambda keeps retrying a throttled batch until its messages' visibility timeout runs out.
      const hiddenUntil = Math.min(...batch.messages.map((m) => m.visibleAt));
      if (clock.now() + nextDelayMs >= hiddenUntil) return this.release();
      clock.schedule(nextDelayMs, () => this.attempt(batch, Math.min(nextDelayMs * 2, THROTTLE_RETRY_MAX_MS)));
      return;
    }
    this.stats.batches++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.messages.length);
    void started.then((execution) => this.settle(batch, execution));
  }

  private settle(batch: Batch, execution: Execution): void {
    this.options.onResult?.(batch, execution);
    if (execution.error !== undefined) this.stats.failedInvocations++;
    else {
      const failed = failedIds(batch, execution.result);
      // A response naming a message the batch does not hold fails the whole batch: nothing is deleted.
      const done = failed === 'all' ? [] : batch.messages.filter((m) => !failed.has(m.id));
      if (done.length) this.options.onRequest?.('DeleteMessageBatch');
      for (const message of done) this.options.queue.delete(message.receiptHandle!);
    }
    this.release();
  }

  private release(): void {
    this.active--;
    this.poke();
  }

  private event(batch: Batch): SQSEvent {
    return { Records: batch.messages.map((m) => sqsRecord(m, { ...this.options, startedAt: batch.startedAt })) };
  }
}

/** A received message as the mapping hands it to the function, in a batch begun at `startedAt`. */
export function sqsRecord(m: QueueMessage, batch: { queueArn: string; region: string; startedAt: number }): SQSRecord {
  return {
    messageId: m.id,
    receiptHandle: m.receiptHandle!,
    body: m.body,
    attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt), SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: String(batch.startedAt) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: batch.queueArn,
    awsRegion: batch.region,
  };
}

/**
 * The messages a partial batch response names, or 'all' when it is invalid (Lambda then treats the
 * batch as a complete failure). No response, or an empty or null list: none failed.
 */
export function failedIds(batch: Pick<Batch, 'messages'>, result: unknown): Set<string> | 'all' {
  const response = (result as { response?: SQSBatchResponse } | undefined)?.response ?? (result as SQSBatchResponse | undefined);
  const failures = response?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(batch.messages.map((m) => m.id));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}
