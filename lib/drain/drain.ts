import pLimit, { type LimitFunction } from 'p-limit';
import type { InterruptionConfig } from '../config/interruption.ts';
import type { KubeApi } from '../kube/port.ts';
import { retryTransient } from '../kube/retry-transient.ts';
import type { Clock } from '../util/clock.ts';
import type { Log } from '../observability/log.ts';
import { evictPod } from './evict.ts';
import type { PodFilter } from './filters.ts';
import { planDrain, type DrainPlan, type DrainWarning, type PlannedPod } from './plan.ts';
import { PodTracker, type PodReport, type SparkAppReport } from './pod-tracker.ts';
import { criticalCutoff } from './critical-cutoff.ts';
import { TierProgress, type TierReport } from './tier-progress.ts';
import type { Tier } from './tiers.ts';
import { NodePodWatch } from './watch.ts';
import { errorMessage } from '../util/errors.ts';

export type { PodOutcome, PodReport, SparkAppReport } from './pod-tracker.ts';
export type { TierReport } from './tier-progress.ts';

export interface DrainReport {
  nodeName: string;
  eventId: string;
  deadline: number | null;
  startedAt: number;
  cordonedAt?: number;
  /** When the completion was recorded on the node (by the caller); null while it is not. */
  drainedAt: number | null;
  /**
   * Every pod that had to go was gone by the deadline. With no deadline, or a deadline that had
   * already passed when the drain started (a stopping instance: "now"), it means every pod left.
   * Null when there was nothing to drain, or when this invocation stopped before the drain ended
   * (`incomplete`): the invocation that finishes the drain says whether it met the deadline.
   */
  deadlineMet: boolean | null;
  allGone: boolean;
  /**
   * Set when this invocation stopped before the drain ended: `hand-over`, its time was running
   * out and the next invocation resumes; `lease-lost`, a more urgent event took the node over.
   */
  incomplete?: 'hand-over' | 'lease-lost';
  /** Permanent API errors (operation and object named): the drain could not do its job. */
  errors: string[];
  /** Transient API failures that were retried (lists and evictions). */
  transientFailures: number;
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
  /** From the cordon: also where a drain without a deadline starts counting `maxDrainMinutes`. */
  cordonedAt?: number;
  /** This invocation must stop by then and hand over (its own time runs out). */
  stopAt?: number;
  /** Aborts when the lease on the node is lost. */
  signal?: AbortSignal;
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
  /** Told what happens to each pod it acts on (Kubernetes Events). */
  onPodEvent?: (pod: PlannedPod, reason: 'Evicted' | 'EvictionBlocked' | 'ForceDeleted', note: string) => void;
}

/** The times a drain works to, epoch ms. */
interface Window {
  /** Evictions must be accepted by then: deadline − margin, or cordon + maxDrainMinutes. */
  budgetEnd: number;
  /**
   * Pods may still be shutting down until then: the deadline. When the deadline had already
   * passed at the start (a stopping instance: "now"), the pods' own longest grace from the start.
   */
  waitEnd: number;
  /** This invocation stops by then and hands over (its own time runs out). */
  stopAt: number;
}

function windowOf(input: DrainInput, startedAt: number, options: DrainDeps['options'], longestGraceSeconds = 0): Window {
  const marginMs = options.marginSeconds * 1000;
  const budgetEnd = input.deadline !== null ? input.deadline - marginMs : (input.cordonedAt ?? startedAt) + options.maxDrainMinutes * 60_000;
  const waitEnd = input.deadline === null ? budgetEnd : input.deadline > startedAt ? input.deadline : startedAt + longestGraceSeconds * 1000 + marginMs;
  return { budgetEnd, waitEnd, stopAt: input.stopAt ?? Number.POSITIVE_INFINITY };
}

const longestGrace = (plan: DrainPlan) => Math.max(0, ...plan.tiers.flatMap((t) => t.pods.map((p) => p.graceSeconds)));

