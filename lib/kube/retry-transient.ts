import { jitteredBackoff } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';
import { RetryLaterError } from '../util/errors.ts';
import { isTransient } from './port.ts';

export interface RetryTransientOptions {
  clock: Clock;
  /** Epoch ms: no try is started after it; the last failure is thrown instead. */
  until: number;
  /** Backoff: the first step, doubled after each failure up to `maxMs`; each wait is jittered to half to all of it. */
  initialMs: number;
  maxMs: number;
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait (to log it). */
  onRetry?: (err: unknown, waitMs: number) => void;
}

/**
 * Runs `call` again after each transient failure (isTransient: throttling, server errors, lost
 * connections; and a RetryLaterError, not before the time it names) until it succeeds, fails for
 * good, or time runs out. The client's own retries span seconds; a reclaim that saturates the API
 * server can last longer, and an invocation that fails instead waits a minute for Lambda's retry.
 */
export async function retryTransient<T>(call: () => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const { clock, until, signal } = options;
  const random = options.random ?? Math.random;
  for (let step = options.initialMs; ; step = Math.min(step * 2, options.maxMs)) {
    try {
      return await call();
    } catch (err) {
      let waitMs: number;
      if (err instanceof RetryLaterError) {
        // Exactly when the answer can exist: no sooner (it would not), no later (a deadline runs).
        waitMs = Math.max(1, err.retryAfterMs);
        if (clock.now() + waitMs >= until || signal?.aborted) throw err;
      } else {
        if (!isTransient(err) || clock.now() + step >= until || signal?.aborted) throw err;
        waitMs = jitteredBackoff(step, random);
      }
      options.onRetry?.(err, waitMs);
      await clock.sleep(waitMs, signal);
    }
  }
}
