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

/** The waits on one signal, and the signal's one 'abort' listener that wakes them. */
interface AbortFanOut {
  waits: Set<() => void>;
  listener: () => void;
}

const fanOuts = new WeakMap<AbortSignal, AbortFanOut>();

/**
 * Calls `onAbort` when `signal` aborts (at once if it already has); returns the function that
 * stops waiting. However many waits share a signal — a drain's sixteen evictions backing off on its
 * one halt signal — the signal carries a single listener that fans out to them, and the last wait
 * to stop removes it: one listener per wait would pass Node's limit of 10 per EventTarget and print
 * a MaxListenersExceededWarning though nothing leaks.
 */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  let fanOut = fanOuts.get(signal);
  if (!fanOut) {
    const waits = new Set<() => void>();
    const listener = () => {
      fanOuts.delete(signal);
      for (const wake of waits) wake();
    };
    fanOut = { waits, listener };
    fanOuts.set(signal, fanOut);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { waits, listener } = fanOut;
  // Its own function: the same callback given twice is two waits.
  const wait = () => onAbort();
  waits.add(wait);
  return () => {
    waits.delete(wait);
    if (waits.size === 0 && fanOuts.get(signal) === fanOut) {
      fanOuts.delete(signal);
      signal.removeEventListener('abort', listener);
    }
  };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let stopWaiting: (() => void) | undefined;
      const done = () => {
        clearTimeout(timer);
        stopWaiting?.();
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (signal) stopWaiting = whenAborted(signal, done);
    }),
  io: (work) => work(),
};
