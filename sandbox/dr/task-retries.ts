import type { LocalHandler } from './local-definition.ts';

/**
 * aws-local-stepfunctions waits out a Retry's interval on wall-clock timers, so the sandbox sets
 * every interval to zero there and sleeps it here, on the virtual clock, before the retried call:
 * the state's own Retry policy (IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds;
 * JitterStrategy FULL is taken at its mean, half the delay, so runs stay deterministic).
 */

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

function matches(retrier: Retrier, error: string): boolean {
  return retrier.ErrorEquals.some((e) => e === error || e === 'States.ALL' || (e === 'States.TaskFailed' && error !== 'States.Timeout'));
}

/** The delay before retry number `attempt` (1-based) of this retrier, in ms. */
export function retryDelayMs(retrier: Retrier, attempt: number): number {
  const base = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
  const capped = retrier.MaxDelaySeconds === undefined ? base : Math.min(base, retrier.MaxDelaySeconds);
  return Math.round((retrier.JitterStrategy === 'FULL' ? capped / 2 : capped) * 1000);
}

/**
 * Wraps a Task state's local handler: after a failure its Retry will catch, the next call of the
 * same state with the same input (the retry) first waits out the back-off on the virtual clock.
 */
export function withVirtualRetryDelays(handler: LocalHandler, retriers: Retrier[], sleep: (ms: number) => Promise<void>): LocalHandler {
  // Per input: a Map state runs one handler for several items at once.
  const pending = new Map<string, { wait: Promise<void>; attempts: number[] }>();
  return async (input) => {
    const key = JSON.stringify(input);
    const retry = pending.get(key);
    if (retry) await retry.wait;
    try {
      const output = await handler(input);
      pending.delete(key);
      return output;
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const attempts = retry?.attempts ?? retriers.map(() => 0);
      const index = retriers.findIndex((r) => matches(r, name));
      const retrier = retriers[index];
      if (retrier && attempts[index]! < (retrier.MaxAttempts ?? 3)) {
        attempts[index]!++;
        // Started now, not when the retry comes: the clock must not see an idle world in between.
        pending.set(key, { wait: sleep(retryDelayMs(retrier, attempts[index]!)), attempts });
      } else {
        // Caught or fatal: a later entry of this state is a new attempt, not a retry.
        pending.delete(key);
      }
      throw err;
    }
  };
}
