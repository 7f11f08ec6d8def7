import { LifecycleActionGoneError, type LifecycleHookRef } from '../aws/ports.ts';
import type { DrainReport } from '../drain/drain.ts';
import { planDrain } from '../drain/plan.ts';
import type { LifecycleNotice } from '../events/notice.ts';
import { every, type Periodic } from '../util/periodic.ts';
import type { InterruptionDeps } from './deps.ts';
import type { LifecycleStatus } from './report.ts';
import { errorMessage } from '../util/errors.ts';

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
 * Kubernetes and only completes the action (see onDuplicate).
 */
export async function completeLifecycle(notice: LifecycleNotice, instanceId: string, deps: InterruptionDeps): Promise<LifecycleStatus> {
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
    log.error('could not complete the lifecycle action; failing the invocation so it is tried again', { ...ctx, error: errorMessage(err) });
    throw err;
  }
}

export function leavePending(report: DrainReport, deps: InterruptionDeps): LifecycleStatus {
  const left = report.pods.filter((p) => p.outcome !== 'skipped' && p.goneAt === undefined).map((p) => `${p.namespace}/${p.name}`);
  deps.log.warn('pods still on the node: lifecycle action NOT completed; the hook timeout decides', { node: report.nodeName, pods: left });
  return 'left-pending';
}

/**
 * A redelivered lifecycle event finds its work done. If the first attempt could not complete the
 * action (the call failed), do it now — under a drain policy only when nothing that had to go is
 * left on the node. No Kubernetes writes.
 */
export async function lifecycleOnDuplicate(notice: LifecycleNotice, instanceId: string, nodeName: string, drains: boolean, deps: InterruptionDeps): Promise<LifecycleStatus> {
  if (!drains) return completeLifecycle(notice, instanceId, deps);
  const plan = planDrain((await deps.kube.listPodsOnNode(nodeName)).items, {
    nodeName,
    now: deps.clock.now(),
    deadline: null,
    marginSeconds: deps.config.interruption.drain.marginSeconds,
  });
  const remaining = plan.tiers.length > 0 || plan.skipped.some((p) => p.waitForExit);
  return remaining ? 'left-pending' : completeLifecycle(notice, instanceId, deps);
}

/** Keeps an Auto Scaling lifecycle hook from timing out while the drain holds the instance. */
export function startHeartbeat(notice: LifecycleNotice, instanceId: string, deps: InterruptionDeps): Periodic {
  const { clock, log, lifecycle, config } = deps;
  const ctx = { eventId: notice.eventId, instanceId };
  return every(
    clock,
    config.interruption.policies['asg-lifecycle'].heartbeatIntervalSeconds * 1000,
    async () => {
      try {
        await lifecycle?.heartbeat(hookOf(notice, instanceId));
      } catch (err) {
        if (err instanceof LifecycleActionGoneError) return false;
        throw err;
      }
      log.debug('lifecycle heartbeat recorded', ctx);
      return true;
    },
    (err) => log.warn('lifecycle heartbeat failed', { ...ctx, error: errorMessage(err) }),
  );
}
