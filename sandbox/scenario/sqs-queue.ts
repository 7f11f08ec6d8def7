import type { NoticeQueue } from '../../lib/aws/ports.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';

/** What sent a message: the EventBridge rule (with the scenario step), a schedule, or the function itself. */
export interface MessageOrigin {
  trigger: 'event' | 'schedule' | 'continuation';
  step?: number;
  rule?: string;
  schedule?: string;
}

export interface QueueMessage {
  id: string;
  body: string;
  origin: MessageOrigin;
  sentAt: number;
  /** Times it was received (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  /** Hidden until then (received and not deleted, or delayed by ChangeMessageVisibility). */
  visibleAt: number;
  /** The handle of its latest receive: only it deletes or changes the message. */
  receiptHandle?: string;
}

export interface QueueOptions {
  clock: VirtualClock;
  /** How long a received message stays hidden (the queue's VisibilityTimeout). */
  visibilityTimeoutMs: number;
  /** Receives after which a message goes to the dead-letter queue instead (RedrivePolicy maxReceiveCount). */
  maxReceiveCount: number;
  /** Told when a message becomes visible (sent, or back after its visibility timeout). */
  onVisible?: () => void;
  onDeadLetter?: (message: QueueMessage) => void;
}

/**
 * An SQS standard queue on the virtual clock, as the notice queue uses it: messages sent
 * (EventBridge, Scheduler, the function's own SendMessage), received in order of arrival among the
 * visible ones — SQS promises no order for a standard queue; arrival order is the modelled case —,
 * hidden for the visibility timeout from each receive, deleted by the receipt handle of the latest
 * receive, or made visible sooner with ChangeMessageVisibility. A message about to be received for
 * the (maxReceiveCount + 1)-th time is moved to the dead-letter queue instead, as SQS's redrive
 * policy does. Not modelled: duplicate deliveries of standard queues (Lifeguard's own duplicate
 * handling is exercised by scenario `copies`), message size limits, retention (days).
 */
export class SimulatedQueue implements NoticeQueue {
  private readonly messages = new Map<string, QueueMessage>();
  /** The latest receipt handle of each message in flight. */
  private readonly handles = new Map<string, QueueMessage>();
  readonly deadLetters: QueueMessage[] = [];
  private seq = 0;
  private receives = 0;
  /** Messages sent, receives made (a message received twice counts twice), messages deleted. */
  readonly stats = { sent: 0, received: 0, deleted: 0 };

  constructor(private readonly options: QueueOptions) {}

  send(body: string, origin: MessageOrigin): QueueMessage {
    const now = this.options.clock.now();
    const message: QueueMessage = { id: `msg-${String(++this.seq).padStart(5, '0')}`, body, origin, sentAt: now, receiveCount: 0, visibleAt: now };
    this.messages.set(message.id, message);
    this.stats.sent++;
    this.options.onVisible?.();
    return message;
  }

  /** How many messages are visible now. */
  get visible(): number {
    const now = this.options.clock.now();
    let n = 0;
    for (const m of this.messages.values()) if (m.visibleAt <= now) n++;
    return n;
  }

  /** Messages not deleted yet, visible or not. */
  get size(): number {
    return this.messages.size;
  }

  /** Receives up to `max` visible messages, oldest first; each is hidden for the visibility timeout. */
  receive(max: number): QueueMessage[] {
    const now = this.options.clock.now();
    const taken: QueueMessage[] = [];
    for (const message of this.messages.values()) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        this.messages.delete(message.id);
        if (message.receiptHandle) this.handles.delete(message.receiptHandle);
        this.deadLetters.push(message);
        this.options.onDeadLetter?.(message);
        continue;
      }
      message.receiveCount++;
      if (message.receiptHandle) this.handles.delete(message.receiptHandle);
      message.receiptHandle = `rh-${++this.receives}`;
      this.handles.set(message.receiptHandle, message);
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      this.scheduleVisible(message);
      taken.push(message);
      this.stats.received++;
    }
    return taken;
  }

  /** DeleteMessage: only with the handle of the message's latest receive (a stale one deletes nothing). */
  delete(receiptHandle: string): boolean {
    const message = this.handles.get(receiptHandle);
    if (!message) return false;
    this.messages.delete(message.id);
    this.handles.delete(receiptHandle);
    this.stats.deleted++;
    return true;
  }

  /** ChangeMessageVisibility: visible again `seconds` from now. */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.handles.get(receiptHandle);
    if (!message) throw new Error(`ChangeMessageVisibility: the receipt handle ${receiptHandle} is not the latest of any message in flight`);
    message.visibleAt = this.options.clock.now() + seconds * 1000;
    this.scheduleVisible(message);
  }

  /** The notice queue port the batch handler takes: a failed notice comes back after `seconds`. */
  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    this.changeVisibility(receiptHandle, seconds);
  }

  /** Tells the consumer when the message could be received again (if nothing deletes or moves it first). */
  private scheduleVisible(message: QueueMessage): void {
    const { clock } = this.options;
    const at = message.visibleAt;
    clock.schedule(Math.max(0, at - clock.now()), () => {
      if (this.messages.get(message.id) === message && message.visibleAt === at) this.options.onVisible?.();
    });
  }
}
