import type { InterruptionConfig, NodeAction, NodeGroup } from '../config/interruption.ts';
import type { TaintEffect } from '../drain/cordon.ts';
import type { Notice, NoticeKind } from '../events/notice.ts';
import { ACT_NOW_WITHIN_MS } from '../lifecycle/schedule-timing.ts';

/** Nothing is done to the node. */
export interface NoAction {
  action: 'none';
  reason: string;
}

/** The notice is for later (a Health change days ahead): act at `actAt`, through a schedule. */
export interface ScheduleAction {
  action: 'schedule';
  reason: string;
  actAt: number;
}

/** The change the notice announced is over or cancelled: cancel what is pending, revert what was done. */
export interface CancelAction {
  action: 'cancel';
  reason: string;
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
  /** Revert Lifeguard's own taint and cordon at this time unless a stronger notice follows (rebalance). */
  revertAt?: number;
  /** The node comes back (reboot maintenance): uncordon once it is Ready after this time. */
  uncordonAfter?: number;
}

export type Decision = NoAction | ScheduleAction | CancelAction | NodeDecision;

export interface PolicyContext {
  config: InterruptionConfig;
  /** The node's labels, to pick its node group. */
  nodeLabels: Record<string, string>;
  now: number;
}

/** The node's group: the first whose every label matches. */
export function nodeGroupOf(groups: readonly NodeGroup[], labels: Record<string, string>): NodeGroup | undefined {
  return groups.find((g) => Object.entries(g.matchLabels).every(([k, v]) => labels[k] === v));
}

/** The action and forced-deletion setting for this kind on this node: its group's, else the kind's default. */
export function policyFor(kind: NoticeKind, ctx: PolicyContext): { action: NodeAction; forceDelete: boolean; group?: string } {
  const base = ctx.config.policies[kind];
  const group = nodeGroupOf(ctx.config.nodeGroups, ctx.nodeLabels);
  const override = group?.policies[kind];
  return {
    action: override?.action ?? base.action,
    forceDelete: override?.forceDelete ?? base.forceDelete,
    ...(group ? { group: group.name } : {}),
  };
}

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
 * The one place that maps a notice to what happens to its node, from the configured policy of its
 * kind (or of the node's group). Defaults: Spot interruption and state change → drain, forced
 * deletion allowed; rebalance → PreferNoSchedule taint + cordon, reverted after
 * `revertAfterMinutes` if nothing follows; Health scheduled change → a schedule for
 * `startTime − leadMinutes`, then drain without forced deletion (and for a reboot, uncordon after
 * the window once the node is Ready); a closed Health event cancels; Auto Scaling terminate →
 * drain without forced deletion, CONTINUE once the pods are gone.
 */
export function decide(notice: Notice, ctx: PolicyContext): Decision {
  const policy = policyFor(notice.kind, ctx);
  const by = policy.group ? ` (node group ${policy.group})` : '';
  if (notice.kind === 'scheduled-change' && notice.status === 'closed') {
    return { action: 'cancel', reason: `${notice.eventTypeCode} ${notice.eventArn} is closed (done or cancelled)` };
  }
  if (policy.action === 'ignore') return { action: 'none', reason: `policy for ${notice.kind} is ignore${by}` };

  switch (notice.kind) {
    case 'scheduled-change': {
      const settings = ctx.config.policies['scheduled-change'];
      const actAt = notice.startTime - settings.leadMinutes * 60_000;
      const starts = new Date(notice.startTime).toISOString();
      // Closer than a schedule can be kept (or one delivered as early as Scheduler may): act now.
      if (ctx.now < actAt - ACT_NOW_WITHIN_MS) {
        return { action: 'schedule', actAt, reason: `${notice.eventTypeCode} starts at ${starts}: acting ${settings.leadMinutes} min before, at ${new Date(actAt).toISOString()}` };
      }
      const decision = nodeDecision(policy.action, notice, policy.forceDelete, `${notice.eventTypeCode} (${notice.change}) starts at ${starts}${by}`);
      const windowEnd = notice.endTime ?? notice.startTime + settings.windowMinutes * 60_000;
      // The change happens at its start time whatever the event's own deadline field says.
      return { ...decision, deadline: notice.startTime, ...(notice.change === 'reboot' ? { uncordonAfter: windowEnd } : {}) };
    }
    case 'spot-interruption':
      return nodeDecision(policy.action, notice, policy.forceDelete, `Spot interruption (${notice.action})${by}`);
    case 'state-change':
      return nodeDecision(policy.action, notice, policy.forceDelete, `instance is ${notice.state}${by}`);
    case 'rebalance-recommendation': {
      const decision = nodeDecision(policy.action, notice, policy.forceDelete, `rebalance recommendation${by}`);
      const ttl = ctx.config.policies['rebalance-recommendation'].revertAfterMinutes;
      return ttl > 0 ? { ...decision, revertAt: ctx.now + ttl * 60_000 } : decision;
    }
    case 'asg-lifecycle':
      return nodeDecision(policy.action, notice, policy.forceDelete, `Auto Scaling terminate lifecycle action (${notice.lifecycleHookName})${by}`);
  }
}
