import pLimit, { type LimitFunction } from 'p-limit';
import type { EventPublisher, LifecycleActions, LifecycleHookRef } from '../aws/ports.ts';
import { LifecycleActionGoneError } from '../aws/ports.ts';
import type { LifeguardConfig } from '../config/schema.ts';
import { cordonNode, cordonPatch, cordonState, type CordonInput, type CordonStatus } from '../drain/cordon.ts';
import { DrainIncompleteError, drainNode, type DrainReport } from '../drain/drain.ts';
import { planDrain, type DrainPlan } from '../drain/plan.ts';
import { parseEvent } from '../events/parse.ts';
import { InvalidEventError, type LifecycleNotice, type Notice, type NoticeKind } from '../events/notice.ts';
import type { JsonPatchOp, KubeApi } from '../kube/port.ts';
import type { Log } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';
import { decide, type Decision, type NodeDecision } from './policy.ts';

export interface InterruptionDeps {
  config: LifeguardConfig;
  clock: Clock;
  log: Log;
  kube: KubeApi;
  /** Instance id → node of this cluster (lib/kube/node-index.ts). */
  nodes: { resolve(instanceId: string): Promise<{ nodeName: string; via: string } | undefined> };
  lifecycle?: LifecycleActions;
  events?: EventPublisher;
  random?: () => number;
  /** Compute and report what would be done; write nothing, publish nothing. */
  dryRun?: boolean;
}

export type InstanceStatus =
  /** The instance is no node of this cluster. */
  | 'ignored'
  /** The policy says not now (a Health change still far away) or never (policy ignore). */
  | 'no-action'
  /** Already handled: a duplicate delivery; nothing written. */
  | 'duplicate'
  | 'node-gone'
  /** Taint/cordon applied; the policy asks for no eviction. */
  | 'cordoned'
  | 'drained'
  /** Dry run: see `dryRun`. */
  | 'planned';

export type LifecycleStatus = 'completed' | 'already-resolved' | 'left-pending' | 'no-client';

export interface InstanceReport {
  instanceId: string;
  nodeName?: string;
  resolvedVia?: string;
  status: InstanceStatus;
  reason?: string;
  decision?: Decision;
  cordon?: { status: CordonStatus; patched: boolean; cordonedAt?: number };
  drain?: DrainReport;
  lifecycle?: LifecycleStatus;
  dryRun?: { cordonPatch: JsonPatchOp[] | null; plan: DrainPlan | null };
}

export interface InterruptionReport {
  /** True when the event itself cannot be acted on (malformed or unsupported): nothing changed. */
  ignored: boolean;
  reason?: string;
  /** The event field at fault, when the event was rejected. */
  field?: string;
  eventId?: string;
  kind?: NoticeKind;
  dryRun: boolean;
  receivedAt: number;
  /** Receipt time minus the event's `time`. */
  eventAgeMs?: number;
  instances: InstanceReport[];
}

const instanceArn = (n: Notice, id: string) => `arn:aws:ec2:${n.region}:${n.account}:instance/${id}`;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * Handles one EventBridge event end to end: parse, resolve each instance to its node, apply the
 * kind's policy (taint, cordon, drain), complete an Auto Scaling lifecycle action once the pods are
 * gone, and publish Lifeguard's own events. Instances are handled in parallel.
 *
 * Never throws for bad input (a malformed, unsupported or foreign event is reported `ignored` and
 * changes nothing: a retry could not help). Throws when the Kubernetes API fails after the client's
 * own retries, so the invocation is retried; the node annotation makes that retry resume.
 */
