import type { InterruptionPolicies, NodeAction } from '../config/interruption.ts';
import type { TaintEffect } from '../drain/cordon.ts';
import type { Notice } from '../events/notice.ts';

/** Nothing is done to the node now; `actAt` says when the notice becomes actionable, if ever. */
export interface NoAction {
  action: 'none';
  reason: string;
  actAt?: number;
}

export interface NodeDecision {
  action: Exclude<NodeAction, 'ignore'>;
  reason: string;
  effect: TaintEffect;
  /** Set spec.unschedulable (cordon and drain). */
  unschedulable: boolean;
  /** Evict the node's pods (drain). */
  evict: boolean;
  /** Delete past a PodDisruptionBudget when the deadline leaves no other way. */
  forceDelete: boolean;
  /** When the instance goes away (epoch ms); null when the notice promises nothing. */
  deadline: number | null;
  /**
   * Auto Scaling lifecycle hook handling: `when-drained` completes it with CONTINUE only once every
   * pod that had to go is gone; `now` completes it right after the cordon (the policy does not
   * drain, holding the instance serves nothing).
   */
  completeLifecycle: 'when-drained' | 'now' | 'no';
}

export type Decision = NoAction | NodeDecision;

function nodeDecision(action: Exclude<NodeAction, 'ignore'>, notice: Notice, forceDelete: boolean, reason: string): NodeDecision {
  // A rebalance recommendation is advice, not a notice: it only discourages new pods, unless the
  // operator chose to drain on it.
  const advisory = notice.kind === 'rebalance-recommendation' && action !== 'drain';
  return {
    action,
    reason,
    effect: advisory ? 'PreferNoSchedule' : 'NoSchedule',
    unschedulable: action === 'cordon' || action === 'drain',
    evict: action === 'drain',
    forceDelete: action === 'drain' && forceDelete,
    deadline: notice.deadline,
    completeLifecycle: notice.kind !== 'asg-lifecycle' ? 'no' : action === 'drain' ? 'when-drained' : 'now',
  };
}

/**
 * The one place that maps a notice to what happens to its nodes, from the configured policy of its
 * kind. Defaults: Spot interruption and state change → drain, forced deletion allowed; rebalance →
 * PreferNoSchedule taint + cordon, no eviction; Health scheduled change → nothing until `leadMinutes`
 * before its start, then drain without forced deletion; Auto Scaling terminate → drain without
 * forced deletion, CONTINUE once the pods are gone.
 */
export function decide(notice: Notice, policies: InterruptionPolicies, now: number): Decision {
  const policy = policies[notice.kind];
  if (policy.action === 'ignore') return { action: 'none', reason: `policy for ${notice.kind} is ignore` };

  switch (notice.kind) {
    case 'scheduled-change': {
      const { leadMinutes } = policies['scheduled-change'];
      const actAt = notice.startTime - leadMinutes * 60_000;
      if (now < actAt) {
        return {
          action: 'none',
          actAt,
          reason:
            `${notice.eventTypeCode} starts at ${new Date(notice.startTime).toISOString()}; ` +
            `the node will be acted on from ${new Date(actAt).toISOString()} (${leadMinutes} min before), not now`,
        };
      }
      const decision = nodeDecision(
        policy.action,
        notice,
        policy.forceDelete,
        `${notice.eventTypeCode} (${notice.change}) starts within ${leadMinutes} min`,
      );
      // The change happens at its start time whatever the event's own deadline field says.
      return { ...decision, deadline: notice.deadline ?? notice.startTime };
    }
    case 'spot-interruption':
      return nodeDecision(policy.action, notice, policy.forceDelete, `Spot interruption (${notice.action})`);
    case 'state-change':
      return nodeDecision(policy.action, notice, policy.forceDelete, `instance is ${notice.state}`);
    case 'rebalance-recommendation':
      return nodeDecision(policy.action, notice, policy.forceDelete, 'rebalance recommendation');
    case 'asg-lifecycle':
      return nodeDecision(policy.action, notice, policy.forceDelete, `Auto Scaling terminate lifecycle action (${notice.lifecycleHookName})`);
  }
}
