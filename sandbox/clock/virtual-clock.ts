import { whenAborted, type Clock } from '../../lib/util/clock.ts';
import { TimerHeap, type HeapTimer } from './timer-heap.ts';

/**
 * A discrete-event clock. Time only moves when `runUntil` advances it, and it advances only when
 * the process is idle: no tracked I/O in flight (see `io`) other than requests parked on one of
 * this clock's own timers (see `parked`). Same inputs, same timeline, whatever the machine's speed.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new TimerHeap();
  private inFlight = 0;
  private parkedCount = 0;
  /** `settle` calls waiting for no tracked I/O to be doing real work. */
  private quietWaiters: Array<() => void> = [];

  constructor(startMs = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let stopWaiting: (() => void) | undefined;
      const cancel = this.schedule(Math.max(0, ms), () => {
        stopWaiting?.();
        resolve();
      });
      if (signal) {
        stopWaiting = whenAborted(signal, () => {
          cancel();
          resolve();
        });
      }
    });
  }

  /** Runs `fire` after `ms` of virtual time; returns a cancel function. */
  schedule(ms: number, fire: () => void): () => void {
    const timer: HeapTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire, cancelled: false };
    this.timers.push(timer);
    return () => this.timers.cancel(timer);
  }

  async io<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.wakeIfQuiet();
    }
  }

  /**
   * For a server that answers tracked I/O after a virtual delay (injected API latency): while it
   * waits, the request it serves no longer counts as busy, so time can advance to release it.
   */
  async parked<T>(work: () => Promise<T>): Promise<T> {
    this.parkedCount++;
    this.wakeIfQuiet();
    try {
      return await work();
    } finally {
      this.parkedCount--;
    }
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  private get busy(): boolean {
    return this.inFlight - this.parkedCount > 0;
  }

  private wakeIfQuiet(): void {
    if (this.busy || this.quietWaiters.length === 0) return;
    const waiters = this.quietWaiters;
    this.quietWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Waits (in real time) until no tracked I/O is doing real work. While sockets are busy it waits
   * for the last tracked exchange to end, not for a timer: a real timer costs at least 1 ms of idle
   * event loop per wait, and a loopback exchange takes far less. Quiet means quiet for three turns
   * of the event loop in a row, so what a finished exchange sets off (a watch event the socket has
   * taken, read by the client on the next turn) has run too.
   */
  async settle(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < 3) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busy) {
        quietTurns = 0;
        await new Promise<void>((resolve) => this.quietWaiters.push(resolve));
      } else {
        quietTurns++;
      }
    }
  }

  /**
   * Fires timers in time order until none is due by `untilMs` (absolute) or `stop()` says so,
   * settling between each. Leaves the clock at `untilMs` when timers run out before it.
   */
  async runUntil(untilMs: number, stop: () => boolean = () => false): Promise<void> {
    for (;;) {
      await this.settle();
      if (stop()) return;
      const next = this.timers.peek();
      if (!next || next.at > untilMs) {
        this.current = Math.max(this.current, untilMs);
        return;
      }
      this.timers.pop();
      this.current = Math.max(this.current, next.at);
      next.fire();
    }
  }
}
