import type { V1Node } from '@kubernetes/client-node';
import { cordonInputOf, cordonPatch } from '../drain/cordon.ts';
import { planDrain } from '../drain/plan.ts';
import type { Notice } from '../events/notice.ts';
import type { InterruptionDeps } from './deps.ts';
import type { Step } from '../lifecycle/next-step.ts';
import type { InstanceReport } from './report.ts';
import type { NodeRef } from './schedules.ts';

/** What the step would do, computed from the live node and its pods; nothing is written. */
export async function dryRunPlan(step: Step, node: V1Node, ref: NodeRef, notice: Notice, deps: InterruptionDeps): Promise<Omit<InstanceReport, 'instanceId' | 'nodeName'>> {
  if (step.kind !== 'act') {
    const when = 'at' in step ? ` at ${new Date(step.at).toISOString()}` : '';
    const reason = 'reason' in step ? step.reason : '';
    return { status: 'planned', reason: `${step.kind}${when}: ${reason}`, dryRun: { cordonPatch: null, plan: null } };
  }
  const now = deps.clock.now();
  const { decision } = step;
  const plan = decision.evict
    ? planDrain((await deps.kube.listPodsOnNode(ref.nodeName)).items, { nodeName: ref.nodeName, now, deadline: decision.deadline, marginSeconds: deps.config.interruption.drain.marginSeconds })
    : null;
  return { status: 'planned', decision, reason: decision.reason, dryRun: { cordonPatch: cordonPatch(node, cordonInputOf(ref.nodeName, notice, decision), now), plan } };
}
