import type { Log } from '../observability/log.ts';
import { jitteredBackoff } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';
import { classify, type CallKind, type Failure } from './api-failure.ts';
import type { RequestPriority, TokenBucket } from './token-bucket.ts';

export interface KubeRetryOptions {
  /** Tries per call, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt, then jittered (default 250 ms). */
  baseDelayMs?: number;
  /** Ceiling of one backoff step (default 8 s). */
  maxDelayMs?: number;
  /** [0, 1) source for the jitter; injectable so tests are deterministic. */
  random?: () => number;
  /**
   * A Retry-After longer than this is not slept through here: the call fails at once with
   * `retryAfterSeconds` set, so a deadline-aware caller decides (default 30 s).
   */
  maxRetryAfterSeconds?: number;
}

export interface RetryingCallDeps {
  clock: Clock;
  log: Log;
  /** Every attempt, retries included, takes a token of it (none: no client-side limit). */
  bucket: TokenBucket | undefined;
}

/** One client-node call with its name for errors and logs, what kind of call it is and its place in the bucket's queue. */
export type KubeCall = <T>(operation: string, work: () => Promise<T>, kind?: CallKind, priority?: RequestPriority) => Promise<T>;

/**
 * Runs client-node calls inside `clock.io` (a virtual clock must not jump while a request is in
 * flight) and tries again what classify() calls retryable, after exactly the server's Retry-After
 * when it sent one, else after a jittered exponential backoff slept on `clock`.
 */
export function retryingCall({ clock, log, bucket }: RetryingCallDeps, options: KubeRetryOptions): KubeCall {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 250);
  const maxDelayMs = Math.max(baseDelayMs, options.maxDelayMs ?? 8_000);
  const random = options.random ?? Math.random;
  const maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;

  function backoffMs(attempt: number): number {
    return jitteredBackoff(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), random);
  }

  return async function call<T>(operation: string, work: () => Promise<T>, kind: CallKind = {}, priority: RequestPriority = 'normal'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let failure: Failure;
      await bucket?.take(priority);
      try {
        return await clock.io(work);
      } catch (err) {
        failure = classify(err, operation, clock.now(), kind);
      }
      const { error, retryable } = failure;
      if (!retryable || attempt >= maxAttempts) {
        if (retryable) {
          log.warn('kubernetes call failed after retries', { operation, attempts: attempt, status: error.status, reason: error.reason });
        }
        throw error;
      }
      if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds > maxRetryAfterSeconds) {
        log.warn('kubernetes asked to wait longer than allowed; giving up', {
          operation,
          status: error.status,
          retryAfterSeconds: error.retryAfterSeconds,
        });
        throw error;
      }
      const delayMs = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoffMs(attempt);
      log.warn('kubernetes call failed; retrying', {
        operation,
        attempt,
        status: error.status,
        reason: error.reason,
        delayMs,
      });
      await clock.sleep(delayMs);
    }
  };
}
