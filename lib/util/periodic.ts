import type { Clock } from './clock.ts';

export interface Periodic {
  /** Stops the loop and waits for a tick in progress; no timer is left behind. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `intervalMs` of the clock's time until stopped or until `tick` returns false.
 * A tick that throws is reported to `onError` and the loop goes on.
 */
export function every(clock: Clock, intervalMs: number, tick: () => Promise<boolean | void>, onError: (err: unknown) => void): Periodic {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await clock.sleep(intervalMs, abort.signal);
      if (abort.signal.aborted) return;
      try {
        if ((await tick()) === false) return;
      } catch (err) {
        onError(err);
      }
    }
  })();
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}