/**
 * Drains a node that is already tainted and cordoned, all inside the deadline (see tiers.ts for
 * the order and why):
 * - Spark executors and other workloads are evicted at once (calls bounded by `concurrency`,
 *   executors first in the queue), so a workload that its PodDisruptionBudget lets go only in
 *   waves has the whole window for them;
 * - each Spark driver waits until every executor of its own on this node is gone or given up
 *   (see isOwnExecutor), or until its latest start, budgetEnd − its grace;
 * - system-critical pods wait until every other evicted pod is gone or given up, or until their
 *   cut-off (see criticalCutoff).
 * No wait ever forces a pod out: a pod is force-deleted only by its own eviction, when the time
 * left can no longer hold its grace (see evictPod).
 *
 * Then it waits until the evicted pods are gone or the deadline; recording the completion on the
 * node is the caller's (it goes with the node's lifecycle). Transient API failures never end a drain: they are retried until the deadline. When
 * the invocation's own time runs out first (`stopAt`) or its lease is lost, it returns an
 * `incomplete` report and writes no marker: the next invocation plans again from the node's pods.
 */
export async function drainNode(input: DrainInput, deps: DrainDeps): Promise<DrainReport> {
  const { clock, log } = deps;
  const startedAt = clock.now();
  const ctx = { node: input.nodeName, eventId: input.eventId };
  const watch = new NodePodWatch(deps.kube, clock, input.nodeName, deps.options.pollIntervalSeconds * 1000);
  try {
    const plan = await initialPlan(input, windowOf(input, startedAt, deps.options), watch, deps);
    const window = windowOf(input, startedAt, deps.options, longestGrace(plan));
    deps.onPlan?.(plan);
    for (const warning of plan.warnings) log.warn(warning.message, { ...ctx, code: warning.code, pod: warning.pod, appId: warning.appId });

    const tracker = new PodTracker(plan);
    const progress = new TierProgress(plan, (uid) => tracker.isSettled(uid));
    watch.follow((listed, at) => {
      for (const gone of tracker.observe(listed, at)) log.info('pod gone', { ...ctx, pod: `${gone.namespace}/${gone.name}`, tier: gone.tier });
      progress.update(at);
    });
    const errors: string[] = [];
    const run = { input, deps, window, tracker, progress, watch, errors, limit: deps.limit ?? pLimit(deps.options.concurrency) };

    const tasks = await evictInOrder(plan, run);
    await Promise.all(tasks);
    const stillLeaving = () => tracker.stillLeaving().length === 0;
    if (!input.signal?.aborted) await watch.waitFor(stillLeaving, Math.min(window.waitEnd, window.stopAt), { firstLookAfter: Promise.resolve(), ...(input.signal ? { signal: input.signal } : {}) });
    return finish(plan, progress.reports(clock.now()), startedAt, run);
  } finally {
    watch.close();
  }
}

interface Run {
  input: DrainInput;
  deps: DrainDeps;
  window: Window;
  tracker: PodTracker;
  progress: TierProgress;
  watch: NodePodWatch;
  errors: string[];
  limit: LimitFunction;
}

