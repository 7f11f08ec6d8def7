import type { Notice } from '../events/notice.ts';
import { retryTransient } from '../kube/retry-transient.ts';
import { errorMessage } from '../util/errors.ts';
import type { InterruptionDeps } from './deps.ts';

/** Runs one Kubernetes call of a node's handling, riding out throttling and server errors. */
export type RetryWithinBudget = <T>(what: string, call: () => Promise<T>) => Promise<T>;

/**
 * The client's own retries span seconds; a reclaim that saturates the API server lasts longer,
 * and an invocation that fails waits a minute for Lambda's retry. So each call of a node's
 * handling (its lookup, its reads, its guarded writes) retries transient failures for up to
 * 2 minutes (deps.retryBudgetMs), never past a deadline still ahead (a decision after it helps nobody) and never into
 * the invocation's last 20 s; after that, failing the invocation costs no more.
 */
export const DEFAULT_RETRY_BUDGET_MS = 120_000;
const INVOCATION_RESERVE_MS = 20_000;

export function retryWithinBudget(notice: Notice, deps: InterruptionDeps): RetryWithinBudget {
  const { backoffInitialMs, backoffMaxMs } = deps.config.interruption.drain;
  return (what, call) => {
    const now = deps.clock.now();
    const deadline = notice.deadline !== null && notice.deadline > now ? notice.deadline : Infinity;
    const until = Math.min(now + (deps.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS), deadline, now + (deps.invocation?.remainingMs() ?? Infinity) - INVOCATION_RESERVE_MS);
    return retryTransient(call, {
      clock: deps.clock,
      until,
      initialMs: backoffInitialMs,
      maxMs: backoffMaxMs,
      ...(deps.random ? { random: deps.random } : {}),
      onRetry: (err, waitMs) => deps.log.warn(`${what} failed; retrying`, { eventId: notice.eventId, error: errorMessage(err), waitMs }),
    });
  };
}
