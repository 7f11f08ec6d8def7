import pLimit, { type LimitFunction } from 'p-limit';
import type { V1Pod } from '@kubernetes/client-node';
import type { InterruptionConfig } from '../config/interruption.ts';
import type { KubeApi } from '../kube/port.ts';
import type { Clock } from '../util/clock.ts';
import type { Log } from '../observability/log.ts';
import { ANNOTATIONS, markDrained } from './cordon.ts';
import { evictPod, type EvictResult } from './evict.ts';
import type { PodFilter } from './filters.ts';
import { planDrain, type DrainPlan, type DrainPodIdentity, type DrainWarning, type PlannedPod } from './plan.ts';
import type { Tier } from './tiers.ts';
import { NodePodWatch } from './watch.ts';

export type PodOutcome = 'evicted' | 'deleted' | 'skipped' | 'failed' | 'pending';

export interface PodReport extends DrainPodIdentity {
  /**
   * evicted: the Eviction API accepted it (or it was already gone); deleted: force-deleted past its
   * budget to beat the deadline; skipped: left alone (see reason); failed: the API refused for good;
   * pending: never accepted before time ran out.
   */
  outcome: PodOutcome;
  reason?: string;
  attempts: number;
  forced: boolean;
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

export interface TierReport {
  tier: Tier;
  pods: number;
  startedAt: number;
  /** When the drain moved on: every pod gone or given up, or the tier's time share ran out. */
  endedAt: number;
  settled: boolean;
}

export interface DrainReport {
  nodeName: string;
  eventId: string;
  deadline: number | null;
  startedAt: number;
  cordonedAt?: number;
  /** When the completion marker was written; null when it was not (a newer event owns the node). */
  drainedAt: number | null;
  /** Every pod that had to go was gone by the deadline (by maxWaitSeconds without one). */
  deadlineMet: boolean;
  allGone: boolean;
  pods: PodReport[];
  applications: SparkAppReport[];
  tiers: TierReport[];
  warnings: DrainWarning[];
}

export interface DrainInput {
  nodeName: string;
  deadline: number | null;
  policy: { forceDelete: boolean };
  eventId: string;
  /** From the cordon; read back from the node annotation when absent. */
  cordonedAt?: number;
}

export interface DrainDeps {
  kube: KubeApi;
  clock: Clock;
  log: Log;
  options: InterruptionConfig['drain'];
  random?: () => number;
  filters?: readonly PodFilter[];
  /** Share one limiter across the nodes of a mass interruption; default: one per drain. */
  limit?: LimitFunction;
  /** Called once the plan is known, before the first eviction (events, dry-run displays). */
  onPlan?: (plan: DrainPlan) => void;
}

/** The drain ran to its end but some Kubernetes calls failed: the node is not marked complete. */
export class DrainIncompleteError extends Error {
  override name = 'DrainIncompleteError';
  constructor(
    message: string,
    readonly report: DrainReport,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

interface Tracked {
  plan: PlannedPod;
  report: PodReport;
  /** Eviction finished (whatever the outcome). */
  finished: boolean;
  gone: boolean;
}

const isGivenUp = (t: Tracked) => t.finished && (t.report.outcome === 'pending' || t.report.outcome === 'failed');
const isSettled = (t: Tracked) => t.gone || isGivenUp(t);

function reportOf(plan: PlannedPod): PodReport {
  return {
    namespace: plan.namespace,
    name: plan.name,
    uid: plan.uid,
    tier: plan.tier,
    ...(plan.sparkRole ? { sparkRole: plan.sparkRole } : {}),
    ...(plan.appId ? { appId: plan.appId } : {}),
    outcome: plan.verdict === 'skip' ? 'skipped' : 'pending',
    ...(plan.verdict === 'skip' ? { reason: plan.reason } : {}),
    attempts: 0,
    forced: false,
  };
}

/**
 * Drains a node that is already tainted and cordoned: Spark executors first, then other workloads,
 * then Spark drivers, then system-critical pods, all inside the deadline.
 *
 * Time budget. Evictions must be accepted by `budgetEnd` = deadline − margin (start +
 * maxWaitSeconds without a deadline). Pods keep shutting down until the deadline itself.
 *
 * Moving between tiers. Tier k's pods are evicted in parallel (calls bounded by `concurrency`);
 * the drain moves to tier k+1 when every pod of tier k is gone or given up, or at tier k's cut-off,
 * whichever comes first. The cut-off is the earlier of
 *   - its fair share: tier start + (budgetEnd − tier start) / (non-empty tiers left, this one
 *     included), so one pod stuck behind a disruption budget cannot starve the tiers after it, and
 *   - the latest start of tier k+1: budgetEnd − the longest grace in tier k+1, so the next tier can
 *     still shut down gracefully.
 * Pods whose tier was cut off keep being retried in the background; they are not abandoned.
 *
 * Drivers. On top of the tier order, each driver waits until every executor of its application on
 * this node is gone or given up (executors report their migrated blocks to the driver), or until
 * its own latest start, budgetEnd − its grace, when time forces it.
 *
 * Then it waits (re-listing every pollIntervalSeconds) until the evicted pods are gone or the
 * deadline (maxWaitSeconds without one) and writes the completion annotation on the node.
 */
export async function drainNode(input: DrainInput, deps: DrainDeps): Promise<DrainReport> {
  const { kube, clock, log, options } = deps;
  const random = deps.random ?? Math.random;
  const limit = deps.limit ?? pLimit(options.concurrency);
  const { nodeName, deadline, eventId } = input;
  const startedAt = clock.now();
  const budgetEnd = deadline !== null ? deadline - options.marginSeconds * 1000 : startedAt + options.maxWaitSeconds * 1000;
  const waitEnd = deadline !== null ? deadline : startedAt + options.maxWaitSeconds * 1000;
  const ctx = { node: nodeName, eventId };

  const pods = await kube.listPodsOnNode(nodeName);
  const plan = planDrain(pods, { nodeName, now: startedAt, deadline, marginSeconds: options.marginSeconds, ...(deps.filters ? { filters: deps.filters } : {}) });
  deps.onPlan?.(plan);
  for (const warning of plan.warnings) log.warn(warning.message, { ...ctx, code: warning.code, pod: warning.pod, appId: warning.appId });
  for (const skipped of plan.skipped) log.debug('pod skipped', { ...ctx, pod: `${skipped.namespace}/${skipped.name}`, reason: skipped.reason });

  // Pods the drain must see gone: the ones it evicts and the ones already terminating.
  const tracked = new Map<string, Tracked>();
  const skippedReports: PodReport[] = [];
  for (const tier of plan.tiers) for (const p of tier.pods) tracked.set(p.uid, { plan: p, report: reportOf(p), finished: false, gone: false });
  for (const p of plan.skipped) {
    if (p.waitForExit) tracked.set(p.uid, { plan: p, report: reportOf(p), finished: true, gone: false });
    else skippedReports.push(reportOf(p));
  }

  const watch = new NodePodWatch(kube, clock, nodeName, options.pollIntervalSeconds * 1000, (listed, at) => {
    const present = new Set(listed.map((pod: V1Pod) => pod.metadata?.uid));
    for (const t of tracked.values()) {
      if (!t.gone && !present.has(t.plan.uid)) {
        t.gone = true;
        t.report.goneAt = at;
        log.info('pod gone', { ...ctx, pod: `${t.plan.namespace}/${t.plan.name}`, tier: t.plan.tier });
      }
    }
  });

  const errors: unknown[] = [];
  const apply = (t: Tracked, result: EvictResult) => {
    const { report } = t;
    report.outcome = result.outcome;
    report.attempts = result.attempts;
    report.forced = result.forced;
    if (result.reason !== undefined) report.reason = result.reason;
    if (result.gracePeriodSeconds !== undefined) report.gracePeriodSeconds = result.gracePeriodSeconds;
    if (result.acceptedAt !== undefined) report.actedAt = result.acceptedAt;
    if (result.goneAt !== undefined && !t.gone) {
      t.gone = true;
      report.goneAt = result.goneAt;
    }
  };

  const evictTracked = async (t: Tracked): Promise<void> => {
    try {
      if (t.gone) {
        t.report.outcome = 'skipped';
        t.report.reason = 'went away before its turn';
        return;
      }
      const result = await evictPod(
        { namespace: t.plan.namespace, name: t.plan.name, uid: t.plan.uid, graceSeconds: t.plan.graceSeconds },
        { deadline, giveUpAt: budgetEnd, forceDelete: input.policy.forceDelete },
        { kube, clock, log, options, random, limit },
      );
      apply(t, result);
    } catch (err) {
      errors.push(err);
      t.report.outcome = 'failed';
      t.report.reason = `Kubernetes API error: ${err instanceof Error ? err.message : String(err)}`;
      log.error('eviction failed with an API error', { ...ctx, pod: `${t.plan.namespace}/${t.plan.name}`, error: t.report.reason });
    } finally {
      t.finished = true;
    }
  };

  const executorsSettled = (appId: string | undefined) =>
    [...tracked.values()].every((t) => t.plan.sparkRole !== 'executor' || (appId !== undefined && t.plan.appId !== appId) || isSettled(t));

  const evictDriver = async (t: Tracked): Promise<void> => {
    const latestStart = budgetEnd - t.plan.graceSeconds * 1000;
    let ready: boolean;
    try {
      ready = await watch.waitFor(() => executorsSettled(t.plan.appId), latestStart);
    } catch (err) {
      // Blind to whether its executors are still migrating: leave the driver to the retry, which
      // resumes the drain, rather than kill the application's block registry under them.
      errors.push(err);
      t.report.reason = "not evicted: the node's pods could not be listed to see its executors gone";
      t.finished = true;
      return;
    }
    if (!ready) {
      log.warn('evicting Spark driver while its executors are still on the node: time forces it', {
        ...ctx,
        pod: `${t.plan.namespace}/${t.plan.name}`,
        appId: t.plan.appId,
      });
    }
    await evictTracked(t);
  };

  const tasks: Promise<void>[] = [];
  const tierReports: TierReport[] = [];
  for (const [index, tier] of plan.tiers.entries()) {
    const tierStart = clock.now();
    const members = tier.pods.map((p) => tracked.get(p.uid)).filter((t): t is Tracked => t !== undefined);
    log.info('evicting tier', { ...ctx, tier: tier.tier, pods: members.length });
    const tierTasks = members.map((t) => (tier.tier === 'spark-driver' ? evictDriver(t) : evictTracked(t)));
    tasks.push(...tierTasks);

    const next = plan.tiers[index + 1];
    let settled = members.every(isSettled);
    if (next) {
      const fairShareEnd = tierStart + Math.max(0, budgetEnd - tierStart) / (plan.tiers.length - index);
      const nextLatestStart = budgetEnd - Math.max(...next.pods.map((p) => p.graceSeconds)) * 1000;
      try {
        settled = await watch.waitFor(() => members.every(isSettled), Math.min(fairShareEnd, nextLatestStart), Promise.all(tierTasks));
      } catch (err) {
        // The node's pods cannot be listed: start nothing more, let what runs finish, then report.
        errors.push(err);
        tierReports.push({ tier: tier.tier, pods: members.length, startedAt: tierStart, endedAt: clock.now(), settled: false });
        break;
      }
      if (!settled) log.warn('tier not finished at its cut-off; moving on', { ...ctx, tier: tier.tier, next: next.tier });
    }
    tierReports.push({ tier: tier.tier, pods: members.length, startedAt: tierStart, endedAt: clock.now(), settled });
  }
  await Promise.all(tasks);

  const shouldGo = (t: Tracked) => t.report.outcome === 'evicted' || t.report.outcome === 'deleted' || t.plan.waitForExit;
  if (errors.length === 0) {
    try {
      await watch.waitFor(() => [...tracked.values()].every((t) => t.gone || !shouldGo(t)), waitEnd, Promise.all(tasks));
    } catch (err) {
      errors.push(err);
    }
  }

  const podReports = [...[...tracked.values()].map((t) => t.report), ...skippedReports];
  const remaining = [...tracked.values()].filter((t) => !t.gone);
  const warnings = [...plan.warnings];
  for (const t of tracked.values()) {
    if (t.report.outcome === 'failed') {
      warnings.push({ code: 'eviction-failed', pod: `${t.plan.namespace}/${t.plan.name}`, message: `could not evict ${t.plan.namespace}/${t.plan.name}: ${t.report.reason}` });
    }
  }
  if (remaining.length > 0) {
    warnings.push({
      code: 'pods-remaining',
      message: `${remaining.length} pod(s) still on ${nodeName} when the drain ended: ${remaining.map((t) => `${t.plan.namespace}/${t.plan.name}`).join(', ')}`,
    });
  }
  const allGone = remaining.length === 0;
  const deadlineMet = allGone && [...tracked.values()].every((t) => deadline === null || (t.report.goneAt ?? Infinity) <= deadline);

  const report: DrainReport = {
    nodeName,
    eventId,
    deadline,
    startedAt,
    drainedAt: null,
    deadlineMet,
    allGone,
    pods: podReports,
    applications: sparkApplications([...tracked.values()]),
    tiers: tierReports,
    warnings,
  };
  if (input.cordonedAt !== undefined) report.cordonedAt = input.cordonedAt;

  if (errors.length > 0) {
    throw new DrainIncompleteError(
      `drain of ${nodeName} hit ${errors.length} Kubernetes API error(s); the node is left unmarked so a retry resumes it`,
      report,
      errors[0],
    );
  }
  report.drainedAt = await markDrained(nodeName, eventId, { kube, clock, log });
  if (report.cordonedAt === undefined) {
    const annotated = Date.parse((await kube.getNode(nodeName))?.metadata?.annotations?.[ANNOTATIONS.cordonedAt] ?? '');
    if (!Number.isNaN(annotated)) report.cordonedAt = annotated;
  }
  log.info('drain finished', {
    ...ctx,
    allGone,
    deadlineMet,
    evicted: podReports.filter((p) => p.outcome === 'evicted').length,
    deleted: podReports.filter((p) => p.outcome === 'deleted').length,
    pending: podReports.filter((p) => p.outcome === 'pending').length,
    failed: podReports.filter((p) => p.outcome === 'failed').length,
  });
  return report;
}

function sparkApplications(tracked: Tracked[]): SparkAppReport[] {
  const apps = new Map<string, SparkAppReport>();
  for (const t of tracked) {
    if (!t.plan.sparkRole) continue;
    const appId = t.plan.appId ?? 'unknown';
    const app = apps.get(appId) ?? { appId, executors: 0, executorsGone: 0, driverOnNode: false };
    if (t.plan.sparkRole === 'executor') {
      app.executors++;
      if (t.gone) app.executorsGone++;
    } else {
      app.driverOnNode = true;
      app.driver = `${t.plan.namespace}/${t.plan.name}`;
    }
    apps.set(appId, app);
  }
  return [...apps.values()];
}
