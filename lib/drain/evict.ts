import type { LimitFunction } from 'p-limit';
import type { InterruptionConfig } from '../config/interruption.ts';
import { KubeApiError, isSeveralBudgetsRefusal, isTransient, type KubeApi } from '../kube/port.ts';
import { jitteredBackoff } from '../util/backoff.ts';
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
  /** Told what happens to the pod, for Kubernetes Events (aggregated by the recorder). */
  observe?: (reason: 'Evicted' | 'EvictionBlocked' | 'ForceDeleted', note: string) => void;
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

/**
 * Evicts one pod through the policy/v1 Eviction API with a UID precondition.
 *
 * - 429 (a PodDisruptionBudget refuses): jittered exponential backoff, honouring Retry-After, until
 *   `giveUpAt` → 'pending'.
 * - 404 (gone) / 409 (the UID changed: the pod we meant is gone) → done.
 * - 500 because the pod matches several budgets (the API cannot decide) → 'failed', not retried.
 * - A transient API failure (throttling, another 5xx, a reset) that outlived the client's own
 *   retries: backed off and tried again like a refusal, until `giveUpAt`. It never ends the drain.
 * - Forced deletion (the rule docs/drain.md's "The drain, in order" states): only when the policy allows
 *   it, the event has a deadline that has not come, and the pod is still refused at or after its
 *   force point, `deadline − margin − its own grace − 1 s` (1 s for the last attempt and the
 *   deletion call): the last moment at which a deletion still gives it its whole grace before
 *   `deadline − margin`. Until then Lifeguard keeps asking (a refused attempt is always retried at
 *   the force point itself), so a budget that frees its waves in time lets the pod go by eviction;
 *   after it, every second spent waiting for the budget would come off the pod's grace, and the
 *   instance going away would kill it anyway. "Refused" is a budget's 429, a 500 for several
 *   budgets (no eviction can succeed: it waits for the force point instead of retrying), or an
 *   Eviction API that keeps failing. The force point depends on the deadline and the pod's own
 *   grace only, never on when the drain got to the pod; the drain starts every workload at once
 *   so that no wait for other pods brings it closer. DELETE with
 *   `gracePeriodSeconds = max(1, min(grace, floor(left / 1000)))`: the whole grace, unless the pod's
 *   grace is longer than the window or time forced it out late (a driver, a critical pod).
 * - Anything else (403, 400...) is permanent: thrown, with the pod named.
 */
export function evictPod(target: EvictTarget, policy: EvictPolicy, deps: EvictDeps): Promise<EvictResult> {
  return new PodEviction(target, policy, deps).run();
}

/** One pod's eviction: its attempts, refusals and backoff, and the decision to force. */
class PodEviction {
  private attempts = 0;
  private pdbRefusals = 0;
  private step: number;
  private readonly ref: string;
  private readonly marginMs: number;
  /**
   * The last moment at which a deletion still gives the pod its whole grace (in whole seconds,
   * after one more eviction attempt and the deletion call itself).
   */
  private readonly forcePoint: number;

  constructor(
    private readonly target: EvictTarget,
    private readonly policy: EvictPolicy,
    private readonly deps: EvictDeps,
  ) {
    this.step = deps.options.backoffInitialMs;
    this.ref = `${target.namespace}/${target.name}`;
    this.marginMs = deps.options.marginSeconds * 1000;
    this.forcePoint = policy.deadline === null ? Number.POSITIVE_INFINITY : policy.deadline - this.marginMs - target.graceSeconds * 1000 - FORCE_SLACK_MS;
  }

  async run(): Promise<EvictResult> {
    for (;;) {
      const answer = await this.tryEvict();
      if (!(answer instanceof KubeApiError)) return answer;
      const next = await this.afterRefusal(answer);
      if (typeof next !== 'number') return next;
      this.deps.log.debug('eviction refused; backing off', { pod: this.ref, waitMs: next - this.deps.clock.now(), reason: answer.message });
      await this.deps.clock.sleep(next - this.deps.clock.now(), this.policy.signal);
    }
  }

  private leftAt(t: number): number {
    return this.policy.deadline === null ? Number.POSITIVE_INFINITY : this.policy.deadline - t - this.marginMs;
  }

  private mayForce(t: number): boolean {
    return this.policy.forceDelete && this.policy.deadline !== null && t < this.policy.deadline;
  }

  private result(outcome: EvictOutcome, extra: Partial<EvictResult> = {}): EvictResult {
    return { outcome, attempts: this.attempts, forced: false, pdbRefusals: this.pdbRefusals, ...extra };
  }

  private gone(reason: string): EvictResult {
    return this.result('evicted', { reason, goneAt: this.deps.clock.now() });
  }