export async function handleInterruption(event: unknown, deps: InterruptionDeps): Promise<InterruptionReport> {
  const { clock, log } = deps;
  const receivedAt = clock.now();
  const dryRun = deps.dryRun === true;

  let notice: Notice;
  try {
    notice = parseEvent(event);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    const unsupported = err.name === 'UnsupportedEventError';
    log.warn(unsupported ? 'event ignored: not one Lifeguard acts on' : 'event rejected: malformed', {
      reason: err.message,
      field: err.field,
      eventId: eventIdOf(event),
    });
    return {
      ignored: true,
      reason: err.message,
      ...(err.field ? { field: err.field } : {}),
      ...(eventIdOf(event) ? { eventId: eventIdOf(event) } : {}),
      dryRun,
      receivedAt,
      instances: [],
    };
  }

  const eventAgeMs = receivedAt - notice.eventTime;
  log.info('interruption notice', {
    eventId: notice.eventId,
    kind: notice.kind,
    instances: notice.instanceIds,
    deadline: iso(notice.deadline),
    eventAgeMs,
    dryRun,
  });

  // One limiter for every node of the event: a Health event can list many instances at once.
  const limit = pLimit(deps.config.interruption.drain.concurrency);
  const settled = await Promise.allSettled(notice.instanceIds.map((id) => handleInstance(notice, id, deps, limit)));
  const instances: InstanceReport[] = [];
  const failures: unknown[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled') instances.push(result.value);
    else failures.push(result.reason);
    if (result.status === 'rejected') {
      log.error('handling the instance failed; the event will be retried', {
        eventId: notice.eventId,
        instanceId: notice.instanceIds[i],
        error: result.reason instanceof Error ? result.reason.message : String(result.reason),
      });
    }
  });
  if (failures.length > 0) throw failures[0];

  return { ignored: false, eventId: notice.eventId, kind: notice.kind, dryRun, receivedAt, eventAgeMs, instances };
}

function eventIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

async function handleInstance(notice: Notice, instanceId: string, deps: InterruptionDeps, limit: LimitFunction): Promise<InstanceReport> {
  const { clock, log, kube, config } = deps;
  const ctx = { eventId: notice.eventId, kind: notice.kind, instanceId };

  const resolved = await deps.nodes.resolve(instanceId);
  if (!resolved) {
    log.info('instance is no node of this cluster; ignored', ctx);
    return { instanceId, status: 'ignored', reason: 'instance is no node of this cluster' };
  }
  const { nodeName } = resolved;
  const base = { instanceId, nodeName, resolvedVia: resolved.via };
  const nodeCtx = { ...ctx, node: nodeName };

  const decision = decide(notice, config.interruption.policies, clock.now());
  if (decision.action === 'none') {
    log.info(`no action: ${decision.reason}`, { ...nodeCtx, actAt: iso(decision.actAt) });
    return { ...base, status: 'no-action', reason: decision.reason, decision };
  }
  log.info(`policy: ${decision.action}`, { ...nodeCtx, reason: decision.reason, forceDelete: decision.forceDelete, deadline: iso(decision.deadline) });

  const cordonInput: CordonInput = {
    nodeName,
    eventId: notice.eventId,
    kind: notice.kind,
    deadline: decision.deadline,
    effect: decision.effect,
    unschedulable: decision.unschedulable,
    complete: !decision.evict,
  };

  if (deps.dryRun) return { ...base, decision, ...(await dryRunPlan(cordonInput, decision, deps)) };

  const cordon = await cordonNode(cordonInput, deps);
  const cordonReport = { status: cordon.status, patched: cordon.patched, ...(cordon.cordonedAt !== undefined ? { cordonedAt: cordon.cordonedAt } : {}) };
  if (cordon.status === 'node-gone') return { ...base, status: 'node-gone', reason: 'the node no longer exists', decision, cordon: cordonReport };
  if (cordon.status === 'duplicate') {
    const lifecycle = notice.kind === 'asg-lifecycle' ? await lifecycleOnDuplicate(notice, instanceId, nodeName, decision, deps) : undefined;
    return { ...base, status: 'duplicate', reason: 'event already handled on this node', decision, cordon: cordonReport, ...(lifecycle ? { lifecycle } : {}) };
  }
  if (!decision.evict) {
    const lifecycle = notice.kind === 'asg-lifecycle' && decision.completeLifecycle === 'now' ? await completeLifecycle(notice, instanceId, deps) : undefined;
    return { ...base, status: 'cordoned', decision, cordon: cordonReport, ...(lifecycle ? { lifecycle } : {}) };
  }

  const published: Promise<void>[] = [];
  const publish = (detailType: string, detail: Record<string, unknown>) => {
    if (!deps.events) return;
    published.push(
      deps.events.publish(detailType, detail, [instanceArn(notice, instanceId)]).catch((err: unknown) => {
        log.warn('could not publish a Lifeguard event; the drain goes on', { ...nodeCtx, detailType, error: err instanceof Error ? err.message : String(err) });
      }),
    );
  };
  const eventDetail = { eventId: notice.eventId, kind: notice.kind, instanceId, nodeName, deadline: iso(decision.deadline) };

  const heartbeat = notice.kind === 'asg-lifecycle' && deps.lifecycle ? startHeartbeat(notice, instanceId, deps) : undefined;
  let report: DrainReport;
  try {
    report = await drainNode(
      {
        nodeName,
        deadline: decision.deadline,
        policy: { forceDelete: decision.forceDelete },
        eventId: notice.eventId,
        ...(cordon.cordonedAt !== undefined ? { cordonedAt: cordon.cordonedAt } : {}),
      },
      {
        kube,
        clock,
        log,
        options: config.interruption.drain,
        limit,
        ...(deps.random ? { random: deps.random } : {}),
        onPlan: (plan) => {
          publish('Node Drain Started', { ...eventDetail, action: decision.action, resumed: cordon.status === 'resumed', ...planSummary(plan) });
          for (const tier of plan.tiers) {
            for (const pod of tier.pods.filter((p) => p.sparkRole === 'driver')) {
              publish('Spark Driver At Risk', {
                ...eventDetail,
                appId: pod.appId ?? null,
                driver: `${pod.namespace}/${pod.name}`,
                message: 'the Spark driver runs on an interrupted node: the application will fail; run drivers on On-Demand capacity',
              });
            }
          }
        },
      },
    );
  } catch (err) {
    await heartbeat?.stop();
    await Promise.all(published);
    if (err instanceof DrainIncompleteError) log.error(err.message, { ...nodeCtx, cause: String(err.cause) });
    throw err;
  }
  await heartbeat?.stop();

  publish('Node Drain Completed', { ...eventDetail, ...drainSummary(report) });
  const lifecycle =
    notice.kind === 'asg-lifecycle' && decision.completeLifecycle === 'when-drained'
      ? report.allGone
        ? await completeLifecycle(notice, instanceId, deps)
        : leavePending(report, nodeCtx, log)
      : undefined;
  await Promise.all(published);
  return { ...base, status: 'drained', decision, cordon: cordonReport, drain: report, ...(lifecycle ? { lifecycle } : {}) };
}

