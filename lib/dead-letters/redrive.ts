import { SQS_BATCH_LIMIT, type BatchOutcome, type MessageQueue, type ReceivedMessage } from '../aws/ports.ts';
import { InvalidEventError } from '../events/notice.ts';
import type { Clock } from '../util/clock.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';

/** A redrive asked for what it cannot do. */
export class RedriveError extends LifeguardError {}
import { summarize, type DeadLetterSummary } from './describe.ts';
import { readPayload } from './payload.ts';
import type { ReplayTarget } from './targets.ts';
import { unwrapMessage, type EnvelopeKind } from './unwrap.ts';

/**
 * Short polling samples a subset of SQS's servers: a small queue can answer an empty receive while it
 * still holds messages, and the SQS API reference says to repeat the request. A read ends after this
 * many empty answers in a row, each after a pause (the SQS guide's example: 200 ms).
 */
export const EMPTY_RECEIVES_TO_STOP = 3;
export const EMPTY_RECEIVE_PAUSE_MS = 200;

export type RedriveOutcome =
  /** --dry-run: it unwraps to a payload the function acts on. */
  | 'would-replay'
  /** Sent to the target, then deleted from the dead-letter queue. */
  | 'replayed'
  /** Sent, but the delete failed: it is still in the queue, and a later redrive sends it again (a duplicate, which the function ignores). */
  | 'replayed-not-deleted'
  /** The target refused it: left in the queue, visible again after the visibility timeout. */
  | 'send-failed'
  /** No payload the function acts on could be unwrapped: left in the queue, never deleted. */
  | 'not-replayable';

export interface RedriveEntry {
  messageId: string;
  outcome: RedriveOutcome;
  /** ApproximateReceiveCount, this read included. */
  receiveCount?: number;
  /** How the payload was wrapped, outermost first. */
  envelopes: EnvelopeKind[];
  /** What it holds, when it could be read. */
  summary?: DeadLetterSummary;
  /** What went wrong: the unwrapping (naming the field), the send or the delete. */
  problem?: string;
  /** The field the unwrapping stopped at, from the top of the message body. */
  field?: string;
}

export interface RedriveReport {
  source: string;
  target?: string;
  dryRun: boolean;
  /** Messages received (each once; a copy received again in the same run is not counted twice). */
  read: number;
  /** True when the read stopped at --max: the queue may hold more. */
  stoppedAtMax: boolean;
  entries: RedriveEntry[];
  /** A receive that failed and ended the read early. */
  error?: string;
}

export interface RedriveRequest {
  queue: MessageQueue;
  /** The dead-letter queue to read. */
  source: string;
  /** Required unless dryRun. */
  target?: ReplayTarget;
  dryRun: boolean;
  /** At most this many messages are received. */
  max: number;
  /** How long what is read stays hidden from other readers; what is not deleted reappears after it. */
  visibilityTimeoutSeconds: number;
  clock: Clock;
  /** Each entry as soon as it is decided (for a line on the terminal while a long read goes on). */
  onEntry?: (entry: RedriveEntry) => void;
}

/** Whether an entry needs the operator: anything left behind, or sent twice. */
export const needsAttention = (entry: RedriveEntry) => entry.outcome !== 'replayed' && entry.outcome !== 'would-replay';

/**
 * Reads a dead-letter queue in batches of up to 10, unwraps each message to the payload the
 * interruption function acts on, and (unless dryRun) sends those to the target and deletes each
 * message from the dead-letter queue only after the target took it. A message that does not unwrap,
 * or that the target refused, is left where it is.
 */
