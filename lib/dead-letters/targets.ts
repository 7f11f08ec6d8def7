import type { BatchOutcome, MessageQueue, SelfInvoker } from '../aws/ports.ts';
import { errorMessage } from '../util/errors.ts';

/** Where replayed payloads go: what the interruption function consumes. */
export interface ReplayTarget {
  /** For the report: `queue URL` or `function NAME`. */
  readonly description: string;
  /** Sends each payload once; at most SQS_BATCH_LIMIT at a time. Throws only when the whole call failed. */
  send(items: ReadonlyArray<{ id: string; payload: Record<string, unknown> }>): Promise<BatchOutcome>;
}

/** The notice queue (or any queue the function consumes): one SendMessageBatch, the payload as the body. */
export function queueTarget(queue: MessageQueue, queueUrl: string): ReplayTarget {
  return {
    description: `queue ${queueUrl}`,
    send: (items) => queue.send(queueUrl, items.map((i) => ({ id: i.id, body: JSON.stringify(i.payload) }))),
  };
}

/**
 * The function itself, invoked asynchronously once per payload (InvocationType Event): Lambda
 * queues it and its retries and on-failure destination apply, as for EventBridge's own delivery.
 */
export function functionTarget(invoker: SelfInvoker, functionName: string): ReplayTarget {
  return {
    description: `function ${functionName}`,
    async send(items) {
      const settled = await Promise.allSettled(items.map((i) => invoker.invoke(i.payload)));
      const outcome: BatchOutcome = { ok: [], failed: [] };
      settled.forEach((result, n) => {
        const id = items[n]!.id;
        if (result.status === 'fulfilled') outcome.ok.push(id);
        else outcome.failed.push({ id, reason: errorMessage(result.reason) });
      });
      return outcome;
    },
  };
}
