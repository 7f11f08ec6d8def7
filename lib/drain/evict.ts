import type { LimitFunction } from 'p-limit';
import type { InterruptionConfig } from '../config/interruption.ts';
import { KubeApiError, isSeveralBudgetsRefusal, isTransient, type KubeApi } from '../kube/port.ts';
import type { Clock } from '../util/clock.ts';
import type { Log } from '../observability/log.ts';

export type DrainOptions = InterruptionConfig['drain'];

export interface EvictTarget {
  namespace: string;
  name: string;
  uid: string;
  /** The pod's own terminationGracePeriodSeconds. */
  graceSeconds: number;
}

export interface EvictPolicy {
  /** When the instance goes away (epoch ms); null when the event promises nothing. */
  deadline: number | null;
  /** Stop retrying refused evictions at this time (epoch ms). */
  giveUpAt: number;
  /** May the pod be deleted past its PodDisruptionBudget when the deadline leaves no other way? */
  forceDelete: boolean;
  /** Stops retrying at once (the invocation lost its lease on the node): → 'pending'. */
  signal?: AbortSignal;
}

export interface EvictDeps {
  kube: KubeApi;
  clock: Clock;
  log: Log;
  options: DrainOptions;
  random: () => number;
  /** Bounds the eviction/deletion calls in flight (shared by every pod of a drain). */
  limit: LimitFunction;
}

/** Room for the last eviction attempt and the deletion round trip before the force point. */
const FORCE_SLACK_MS = 1000;

export type EvictOutcome = 'evicted' | 'deleted' | 'failed' | 'pending';

export interface EvictResult {
  outcome: EvictOutcome;
  reason?: string;
  /** Eviction and deletion calls made. */
  attempts: number;
  /** Deleted past a disruption budget to beat the deadline. */
  forced: boolean;
  /** The grace the accepted eviction/deletion gave the pod. */
  gracePeriodSeconds?: number;
  /** When the eviction or deletion was accepted (epoch ms). */
  acceptedAt?: number;
  /** Set when the API said the pod was already gone (404, or 409: the UID we meant no longer exists). */
  goneAt?: number;
  /** How many times a PodDisruptionBudget refused the eviction. */
  pdbRefusals: number;
}

/**
 * Grace in whole seconds that still fits before `deadline − margin`, or undefined when the pod's
 * own grace applies: when it fits, and when not one whole second is left (a deadline of "now": a
 * stopping instance, a hibernating Spot instance). A zero grace would only kill the pod outright —
 * an executor could not even start decommissioning — while its own grace lets it do what it can.
 */
export function graceThatFits(podGraceSeconds: number, leftMs: number): number | undefined {
  if (podGraceSeconds * 1000 <= leftMs) return undefined;
  const fits = Math.floor(leftMs / 1000);
  return fits >= 1 ? Math.min(podGraceSeconds, fits) : undefined;
}

/** Equal jitter: half the step fixed, half random, so retries spread out but never hammer. */
export function jitteredBackoff(stepMs: number, random: () => number): number {
  return Math.round(stepMs / 2 + random() * (stepMs / 2));
}

/**
 * Evicts one pod through the policy/v1 Eviction API with a UID precondition.
 *
 * - 429 (a PodDisruptionBudget refuses): jittered exponential backoff, honouring Retry-After, until
 *   `giveUpAt` → 'pending'.
 * - 404 (gone) / 409 (the UID changed: the pod we meant is gone) → done.
 * - 500 because the pod matches several budgets (the API cannot decide) → 'failed', not retried.
 * - A transient API failure (throttling, another 5xx, a reset) that outlived the client's own
 *   retries: backed off and tried again like a refusal, until `giveUpAt`. It never ends the drain.
 * - Forced deletion, only when the policy allows it and there is a deadline: once waiting any
 *   longer for the budget would leave the pod less than its own grace (+1 s for the calls) before
 *   `deadline − margin`
 *   (it would be killed by the instance going away anyway), DELETE it with
 *   `gracePeriodSeconds = max(1, min(grace, floor(left / 1000)))`. Never at or after the deadline.
 * - Anything else (403, 400...) is permanent: thrown, with the pod named.
 */
