import type { Notice } from '../events/notice.ts';
import { readLease } from '../lifecycle/lease.ts';
import { CorruptLifecycleError, readLifecycle, type NodeLifecycle } from '../lifecycle/state.ts';
import { act, isPendingDrain, type PendingDrain } from './act.ts';
import type { InterruptionDeps } from './deps.ts';
import { dryRunPlan } from './dry-run.ts';
import { giveUp, revert, scheduleLater, type LaterInput } from './later.ts';
import { lifecycleOnDuplicate } from './lifecycle-hook.ts';
import { nextStep, type Step, type Trigger } from '../lifecycle/next-step.ts';
import { IllegalTransitionError, STATUS_OF } from '../lifecycle/table.ts';
import { CONFLICT } from './node-write.ts';
import type { InstanceReport } from './report.ts';
import { LifeguardError, RetryLaterError } from '../util/errors.ts';
import { retryWithinBudget } from './retry-budget.ts';
import type { NodeLookup } from '../kube/node-index.ts';

/** Conflicting writers (kubelet status, autoscalers, a concurrent duplicate) are common on a node. */
const MAX_DECISIONS = 6;

/** Another invocation holds the node for work as urgent as this: fail so the event is retried once its lease runs out. */
export class NodeBusyError extends RetryLaterError {}

/** Other writers changed the node under every one of this delivery's writes: it fails and is tried again. */
export class NodeContentionError extends LifeguardError {}

export interface InstanceWork {
  notice: Notice;
  event: Record<string, unknown>;
  instanceId: string;
  trigger: Trigger;
  /** The lease holder: unique per delivery, so two deliveries of one batch never look like one holder. */
  holder: string;
  /** When the invocation began (a hand-over measures its round from it). */
  roundStartedAt: number;
  /** The batch's lookup of the instance, when it made one: its node, undefined (not ours), or the error it met (looked up again here). */
  lookup?: NodeLookup;
}

/**
 * One node, one delivery: resolve the node, read its lifecycle and lease, decide the one step
 * (lib/lifecycle/next-step.ts: the row of the lifecycle table), carry it out with the node's resourceVersion as precondition. A conflict means
 * someone else wrote the node in between: read again, decide again. A drain comes back as a
 * PendingDrain (the node cordoned and leased): the batch runs it once every node is cordoned.
 */
export async function handleInstance(work: InstanceWork, deps: InterruptionDeps): Promise<InstanceReport | PendingDrain> {
  const { notice, instanceId } = work;
  const { log } = deps;
  const retry = retryWithinBudget(notice, deps);
  const looked = work.lookup;
  const resolved = looked && 'node' in looked ? looked.node : await retry(`resolve instance ${instanceId}`, () => deps.nodes.resolve(instanceId));
  if (!resolved) {
    const reason = `instance ${instanceId} is no node of cluster ${deps.clusterName}`;
    log.info(`${reason}; ignored`, { eventId: notice.eventId, kind: notice.kind, instanceId });
    return { instanceId, status: 'ignored', reason };
  }
  const ref = { instanceId, nodeName: resolved.nodeName };
  const { holder } = work;

  for (let attempt = 1; attempt <= MAX_DECISIONS; attempt++) {
    // The lookup may have just read the node: decide on that; after a conflict, read it again.
    const node = attempt === 1 && resolved.node ? resolved.node : await retry(`get node ${ref.nodeName}`, () => deps.kube.getNode(ref.nodeName));
    if (!node) return { ...ref, resolvedVia: resolved.via, status: 'node-gone', reason: 'the node no longer exists' };
    let state: NodeLifecycle;
    try {
      state = readLifecycle(node);
    } catch (err) {
      if (!(err instanceof CorruptLifecycleError)) throw err;
      log.error(err.message, { node: ref.nodeName, eventId: notice.eventId });
      return { ...ref, status: 'failed', reason: err.message };
    }
    const step = nextStep({ notice, trigger: work.trigger, node, state, lease: readLease(node), holder, config: deps.config.interruption, now: deps.clock.now() });
    log.debug('node step', { node: ref.nodeName, step: step.kind, attempt });
    if (deps.dryRun) return { ...ref, resolvedVia: resolved.via, ...(await dryRunPlan(step, node, ref, notice, deps)) };

    const round = work.trigger.kind === 'continuation' ? work.trigger.continuation.round : 0;
    const later: LaterInput = { notice, event: work.event, ref, node, state, input: step.input, round, retry };
    const report = await carryOut(step, later, holder, work.roundStartedAt, deps);
    if (report === CONFLICT) {
      log.debug('node changed under the write; deciding again', { node: ref.nodeName, attempt });
      continue;
    }
    return isPendingDrain(report) ? withResolvedVia(report, resolved.via) : { ...report, resolvedVia: resolved.via };
  }
  throw new NodeContentionError(`node ${ref.nodeName} kept changing under Lifeguard's writes (${MAX_DECISIONS} tries); the event will be tried again`);
}

/** The drain's reports say how the node was found, as every other report does. */
function withResolvedVia(drain: PendingDrain, via: string): PendingDrain {
  return {
    ...drain,
    cordoned: { ...drain.cordoned, resolvedVia: via },
    run: async (options) => ({ ...(await drain.run(options)), resolvedVia: via }),
    supersede: () => drain.supersede(),
  };
}

async function carryOut(step: Step, input: LaterInput, holder: string, roundStartedAt: number, deps: InterruptionDeps): Promise<InstanceReport | PendingDrain | typeof CONFLICT> {
  const { notice, ref, state } = input;
  // Nothing written: the node stays in its phase.
  const quiet = (reason: string): InstanceReport => ({ ...ref, status: STATUS_OF[step.kind as 'none' | 'stale' | 'duplicate'], reason, phase: state.phase });
  switch (step.kind) {
    case 'none':
      deps.log.info(`no action: ${step.reason}`, { node: ref.nodeName, eventId: notice.eventId });
      return quiet(step.reason);
    case 'stale':
      deps.log.info(`continuation is stale: ${step.reason}`, { node: ref.nodeName, eventId: notice.eventId });
      return quiet(step.reason);
    case 'duplicate': {
      deps.log.info(`duplicate: ${step.reason}; nothing to do`, { node: ref.nodeName, eventId: notice.eventId });
      const lifecycle = notice.kind === 'asg-lifecycle' && state.phase !== 'draining' ? await lifecycleOnDuplicate(notice, ref.instanceId, ref.nodeName, state.phase === 'drained', deps) : undefined;
      return { ...quiet(step.reason), ...(lifecycle ? { lifecycle } : {}) };
    }
    case 'refuse':
      throw new IllegalTransitionError(step.reason);
    case 'busy':
      throw new NodeBusyError(`${ref.nodeName}: ${step.reason}; the event will be tried again`, Math.max(0, step.until - deps.clock.now()));
    case 'schedule':
      return scheduleLater(input, 'scheduled-drain', step.at, step.reason, deps);
    case 'recheck':
      return scheduleLater(input, 'uncordon-after-maintenance', step.at, step.reason, deps);
    case 'give-up':
      return giveUp(input, step.reason, deps);
    case 'cancel':
      return revert(input, step.reason, { cancel: true, undo: step.revert }, deps);
    case 'revert':
      return revert(input, step.reason, { cancel: false, undo: true }, deps);
    case 'act':
      if (step.preempt) deps.log.warn('a more urgent notice takes the node over from the invocation working on it', { node: ref.nodeName, eventId: notice.eventId });
      return act({ ...input, step, holder, roundStartedAt }, deps);
  }
}
