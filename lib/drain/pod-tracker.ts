import type { V1Pod } from '@kubernetes/client-node';
import type { EvictResult } from './evict.ts';
import { isOwnExecutor } from './own-executors.ts';
import type { DrainPlan, DrainPodIdentity, PlannedPod } from './plan.ts';

export type PodOutcome = 'evicted' | 'deleted' | 'skipped' | 'failed' | 'pending';

export interface PodReport extends DrainPodIdentity {
  /**
   * evicted: the Eviction API accepted it (or it was already gone); deleted: force-deleted past its
   * budget to beat the deadline; skipped: left alone (see reason); failed: the API refused for good;
   * pending: not accepted before this invocation stopped (time ran out, or handed over).
   */
  outcome: PodOutcome;
  reason?: string;
  attempts: number;
  forced: boolean;
  /** The pod has the Spark decommission preStop hook. */
  decommissionHook?: boolean;
  gracePeriodSeconds?: number;
  /** When the eviction/deletion was accepted (epoch ms). */
  actedAt?: number;
  /** When the pod was first seen gone (epoch ms). */
  goneAt?: number;
}

export interface SparkAppReport {
  appId: string;
  /** Executors of the application on this node. */
  executors: number;
  executorsGone: number;
  driverOnNode: boolean;
  driver?: string;
}

interface Tracked {
  plan: PlannedPod;
  report: PodReport;
  /** Eviction finished (whatever the outcome). */
  finished: boolean;
  gone: boolean;
}

const ref = (p: DrainPodIdentity) => `${p.namespace}/${p.name}`;

function reportOf(plan: PlannedPod): PodReport {
  return {
    namespace: plan.namespace,
    name: plan.name,
    uid: plan.uid,
    tier: plan.tier,
    ...(plan.sparkRole ? { sparkRole: plan.sparkRole } : {}),
    ...(plan.appId ? { appId: plan.appId } : {}),
    ...(plan.sparkRole === 'executor' ? { decommissionHook: plan.decommissionHook } : {}),
    outcome: plan.verdict === 'skip' ? 'skipped' : 'pending',
    ...(plan.verdict === 'skip' ? { reason: plan.reason } : {}),
    attempts: 0,
    forced: false,
  };
}

/**
 * What the drain knows about each pod of the node: the ones it evicts, the ones already terminating
 * that it waits for, and the ones it leaves alone. One place for "is it gone, is it settled", and
 * the per-pod and per-application report.
 */
export class PodTracker {
  private readonly tracked = new Map<string, Tracked>();
  private readonly skipped: PodReport[] = [];

  constructor(plan: DrainPlan) {
    for (const tier of plan.tiers) for (const p of tier.pods) this.tracked.set(p.uid, { plan: p, report: reportOf(p), finished: false, gone: false });
    for (const p of plan.skipped) {
      if (p.waitForExit) this.tracked.set(p.uid, { plan: p, report: reportOf(p), finished: true, gone: false });
      else this.skipped.push(reportOf(p));
    }
  }

  /** Pods missing from a fresh list of the node are gone; returns the ones newly seen gone. */
  observe(listed: readonly V1Pod[], at: number): PodReport[] {
    const present = new Set(listed.map((pod) => pod.metadata?.uid));
    const newlyGone: PodReport[] = [];
    for (const t of this.tracked.values()) {
      if (!t.gone && !present.has(t.plan.uid)) {
        t.gone = true;
        t.report.goneAt = at;
        newlyGone.push(t.report);
      }
    }
    return newlyGone;
  }

  isGone(uid: string): boolean {
    return this.tracked.get(uid)?.gone === true;
  }

  /** Records the eviction's result; `undefined` result: it was gone before its turn. */
  finish(uid: string, result: EvictResult | { failed: string } | undefined): void {
    const t = this.tracked.get(uid);
    if (!t) return;
    t.finished = true;
    const { report } = t;
    if (result === undefined) {
      Object.assign(report, { outcome: 'skipped', reason: 'went away before its turn' });
      return;
    }
    if ('failed' in result) {
      Object.assign(report, { outcome: 'failed', reason: result.failed });
      return;
    }
    Object.assign(report, { outcome: result.outcome, attempts: result.attempts, forced: result.forced });
    if (result.reason !== undefined) report.reason = result.reason;
    if (result.gracePeriodSeconds !== undefined) report.gracePeriodSeconds = result.gracePeriodSeconds;
    if (result.acceptedAt !== undefined) report.actedAt = result.acceptedAt;
    if (result.goneAt !== undefined && !t.gone) {
      t.gone = true;
      report.goneAt = result.goneAt;
    }
  }

  /** Gone, or given up on (its eviction ended pending or failed). */
  isSettled(uid: string): boolean {
    const t = this.tracked.get(uid);
    if (!t) return true;
    return t.gone || (t.finished && (t.report.outcome === 'pending' || t.report.outcome === 'failed'));
  }

  allSettled(uids: readonly string[]): boolean {
    return uids.every((uid) => this.isSettled(uid));
  }

  /** Every executor of this driver's own on the node is gone or given up (the driver may go); see isOwnExecutor. */
  ownExecutorsSettled(driver: PlannedPod): boolean {
    return [...this.tracked.values()].every((t) => !isOwnExecutor(driver, t.plan) || this.isSettled(t.plan.uid));
  }

  /** Pods that had to leave (evicted, deleted, or already terminating) and are still there. */
  stillLeaving(): PodReport[] {
    return [...this.tracked.values()].filter((t) => !t.gone && (t.report.outcome === 'evicted' || t.report.outcome === 'deleted' || t.plan.waitForExit)).map((t) => t.report);
  }

  /** Every tracked pod not yet seen gone. */
  remaining(): PodReport[] {
    return [...this.tracked.values()].filter((t) => !t.gone).map((t) => t.report);
  }

  failed(): PodReport[] {
    return [...this.tracked.values()].filter((t) => t.report.outcome === 'failed').map((t) => t.report);
  }

  /** Every tracked pod was gone by `deadline`. */
  allGoneBy(deadline: number): boolean {
    return [...this.tracked.values()].every((t) => (t.report.goneAt ?? Infinity) <= deadline);
  }

  get size(): number {
    return this.tracked.size;
  }

  reports(): PodReport[] {
    return [...[...this.tracked.values()].map((t) => t.report), ...this.skipped];
  }

  applications(): SparkAppReport[] {
    const apps = new Map<string, SparkAppReport>();
    for (const t of this.tracked.values()) {
      if (!t.plan.sparkRole) continue;
      const appId = t.plan.appId ?? 'unknown';
      const app = apps.get(appId) ?? { appId, executors: 0, executorsGone: 0, driverOnNode: false };
      if (t.plan.sparkRole === 'executor') {
        app.executors++;
        if (t.gone) app.executorsGone++;
      } else {
        app.driverOnNode = true;
        app.driver = ref(t.plan);
      }
      apps.set(appId, app);
    }
    return [...apps.values()];
  }
}
