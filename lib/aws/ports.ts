import { LifeguardError } from '../util/errors.ts';
/**
 * Small ports for the AWS services the interruption path touches. Production adapters live beside
 * this file (AWS SDK v3); in-memory ones for the sandbox and tests in sandbox/aws/.
 */

/** EC2 instance facts Lifeguard needs when the node index cannot answer. */
export interface InstanceDirectory {
  /**
   * The instances' private DNS names (e.g. ip-10-0-1-10.ec2.internal), asked together: a batch of
   * notices costs one DescribeInstances (chunked as the API allows), not one per instance. An
   * instance EC2 does not know (gone, malformed id) or without a name is absent from the map.
   */
  privateDnsNames(instanceIds: readonly string[]): Promise<Map<string, string>>;
}

/** Identifies one pending Auto Scaling lifecycle action (from the lifecycle event's detail). */
export interface LifecycleHookRef {
  autoScalingGroupName: string;
  lifecycleHookName: string;
  lifecycleActionToken: string;
  instanceId: string;
}

export type LifecycleResult = 'CONTINUE' | 'ABANDON';

/** Auto Scaling lifecycle hooks: hold the termination while draining, then let it go. */
export interface LifecycleActions {
  complete(hook: LifecycleHookRef, result: LifecycleResult): Promise<void>;
  /** Extends the hook's timeout by its heartbeat interval. */
  heartbeat(hook: LifecycleHookRef): Promise<void>;
}

/** Lifeguard's own events (source from config) on the default bus, for users to route. */
export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>, resources?: string[]): Promise<void>;
}

/**
 * The lifecycle action is no longer pending: already completed (a duplicate delivery), or timed
 * out and resolved by its default result. Callers treat it as done; retrying cannot help.
 */
export class LifecycleActionGoneError extends LifeguardError {}

/** A one-time schedule that invokes the interruption function with `payload` within the minute `at`. */
export interface OneTimeSchedule {
  /** Unique in Lifeguard's schedule group; derived from node + event so a redelivery cannot double it. */
  name: string;
  /** Epoch ms of a whole minute at least a minute ahead (lib/lifecycle/schedule-timing.ts): it fires within that minute. */
  at: number;
  payload: Record<string, unknown>;
  description: string;
}

/**
 * EventBridge Scheduler, one-time schedules in Lifeguard's own group, deleted after they fire.
 * In-memory on the virtual clock in the sandbox.
 */
export interface Scheduler {
  /** Creates the schedule, or moves an existing one of that name to the new time and payload. */
  upsert(schedule: OneTimeSchedule): Promise<void>;
  /** Deletes it; a schedule that is already gone (fired, or never made) is no error. */
  delete(name: string): Promise<void>;
}

/**
 * Work for the interruption function now: a notice on its queue (SQS SendMessage), handled within
 * the batching window with the queue's retries and dead-letter queue. For work that must go on
 * within seconds — a drain handing over — where a schedule fires a minute or two later.
 */
export interface SelfInvoker {
  invoke(payload: Record<string, unknown>): Promise<void>;
}

/** One delivery of an SQS message: what a queue reader gets from ReceiveMessage. */
export interface ReceivedMessage {
  messageId: string;
  /** Deletes this delivery; SQS accepts only the handle of the latest receive. */
  receiptHandle: string;
  body: string;
  /** The message attributes of type String or Number, by name (binary ones are left out). */
  attributes: Record<string, string>;
  /** ApproximateReceiveCount: this receive included. */
  receiveCount?: number;
  /** SentTimestamp: when the message entered this queue, epoch ms. */
  sentAt?: number;
}

/** Per entry of a batch call: which ids went through, and why the others did not. */
export interface BatchOutcome {
  ok: string[];
  failed: Array<{ id: string; reason: string }>;
}

/** At most this many entries per ReceiveMessage, SendMessageBatch and DeleteMessageBatch. */
export const SQS_BATCH_LIMIT = 10;

/**
 * SQS, as a reader of dead-letter queues and a writer to the queue Lifeguard consumes. Batch calls
 * take at most SQS_BATCH_LIMIT entries, each with an id unique in the call; a call that fails as a
 * whole throws.
 */
export interface MessageQueue {
  /** Short polling (no wait): what is visible now, hidden from other readers for the timeout. */
  receive(queueUrl: string, options: { max: number; visibilityTimeoutSeconds: number }): Promise<ReceivedMessage[]>;
  send(queueUrl: string, messages: ReadonlyArray<{ id: string; body: string }>): Promise<BatchOutcome>;
  delete(queueUrl: string, messages: ReadonlyArray<{ id: string; receiptHandle: string }>): Promise<BatchOutcome>;
}

/**
 * Lifeguard's notice queue (SQS), seen from the function that consumes it through Lambda's event
 * source mapping: a notice that failed comes back after a delay of Lifeguard's choosing instead of
 * the queue's whole visibility timeout.
 */
export interface NoticeQueue {
  /** The received message becomes visible again `seconds` from now (ChangeMessageVisibility). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}
