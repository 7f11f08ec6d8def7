/**
 * Time, injected everywhere: production uses the system clock; the sandbox and the tests use a
 * virtual clock (sandbox/clock/virtual-clock.ts) so a 2-minute Spot window runs in milliseconds and
 * every run is deterministic.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or as soon as `signal` aborts (the
   * timer is then cleared: a stopped loop leaves nothing behind that keeps a process alive).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Wraps real I/O (an HTTP call) so a virtual clock knows work is in flight and does not jump
   * ahead while it runs. The system clock just awaits it.
   */
  io<T>(work: () => Promise<T>): Promise<T>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
  io: (work) => work(),
};
