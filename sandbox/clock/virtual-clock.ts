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
    }
  }

  /**
   * For a server that answers tracked I/O after a virtual delay (injected API latency): while it
   * waits, the request it serves no longer counts as busy, so time can advance to release it.
   */
  async parked<T>(work: () => Promise<T>): Promise<T> {
    this.parkedCount++;
    try {
      return await work();
    } finally {
      this.parkedCount--;
    }
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Waits (in real time) until no tracked I/O is doing real work. */
  async settle(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < 3) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.inFlight - this.parkedCount > 0) {
        quietTurns = 0;
        // Real sockets are at work: yield to the event loop without spinning the CPU.
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
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
