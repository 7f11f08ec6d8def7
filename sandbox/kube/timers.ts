import { systemClock, type Clock } from '../../lib/util/clock.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';

/**
 * Everything the emulator does later (a pod exiting, a replacement becoming Ready, a slow answer)
 * goes through here, on the injected clock. On a VirtualClock the work is a clock timer, and a
 * request held back by injected latency is `parked` so virtual time can advance to release it.
 * On the system clock it is a real timer that cancelling clears; on any other clock it is
 * `clock.sleep`, and cancelling just turns the callback into a no-op.
 */
export class Timers {
  private readonly pending = new Set<() => void>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `fire` after `ms` of clock time; returns a cancel function. */
  after(ms: number, fire: () => void): () => void {
    if (this.closed) return () => {};
    let cancelClockTimer: (() => void) | undefined;
    let live = true;
    const cancel = () => {
      live = false;
      cancelClockTimer?.();
      this.pending.delete(cancel);
    };
    const run = () => {
      if (!live) return;
      this.pending.delete(cancel);
      live = false;
      fire();
    };
    this.pending.add(cancel);
    if (this.clock instanceof VirtualClock) cancelClockTimer = this.clock.schedule(ms, run);
    else if (this.clock === systemClock) {
      // A real timer that close() can clear: a cancelled one must not keep the process alive.
      const handle = setTimeout(run, Math.max(0, ms));
      cancelClockTimer = () => clearTimeout(handle);
    } else void this.clock.sleep(ms).then(run);
    return cancel;
  }

  /** Holds a request for `ms` of clock time (injected server-side latency). */
  async delay(ms: number): Promise<void> {
    if (ms <= 0) return;
    const clock = this.clock;
    if (clock instanceof VirtualClock) await clock.parked(() => clock.sleep(ms));
    else await clock.sleep(ms);
  }

  /** Waits for `work` (a request queued behind others) without counting as busy I/O on a VirtualClock. */
  async park<T>(work: Promise<T>): Promise<T> {
    const clock = this.clock;
    if (clock instanceof VirtualClock) return clock.parked(() => work);
    return work;
  }

  /** Counts `work` (bytes on their way to a client) as busy I/O on a VirtualClock, so time waits for it. */
  async track(work: Promise<void>): Promise<void> {
    const clock = this.clock;
    if (clock instanceof VirtualClock) await clock.io(() => work);
    else await work;
  }

  /** Drops every pending callback (the emulator is closing). */
  cancelAll(): void {
    this.closed = true;
    for (const cancel of [...this.pending]) cancel();
  }
}