export async function redrive(request: RedriveRequest): Promise<RedriveReport> {
  const { queue, source, target, dryRun, max, visibilityTimeoutSeconds, clock } = request;
  if (!dryRun && !target) throw new RedriveError('redrive: a target is required unless it is a dry run');
  const report: RedriveReport = { source, ...(target ? { target: target.description } : {}), dryRun, read: 0, stoppedAtMax: false, entries: [] };
  const seen = new Set<string>();
  let received = 0;
  let empty = 0;
  while (received < max) {
    let batch: ReceivedMessage[];
    try {
      batch = await queue.receive(source, { max: Math.min(SQS_BATCH_LIMIT, max - received), visibilityTimeoutSeconds });
    } catch (err) {
      report.error = `receiving from ${source} failed: ${errorMessage(err)}`;
      return report;
    }
    if (batch.length === 0) {
      if (++empty >= EMPTY_RECEIVES_TO_STOP) return report;
      await clock.sleep(EMPTY_RECEIVE_PAUSE_MS);
      continue;
    }
    empty = 0;
    received += batch.length;
    // A standard queue delivers at least once: a second copy in the same run is not replayed again.
    const fresh = batch.filter((m) => !seen.has(m.messageId));
    for (const m of fresh) seen.add(m.messageId);
    report.read += fresh.length;
    const entries = dryRun ? fresh.map((m) => read(m).entry) : await replay(fresh, request);
    for (const entry of entries) {
      report.entries.push(entry);
      request.onEntry?.(entry);
    }
  }
  report.stoppedAtMax = true;
  return report;
}

interface Read {
  message: ReceivedMessage;
  entry: RedriveEntry;
  payload?: Record<string, unknown>;
}

/** Unwraps one message; the entry says `would-replay` or `not-replayable`. */
function read(message: ReceivedMessage): Read {
  const base = { messageId: message.messageId, ...(message.receiveCount !== undefined ? { receiveCount: message.receiveCount } : {}) };
  try {
    const unwrapped = unwrapMessage(message);
    const replayable = readPayload(unwrapped.payload, unwrapped.location);
    return { message, payload: unwrapped.payload, entry: { ...base, outcome: 'would-replay', envelopes: unwrapped.envelopes, summary: summarize(unwrapped, replayable) } };
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    return { message, entry: { ...base, outcome: 'not-replayable', envelopes: [], problem: err.message, ...(err.field ? { field: err.field } : {}) } };
  }
}

/** Sends what unwrapped, then deletes exactly what the target took. */
async function replay(messages: ReceivedMessage[], request: RedriveRequest): Promise<RedriveEntry[]> {
  const reads = messages.map(read);
  const replayable = reads.filter((r) => r.payload !== undefined);
  const sent = await settle(replayable.map((r) => r.message.messageId), () => request.target!.send(replayable.map((r) => ({ id: r.message.messageId, payload: r.payload! }))));
  const taken = replayable.filter((r) => sent.ok.includes(r.message.messageId));
  const deleted = await settle(taken.map((r) => r.message.messageId), () =>
    request.queue.delete(request.source, taken.map((r) => ({ id: r.message.messageId, receiptHandle: r.message.receiptHandle }))),
  );
  return reads.map(({ message, entry, payload }): RedriveEntry => {
    if (payload === undefined) return entry;
    const id = message.messageId;
    const refused = sent.failed.find((f) => f.id === id);
    if (refused) return { ...entry, outcome: 'send-failed', problem: `the target refused it: ${refused.reason}` };
    const undeleted = deleted.failed.find((f) => f.id === id);
    if (undeleted) return { ...entry, outcome: 'replayed-not-deleted', problem: `sent, but not deleted from the dead-letter queue: ${undeleted.reason}` };
    return { ...entry, outcome: 'replayed' };
  });
}

/** A batch call that failed as a whole fails each of its entries, with its reason; an empty batch is not sent. */
async function settle(ids: string[], call: () => Promise<BatchOutcome>): Promise<BatchOutcome> {
  if (ids.length === 0) return { ok: [], failed: [] };
  try {
    return await call();
  } catch (err) {
    return { ok: [], failed: ids.map((id) => ({ id, reason: errorMessage(err) })) };
  }
}