async function dryRunPlan(
  input: CordonInput,
  decision: NodeDecision,
  deps: InterruptionDeps,
): Promise<Pick<InstanceReport, 'status' | 'reason' | 'dryRun'>> {
  const { kube, clock, config } = deps;
  const node = await kube.getNode(input.nodeName);
  if (!node) return { status: 'node-gone', reason: 'the node no longer exists' };
  if (cordonState(node, input) === 'duplicate') return { status: 'duplicate', reason: 'event already handled on this node' };
  const now = clock.now();
  const plan = decision.evict
    ? planDrain(await kube.listPodsOnNode(input.nodeName), {
        nodeName: input.nodeName,
        now,
        deadline: decision.deadline,
        marginSeconds: config.interruption.drain.marginSeconds,
      })
    : null;
  return { status: 'planned', dryRun: { cordonPatch: cordonPatch(node, input, now), plan } };
}

const hookOf = (notice: LifecycleNotice, instanceId: string): LifecycleHookRef => ({
  autoScalingGroupName: notice.autoScalingGroupName,
  lifecycleHookName: notice.lifecycleHookName,
  lifecycleActionToken: notice.lifecycleActionToken,
  instanceId,
});

/**
 * CONTINUE only: Lifeguard never ABANDONs. When the pods are not all gone it does not complete
 * at all and lets the hook's own timeout (its DefaultResult) decide. A failure to complete is
 * thrown so the invocation is retried: the node is already marked, so the retry writes nothing to
 * Kubernetes and only completes the action (see lifecycleOnDuplicate).
 */