  /** One Eviction call: the result when it ends the eviction, the refusal when it does not. */
  private async tryEvict(): Promise<EvictResult | KubeApiError> {
    const { kube, clock, log, limit } = this.deps;
    const { target } = this;
    const clamped = graceThatFits(target.graceSeconds, this.leftAt(clock.now()));
    this.attempts++;
    try {
      await limit(() => kube.evictPod(target.namespace, target.name, target.uid, clamped));
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      if (err.status === 404) return this.gone('already gone');
      if (err.status === 409) return this.gone('replaced: the pod with this UID is gone');
      if (!isTransient(err) && err.status !== 429 && !isSeveralBudgetsRefusal(err)) {
        throw new KubeApiError(`evict pod ${this.ref}: ${err.message}`, err.status, err.reason, err.retryAfterSeconds, { cause: err });
      }
      return err;
    }
    log.info('pod evicted', { pod: this.ref, gracePeriodSeconds: clamped ?? target.graceSeconds, attempts: this.attempts });
    this.deps.observe?.('Evicted', `evicted with a ${clamped ?? target.graceSeconds}s grace`);
    return this.result('evicted', {
      gracePeriodSeconds: clamped ?? target.graceSeconds,
      acceptedAt: clock.now(),
      ...(clamped !== undefined ? { reason: `grace clamped from ${target.graceSeconds}s to fit the deadline` } : {}),
    });
  }

  /** After a refusal: the result when the eviction ends here, else when to try again (epoch ms). */
  private async afterRefusal(refusal: KubeApiError): Promise<EvictResult | number> {
    const { clock, log, random, options } = this.deps;
    const after = clock.now();
    const budgetRefusal = refusal.status === 429 && !isTransient(refusal);
    const severalBudgets = isSeveralBudgetsRefusal(refusal);
    const why = budgetRefusal ? `disruption budget: ${refusal.message}` : severalBudgets ? `eviction error 500: ${refusal.message}` : `API error ${refusal.status}: ${refusal.message}`;
    if (budgetRefusal) {
      this.pdbRefusals++;
      this.deps.observe?.('EvictionBlocked', `eviction refused: ${refusal.message}`);
    }
    if (this.mayForce(after) && after >= this.forcePoint) return this.forceDelete(why);

    if (severalBudgets) {
      // Typically the pod matches several PodDisruptionBudgets: retrying cannot fix that.
      if (!this.mayForce(after)) {
        log.error('eviction failed; not retrying', { pod: this.ref, status: refusal.status, error: refusal.message });
        return this.result('failed', { reason: why });
      }
      log.warn('eviction cannot succeed; deleting when the deadline leaves no other way', { pod: this.ref, error: refusal.message });
      await clock.sleep(this.forcePoint - after);
      return this.mayForce(clock.now()) ? this.forceDelete(why) : this.result('failed', { reason: why });
    }

    if (after >= this.policy.giveUpAt || this.policy.signal?.aborted) {
      log.warn(budgetRefusal ? 'disruption budget still refuses eviction; giving up on this pod' : 'eviction still failing; giving up on this pod for now', { pod: this.ref, attempts: this.attempts });
      return this.result('pending', { reason: `${why}; still refused when time ran out` });
    }
    const retryAfterMs = (refusal.retryAfterSeconds ?? 0) * 1000;
    let wakeAt = Math.min(after + Math.max(jitteredBackoff(this.step, random), retryAfterMs), this.policy.giveUpAt);
    if (this.mayForce(after)) wakeAt = Math.min(wakeAt, this.forcePoint);
    this.step = Math.min(this.step * 2, options.backoffMaxMs);
    return wakeAt;
  }

  /**
   * DELETE with the grace that still fits (never 0: a zero grace removes the pod from the API at
   * once while its containers may still run — a StatefulSet could start a second copy; 1 s is the
   * shortest graceful deletion). A failing API is retried while a deletion can still beat the deadline.
   */
  private async forceDelete(refusal: string): Promise<EvictResult> {
    const { kube, clock, log, limit, random, options } = this.deps;
    const { target, policy } = this;
    let grace: number;
    for (let step = options.backoffInitialMs; ; step = Math.min(step * 2, options.backoffMaxMs)) {
      grace = Math.max(1, Math.min(target.graceSeconds, Math.floor(this.leftAt(clock.now()) / 1000)));
      this.attempts++;
      try {
        await limit(() => kube.deletePod(target.namespace, target.name, target.uid, grace));
        break;
      } catch (err) {
        if (err instanceof KubeApiError && (err.status === 404 || err.status === 409)) return this.gone('went away before the forced deletion');
        if (!isTransient(err) || !this.mayForce(clock.now() + step) || policy.signal?.aborted) throw err;
        await clock.sleep(jitteredBackoff(step, random), policy.signal);
      }
    }
    log.warn('pod deleted past its disruption budget to beat the deadline', { pod: this.ref, gracePeriodSeconds: grace, refusal });
    this.deps.observe?.('ForceDeleted', `deleted with a ${grace}s grace to beat the deadline (${refusal})`);
    return this.result('deleted', {
      reason: `eviction refused (${refusal}); deleted with a ${grace}s grace so it stops before the deadline`,
      forced: true,
      gracePeriodSeconds: grace,
      acceptedAt: clock.now(),
    });
  }
}