export async function evictPod(target: EvictTarget, policy: EvictPolicy, deps: EvictDeps): Promise<EvictResult> {
  const { kube, clock, log, options, random, limit } = deps;
  const marginMs = options.marginSeconds * 1000;
  const ref = `${target.namespace}/${target.name}`;
  const { deadline } = policy;
  const leftAt = (t: number) => (deadline === null ? Number.POSITIVE_INFINITY : deadline - t - marginMs);
  // The last moment at which a deletion still gives the pod its whole grace (in whole seconds,
  // after one more eviction attempt and the deletion call itself).
  const forcePoint =
    deadline === null ? Number.POSITIVE_INFINITY : deadline - marginMs - target.graceSeconds * 1000 - FORCE_SLACK_MS;
  const mayForce = (t: number) => policy.forceDelete && deadline !== null && t < deadline;

  let attempts = 0;
  let pdbRefusals = 0;
  let step = options.backoffInitialMs;

  const gone = (reason: string): EvictResult => ({ outcome: 'evicted', reason, attempts, forced: false, goneAt: clock.now(), pdbRefusals });

  const forceDelete = async (refusal: string): Promise<EvictResult> => {
    let grace: number;
    for (let step = options.backoffInitialMs; ; step = Math.min(step * 2, options.backoffMaxMs)) {
      // Never 0: a zero grace removes the pod from the API at once while its containers may still
      // run (a StatefulSet could start a second copy); 1 s is the shortest graceful deletion.
      grace = Math.max(1, Math.min(target.graceSeconds, Math.floor(leftAt(clock.now()) / 1000)));
      attempts++;
      try {
        await limit(() => kube.deletePod(target.namespace, target.name, target.uid, grace));
        break;
      } catch (err) {
        if (err instanceof KubeApiError && (err.status === 404 || err.status === 409)) return gone('went away before the forced deletion');
        // A failing API at the force point: keep trying while a deletion can still beat the deadline.
        if (!isTransient(err) || !mayForce(clock.now() + step) || policy.signal?.aborted) throw err;
        await clock.sleep(jitteredBackoff(step, random), policy.signal);
      }
    }
    log.warn('pod deleted past its disruption budget to beat the deadline', { pod: ref, gracePeriodSeconds: grace, refusal });
    return {
      outcome: 'deleted',
      reason: `eviction refused (${refusal}); deleted with a ${grace}s grace so it stops before the deadline`,
      attempts,
      forced: true,
      gracePeriodSeconds: grace,
      acceptedAt: clock.now(),
      pdbRefusals,
    };
  };

  for (;;) {
    const now = clock.now();
    const clamped = graceThatFits(target.graceSeconds, leftAt(now));
    attempts++;
    let refusal: KubeApiError;
    try {
      await limit(() => kube.evictPod(target.namespace, target.name, target.uid, clamped));
      log.info('pod evicted', { pod: ref, gracePeriodSeconds: clamped ?? target.graceSeconds, attempts });
      return {
        outcome: 'evicted',
        attempts,
        forced: false,
        gracePeriodSeconds: clamped ?? target.graceSeconds,
        acceptedAt: clock.now(),
        pdbRefusals,
        ...(clamped !== undefined ? { reason: `grace clamped from ${target.graceSeconds}s to fit the deadline` } : {}),
      };
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      if (err.status === 404) return gone('already gone');
      if (err.status === 409) return gone('replaced: the pod with this UID is gone');
      if (!isTransient(err) && err.status !== 429 && !isSeveralBudgetsRefusal(err)) {
        throw new KubeApiError(`evict pod ${ref}: ${err.message}`, err.status, err.reason, err.retryAfterSeconds);
      }
      refusal = err;
    }

    const after = clock.now();
    const budgetRefusal = refusal.status === 429 && !isTransient(refusal);
    const severalBudgets = isSeveralBudgetsRefusal(refusal);
    const why = budgetRefusal ? `disruption budget: ${refusal.message}` : severalBudgets ? `eviction error 500: ${refusal.message}` : `API error ${refusal.status}: ${refusal.message}`;
    if (budgetRefusal) pdbRefusals++;
    if (mayForce(after) && after >= forcePoint) return forceDelete(why);

    if (severalBudgets) {
      // Typically the pod matches several PodDisruptionBudgets: retrying cannot fix that.
      if (mayForce(after)) {
        log.warn('eviction cannot succeed; deleting when the deadline leaves no other way', { pod: ref, error: refusal.message });
        await clock.sleep(forcePoint - after);
        return mayForce(clock.now()) ? forceDelete(why) : { outcome: 'failed', reason: why, attempts, forced: false, pdbRefusals };
      }
      log.error('eviction failed; not retrying', { pod: ref, status: refusal.status, error: refusal.message });
      return { outcome: 'failed', reason: why, attempts, forced: false, pdbRefusals };
    }

    if (after >= policy.giveUpAt || policy.signal?.aborted) {
      log.warn(budgetRefusal ? 'disruption budget still refuses eviction; giving up on this pod' : 'eviction still failing; giving up on this pod for now', { pod: ref, attempts });
      return { outcome: 'pending', reason: `${why}; still refused when time ran out`, attempts, forced: false, pdbRefusals };
    }
    const retryAfterMs = (refusal.retryAfterSeconds ?? 0) * 1000;
    let wakeAt = after + Math.max(jitteredBackoff(step, random), retryAfterMs);
    wakeAt = Math.min(wakeAt, policy.giveUpAt);
    if (mayForce(after)) wakeAt = Math.min(wakeAt, forcePoint);
    step = Math.min(step * 2, options.backoffMaxMs);
    log.debug('eviction refused; backing off', { pod: ref, waitMs: wakeAt - after, reason: refusal.message });
    await clock.sleep(wakeAt - after, policy.signal);
  }
}