async function completeLifecycle(notice: LifecycleNotice, instanceId: string, deps: InterruptionDeps): Promise<LifecycleStatus> {
  const { log } = deps;
  const ctx = { eventId: notice.eventId, instanceId, hook: notice.lifecycleHookName };
  if (!deps.lifecycle) {
    log.warn('no lifecycle client configured: the lifecycle action is left to its timeout', ctx);
    return 'no-client';
  }
  try {
    await deps.lifecycle.complete(hookOf(notice, instanceId), 'CONTINUE');
    log.info('lifecycle action completed: CONTINUE', ctx);
    return 'completed';
  } catch (err) {
    if (err instanceof LifecycleActionGoneError) {
      log.info('lifecycle action already resolved', ctx);
      return 'already-resolved';
    }
    log.error('could not complete the lifecycle action; the event will be retried', { ...ctx, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

function leavePending(report: DrainReport, ctx: Record<string, unknown>, log: Log): LifecycleStatus {
  const left = report.pods.filter((p) => p.outcome !== 'skipped' && p.goneAt === undefined).map((p) => `${p.namespace}/${p.name}`);
  log.warn('pods still on the node: lifecycle action NOT completed; the hook timeout decides', { ...ctx, pods: left });
  return 'left-pending';
}

/**
 * A redelivered lifecycle event finds the node marked complete. If the first attempt could not
 * complete the action (the pods were not gone yet, or the call failed), do it now — under a drain
 * policy only when nothing that had to go is left on the node. No Kubernetes writes.
 */
async function lifecycleOnDuplicate(
  notice: LifecycleNotice,
  instanceId: string,
  nodeName: string,
  decision: NodeDecision,
  deps: InterruptionDeps,
): Promise<LifecycleStatus> {
  if (decision.completeLifecycle === 'now') return completeLifecycle(notice, instanceId, deps);
  const plan = planDrain(await deps.kube.listPodsOnNode(nodeName), {
    nodeName,
    now: deps.clock.now(),
    deadline: null,
    marginSeconds: deps.config.interruption.drain.marginSeconds,
  });
  const remaining = plan.tiers.length > 0 || plan.skipped.some((p) => p.waitForExit);
  return remaining ? 'left-pending' : completeLifecycle(notice, instanceId, deps);
}

/** Keeps an Auto Scaling lifecycle hook from timing out while the drain holds the instance. */
function startHeartbeat(notice: LifecycleNotice, instanceId: string, deps: InterruptionDeps): { stop(): Promise<void> } {
  const { clock, log, lifecycle, config } = deps;
  const intervalMs = config.interruption.policies['asg-lifecycle'].heartbeatIntervalSeconds * 1000;
  // Short sleeps so stop() returns promptly: no timer may outlive the drain.
  const tickMs = Math.min(intervalMs, config.interruption.drain.pollIntervalSeconds * 1000);
  let stopped = false;
  const loop = (async () => {
    let nextBeat = clock.now() + intervalMs;
    while (!stopped) {
      await clock.sleep(tickMs);
      if (stopped || clock.now() < nextBeat) continue;
      nextBeat = clock.now() + intervalMs;
      try {
        await lifecycle?.heartbeat(hookOf(notice, instanceId));
        log.debug('lifecycle heartbeat recorded', { eventId: notice.eventId, instanceId });
      } catch (err) {
        log.warn('lifecycle heartbeat failed', { eventId: notice.eventId, instanceId, error: err instanceof Error ? err.message : String(err) });
        if (err instanceof LifecycleActionGoneError) return;
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function planSummary(plan: DrainPlan): Record<string, unknown> {
  return {
    tiers: plan.tiers.map((t) => ({ tier: t.tier, pods: t.pods.length })),
    skipped: plan.skipped.length,
    warnings: plan.warnings.map((w) => w.message).slice(0, 20),
  };
}

function drainSummary(report: DrainReport): Record<string, unknown> {
  const count = (outcome: string) => report.pods.filter((p) => p.outcome === outcome).length;
  return {
    allGone: report.allGone,
    deadlineMet: report.deadlineMet,
    durationMs: (report.drainedAt ?? report.startedAt) - report.startedAt,
    pods: { evicted: count('evicted'), deleted: count('deleted'), skipped: count('skipped'), pending: count('pending'), failed: count('failed') },
    forcedDeletions: report.pods.filter((p) => p.forced).length,
    applications: report.applications.slice(0, 50),
  };
}
