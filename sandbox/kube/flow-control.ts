import type { LevelSettings } from './apf/levels.ts';
import { fnv1a, mulberry32 } from './random.ts';
import type { Timers } from './timers.ts';

/** APF's rejection reasons: no room in the flow's queues, too long in a queue, or no seat in a level that does not queue. */
export type Rejection = 'queue-full' | 'time-out' | 'concurrency-limit';

/** What a level needs to admit requests: its seats, its queues (none: it rejects), how long a request may wait. */
export type LevelLimits = Pick<LevelSettings, 'concurrency' | 'queuing'> & { queueWaitLimitMs: number };

/** What a request gets from the priority level: run now, wait (then run or be rejected), or 429 at once. */
export type Admission =
  | { kind: 'dispatched' }
  | { kind: 'queued'; ready: Promise<{ kind: 'dispatched' } | { kind: 'rejected'; reason: Rejection }> }
  | { kind: 'rejected'; reason: Rejection };

interface Waiter {
  flow: string;
  seats: number;
  settle: (outcome: { kind: 'dispatched' } | { kind: 'rejected'; reason: Rejection }) => void;
  cancelTimeout: () => void;
}

/**
 * One APF priority level: `concurrency` seats, `queues` FIFO queues, each flow dealt a hand of
 * `handSize` queues by a hash of its identity (shuffle sharding) and enqueued on the shortest of
 * them. Queues are served round robin, each head waiting until its seats are free (a simplification
 * of APF's virtual-finish-time fair queuing, with the same effect between flows that compete: each
 * non-empty queue gets its turn). A level without queuing (limitResponse Reject) answers 429 when
 * no seat is free. No borrowing from other levels.
 */
export class PriorityLevel {
  private readonly queues: Waiter[][];
  private readonly hands = new Map<string, number[]>();
  private next = 0;
  private waiting = 0;
  seatsInUse = 0;

  constructor(
    private readonly limits: LevelLimits,
    private readonly timers: Timers,
    private readonly onDepth: (waiting: number) => void = () => {},
  ) {
    this.queues = Array.from({ length: limits.queuing?.queues ?? 0 }, () => []);
  }

  get concurrency(): number {
    return this.limits.concurrency;
  }

  get queued(): number {
    return this.waiting;
  }

  /** `flow` identifies the request's flow (its FlowSchema and distinguisher). */
  admit(flow: string, seats: number): Admission {
    // A level of no seats (0 shares: it would run on borrowed seats, which are not modelled) never dispatches.
    const need = Math.max(1, Math.min(seats, this.limits.concurrency));
    if (this.waiting === 0 && this.seatsInUse + need <= this.limits.concurrency) {
      this.seatsInUse += need;
      return { kind: 'dispatched' };
    }
    const queuing = this.limits.queuing;
    if (!queuing) return { kind: 'rejected', reason: 'concurrency-limit' };
    const queue = this.shortestOf(this.handOf(flow, queuing.handSize));
    if (queue.length >= queuing.queueLengthLimit) return { kind: 'rejected', reason: 'queue-full' };
    const ready = new Promise<{ kind: 'dispatched' } | { kind: 'rejected'; reason: Rejection }>((resolve) => {
      const waiter: Waiter = { flow, seats: need, settle: resolve, cancelTimeout: () => {} };
      waiter.cancelTimeout = this.timers.after(this.limits.queueWaitLimitMs, () => {
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.splice(at, 1);
        this.waiting--;
        resolve({ kind: 'rejected', reason: 'time-out' });
        // The head may have been the one blocking: others can go now.
        this.dispatch();
      });
      queue.push(waiter);
      this.waiting++;
      this.onDepth(this.waiting);
    });
    return { kind: 'queued', ready };
  }

  /** A request finished: its seats are free for the queued ones. */
  release(seats: number): void {
    this.seatsInUse -= Math.max(1, Math.min(seats, this.limits.concurrency));
    this.dispatch();
  }

  private dispatch(): void {
    while (this.waiting > 0) {
      const index = this.nextNonEmpty();
      const queue = this.queues[index]!;
      const head = queue[0]!;
      if (this.seatsInUse + head.seats > this.limits.concurrency) return;
      this.next = (index + 1) % this.queues.length;
      queue.shift();
      this.waiting--;
      this.seatsInUse += head.seats;
      head.cancelTimeout();
      head.settle({ kind: 'dispatched' });
    }
  }

  /** Round robin over the non-empty queues; the pointer moves past a queue once it is served. */
  private nextNonEmpty(): number {
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      if (this.queues[index]!.length > 0) return index;
    }
    throw new Error('flow control: waiting count and queues disagree');
  }

  private shortestOf(hand: number[]): Waiter[] {
    let best = this.queues[hand[0]!]!;
    for (const index of hand) if (this.queues[index]!.length < best.length) best = this.queues[index]!;
    return best;
  }

  /** The flow's hand: `handSize` distinct queues, a pure function of the flow's name. */
  private handOf(flow: string, handSize: number): number[] {
    let hand = this.hands.get(flow);
    if (!hand) {
      const random = mulberry32(fnv1a(`hand|${flow}`));
      const deck = Array.from({ length: this.queues.length }, (_, i) => i);
      hand = [];
      for (let i = 0; i < handSize; i++) {
        const j = i + Math.floor(random() * (deck.length - i));
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
        hand.push(deck[i]!);
      }
      this.hands.set(flow, hand);
    }
    return hand;
  }
}