/** Reads the node's pods (the watch's start) and plans; a transient failure is retried until the budget runs out. */
async function initialPlan(input: DrainInput, window: Window, watch: NodePodWatch, deps: DrainDeps): Promise<DrainPlan> {
  const { clock, options } = deps;
  const list = await retryTransient(() => watch.start(), {
    clock,
    until: Math.min(window.waitEnd, window.stopAt),
    initialMs: options.backoffInitialMs,
    maxMs: options.backoffMaxMs,
    ...(deps.random ? { random: deps.random } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    onRetry: (err) => deps.log.warn("reading the node's pods failed; retrying", { node: input.nodeName, error: errorMessage(err) }),
  });
  return planDrain(list.items, {
    nodeName: input.nodeName,
    now: clock.now(),
    deadline: input.deadline,
    marginSeconds: options.marginSeconds,
    ...(deps.filters ? { filters: deps.filters } : {}),
  });
}

/**
 * Starts every eviction in the drain's order: executors and workloads now, each driver once its own
 * executors are gone, critical pods once everything else is; returns every eviction task started.
 */
async function evictInOrder(plan: DrainPlan, run: Run): Promise<Promise<void>[]> {
  const { deps, window, tracker, progress, watch, input } = run;
  const drainStart = deps.clock.now();
  // Reading the pods took this invocation's time (or its lease): the next one plans again.
  if (input.signal?.aborted || drainStart >= window.stopAt) return [];
  const podsOf = (tier: Tier) => plan.tiers.find((t) => t.tier === tier)?.pods ?? [];
  const begin = (tier: Tier) => {
    const pods = podsOf(tier);
    deps.log.info(`evicting tier ${tier}: ${pods.length} pod(s)`, { node: input.nodeName, tier, pods: pods.map((p) => `${p.namespace}/${p.name}`) });
    progress.started(tier, deps.clock.now());
    return pods.map((p) => evictOne(p, run));
  };

  // Executors first in the queue of calls (the limiter is first come, first served).
  const evictions = (['spark-executor', 'workload'] as const).filter((tier) => podsOf(tier).length > 0).flatMap(begin);
  const drivers = podsOf('spark-driver').map((p) => evictDriver(p, run));
  const tasks = [...evictions, ...drivers];

  const critical = podsOf('system-critical');
  if (critical.length === 0) return tasks;
  const others = plan.tiers.filter((t) => t.tier !== 'system-critical').flatMap((t) => t.pods.map((p) => p.uid));
  const cutoff = criticalCutoff({ drainStart, budgetEnd: window.budgetEnd, longestGraceSeconds: Math.max(...critical.map((p) => p.graceSeconds)) });
  const ready = await watch.waitFor(() => tracker.allSettled(others), Math.min(cutoff, window.stopAt), {
    firstLookAfter: Promise.all(evictions),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  // This invocation stops before the cut-off: the next one decides.
  if (!ready && (input.signal?.aborted || deps.clock.now() < cutoff)) return tasks;
  if (!ready) {
    const left = others.filter((uid) => !tracker.isSettled(uid)).length;
    deps.log.warn(`evicting tier system-critical at its cut-off: ${left} other pod(s) still leaving`, { node: input.nodeName, left });
  }
  return [...tasks, ...begin('system-critical')];
}

async function evictOne(pod: PlannedPod, run: Run): Promise<void> {
  const { deps, window, tracker, input } = run;
  if (tracker.isGone(pod.uid)) return tracker.finish(pod.uid, undefined);
  try {
    const result = await evictPod(
      { namespace: pod.namespace, name: pod.name, uid: pod.uid, graceSeconds: pod.graceSeconds },
      {
        deadline: input.deadline,
        giveUpAt: Math.min(window.budgetEnd, window.stopAt),
        forceDelete: input.policy.forceDelete,
        ...(input.signal ? { signal: input.signal } : {}),
      },
      {
        kube: deps.kube,
        clock: deps.clock,
        log: deps.log,
        options: deps.options,
        random: deps.random ?? Math.random,
        limit: run.limit,
        ...(deps.onPodEvent ? { observe: (reason, note) => deps.onPodEvent!(pod, reason, note) } : {}),
      },
    );
    tracker.finish(pod.uid, result);
  } catch (err) {
    const message = errorMessage(err);
    run.errors.push(message);
    tracker.finish(pod.uid, { failed: `Kubernetes API error: ${message}` });
    deps.log.error('eviction failed with an API error', { node: input.nodeName, pod: `${pod.namespace}/${pod.name}`, error: message });
  } finally {
    // A pod given up on settles without leaving the node: waiters on it must hear of it.
    run.progress.update(deps.clock.now());
    run.watch.nudge();
  }
}

/** Evicts a driver once every executor of its own on this node is gone, or when time forces it. */
async function evictDriver(pod: PlannedPod, run: Run): Promise<void> {
  const { deps, window, tracker, watch, progress, input } = run;
  const latestStart = window.budgetEnd - pod.graceSeconds * 1000;
  const ready = await watch.waitFor(() => tracker.ownExecutorsSettled(pod), Math.min(latestStart, window.stopAt), input.signal ? { signal: input.signal } : {});
  if (!ready && (deps.clock.now() >= window.stopAt || input.signal?.aborted) && deps.clock.now() < latestStart) {
    // This invocation stops before time forces the driver out: the next one decides.
    return;
  }
  if (!ready) {
    deps.log.warn('evicting Spark driver while its executors are still on the node: time forces it', { node: input.nodeName, pod: `${pod.namespace}/${pod.name}`, appId: pod.appId });
  } else {
    deps.log.info('evicting Spark driver: no executor of its own is left on this node', { node: input.nodeName, pod: `${pod.namespace}/${pod.name}`, appId: pod.appId });
  }
  progress.started('spark-driver', deps.clock.now());
  await evictOne(pod, run);
}

function finish(plan: DrainPlan, tiers: TierReport[], startedAt: number, run: Run): DrainReport {
  const { input, deps, tracker, errors } = run;
  const remaining = tracker.remaining();
  const allGone = remaining.length === 0;
  const warnings = [...plan.warnings];
  for (const p of tracker.failed()) warnings.push({ code: 'eviction-failed', pod: `${p.namespace}/${p.name}`, message: `could not evict ${p.namespace}/${p.name}: ${p.reason}` });
  const incomplete = !allGone && errors.length === 0 ? stoppedEarly(run) : undefined;
  if (remaining.length > 0 && !incomplete) {
    warnings.push({ code: 'pods-remaining', message: `${remaining.length} pod(s) still on ${input.nodeName} when the drain ended: ${remaining.map((p) => `${p.namespace}/${p.name}`).join(', ')}` });
  }
  const deadlineAlreadyPassed = input.deadline !== null && input.deadline <= startedAt;
  const report: DrainReport = {
    nodeName: input.nodeName,
    eventId: input.eventId,
    deadline: input.deadline,
    startedAt,
    drainedAt: null,
    deadlineMet: tracker.size === 0 || incomplete ? null : allGone && (input.deadline === null || deadlineAlreadyPassed || tracker.allGoneBy(input.deadline)),
    allGone,
    ...(incomplete ? { incomplete } : {}),
    errors,
    transientFailures: run.watch.failedLists + run.watch.failedWatches,
    pods: tracker.reports(),
    applications: tracker.applications(),
    tiers,
    warnings,
  };
  if (input.cordonedAt !== undefined) report.cordonedAt = input.cordonedAt;
  deps.log.info(incomplete ? `drain stopped here (${incomplete}); pods left: ${remaining.length}` : 'drain finished', {
    node: input.nodeName,
    eventId: input.eventId,
    allGone,
    deadlineMet: report.deadlineMet,
    evicted: report.pods.filter((p) => p.outcome === 'evicted').length,
    deleted: report.pods.filter((p) => p.outcome === 'deleted').length,
    pending: report.pods.filter((p) => p.outcome === 'pending').length,
    failed: report.pods.filter((p) => p.outcome === 'failed').length,
  });
  return report;
}

/** Why the drain ends with pods left, when that is not the end of the drain itself. */
function stoppedEarly(run: Run): DrainReport['incomplete'] {
  if (run.input.signal?.aborted) return 'lease-lost';
  return run.window.stopAt < run.window.waitEnd && run.deps.clock.now() >= run.window.stopAt ? 'hand-over' : undefined;
}
