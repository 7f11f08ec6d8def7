import type { V1Node } from '@kubernetes/client-node';
import type { InterruptionConfig } from '../config/interruption.ts';
import { ANNOTATIONS, parseTime } from '../drain/cordon.ts';
import type { Notice } from '../events/notice.ts';
import type { Continuation } from '../lifecycle/continuation.ts';
import { isLive, type Lease } from '../lifecycle/lease.ts';
import type { NodeLifecycle } from '../lifecycle/state.ts';
import { decide, type NodeDecision } from './policy.ts';

/** What started this invocation's work on the node. */
export type Trigger = { kind: 'event' } | { kind: 'continuation'; continuation: Continuation };

/**
 * The one decision per node and invocation, from the notice, what triggered the work and what the
 * node says about itself. Pure: the executor (instance.ts) carries it out, tests pin it.
 */
export type Step =
  /** Nothing to do: the policy says so. */
  | { kind: 'none'; reason: string }
  /** Already handled (or being handled by the lease holder): change nothing. */
  | { kind: 'duplicate'; reason: string }
  /** A continuation whose work is no longer this node's (a newer event took over): change nothing. */
  | { kind: 'stale'; reason: string }
  /** Another invocation holds the node for other work that is as urgent: retry later. */
  | { kind: 'busy'; reason: string; holder: string; until: number }
  /** Act later: a one-time schedule delivers a scheduled-drain continuation at `at`. */
  | { kind: 'schedule'; reason: string; at: number }
  /** The Health change is over or cancelled: delete its schedule, revert what was done for it. */
  | { kind: 'cancel'; reason: string; revert: boolean }
  /** Taint/cordon now, and drain when the decision says so. `resume`: the drain was started before. */
  | { kind: 'act'; decision: NodeDecision; resume: boolean; preempt: boolean }
  /** Undo Lifeguard's own taint and cordon (rebalance TTL, maintenance over and node Ready). */
  | { kind: 'revert'; reason: string }
  /** The node is not back from its maintenance yet: look again at `at`. */
  | { kind: 'recheck'; reason: string; at: number }
  /** The node never came back within the configured time: stop looking, leave it cordoned. */
  | { kind: 'give-up'; reason: string };

export interface StepInput {
  notice: Notice;
  trigger: Trigger;
  node: V1Node;
  state: NodeLifecycle;
  lease: Lease | undefined;
  /** This invocation's lease holder id. */
  holder: string;
  config: InterruptionConfig;
  now: number;
}

const currentEventOf = (node: V1Node) => node.metadata?.annotations?.[ANNOTATIONS.eventId];

const isReady = (node: V1Node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export function nextStep(input: StepInput): Step {
  return input.trigger.kind === 'event' ? forEvent(input) : forContinuation(input, input.trigger.continuation);
}

/** A lease someone else holds right now, if any. */
function otherLease(input: StepInput): Lease | undefined {
  return isLive(input.lease, input.now) && input.lease.holder !== input.holder ? input.lease : undefined;
}

function forEvent(input: StepInput): Step {
  const { notice, node, state, now, config } = input;
  const current = currentEventOf(node);
  const held = otherLease(input);
  if (current === notice.eventId && state.phase === 'draining') {
    if (held) return { kind: 'duplicate', reason: `event is being handled by ${held.holder} (lease until ${new Date(held.until).toISOString()})` };
    // A retry after a failed or timed-out attempt: resume where it stopped.
    const decision = decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
    if (decision.action !== 'none' && decision.action !== 'schedule' && decision.action !== 'cancel') return { kind: 'act', decision, resume: true, preempt: false };
  }
  if (state.seen.includes(notice.eventId)) return { kind: 'duplicate', reason: 'event already handled on this node' };

  const decision = decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
  switch (decision.action) {
    case 'none':
      return { kind: 'none', reason: decision.reason };
    case 'schedule':
      return { kind: 'schedule', reason: decision.reason, at: decision.actAt };
    case 'cancel': {
      const arn = notice.kind === 'scheduled-change' ? notice.eventArn : '';
      const actedFor = state.health[arn];
      const revert = actedFor !== undefined && actedFor === current && state.phase !== 'idle';
      if (revert && held) return { kind: 'busy', reason: `node is held by ${held.holder}`, holder: held.holder, until: held.until };
      return { kind: 'cancel', reason: decision.reason, revert };
    }
    default: {
      if (!held) return { kind: 'act', decision, resume: false, preempt: false };
      // Another invocation works on the node. A notice with an earlier deadline takes it over (the
      // holder sees its lease gone and stops); anything else waits its turn.
      const workingTo = parseTime(node.metadata?.annotations?.[ANNOTATIONS.deadline]) ?? null;
      const moreUrgent = decision.deadline !== null && (workingTo === null || decision.deadline < workingTo);
      if (moreUrgent) return { kind: 'act', decision, resume: false, preempt: true };
      return { kind: 'busy', reason: `node is held by ${held.holder} until ${new Date(held.until).toISOString()}`, holder: held.holder, until: held.until };
    }
  }
}

function forContinuation(input: StepInput, c: Continuation): Step {
  const { notice, node, state, now, config } = input;
  const current = currentEventOf(node);
  const held = otherLease(input);
  const pending = state.pending.some((p) => p.type === c.type && p.eventId === c.eventId);
  switch (c.type) {
    case 'scheduled-drain': {
      const arn = notice.kind === 'scheduled-change' ? notice.eventArn : '';
      if (state.health[arn] !== c.eventId || !pending) return { kind: 'stale', reason: 'the scheduled drain was moved or cancelled by a newer event' };
      const decision = decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
      if (decision.action === 'schedule') return { kind: 'schedule', reason: `delivered early; ${decision.reason}`, at: decision.actAt };
      if (decision.action === 'none' || decision.action === 'cancel') return { kind: 'none', reason: decision.reason };
      if (held) return { kind: 'busy', reason: `node is held by ${held.holder}`, holder: held.holder, until: held.until };
      return { kind: 'act', decision, resume: false, preempt: false };
    }
    case 'resume-drain': {
      if (current !== c.eventId || state.phase !== 'draining') return { kind: 'stale', reason: 'the drain it resumes is over or was taken over' };
      if (held) return { kind: 'duplicate', reason: `the drain is being run by ${held.holder}` };
      const decision = decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
      if (decision.action === 'none' || decision.action === 'schedule' || decision.action === 'cancel') return { kind: 'none', reason: decision.reason };
      return { kind: 'act', decision, resume: true, preempt: false };
    }
    case 'revert-rebalance': {
      if (current !== c.eventId || state.phase === 'idle') return { kind: 'stale', reason: 'a newer notice took the node over: nothing to revert' };
      if (held) return { kind: 'busy', reason: `node is held by ${held.holder}`, holder: held.holder, until: held.until };
      return { kind: 'revert', reason: `no interruption followed the rebalance recommendation within ${config.policies['rebalance-recommendation'].revertAfterMinutes} min` };
    }
    case 'uncordon-after-maintenance': {
      if (current !== c.eventId || state.phase !== 'drained') return { kind: 'stale', reason: 'a newer notice took the node over: it stays as that notice left it' };
      if (isReady(node)) return { kind: 'revert', reason: 'the maintenance window is over and the node is Ready' };
      const settings = config.policies['scheduled-change'];
      const notAfter = (notice.kind === 'scheduled-change' ? (notice.endTime ?? notice.startTime + settings.windowMinutes * 60_000) : now) + settings.returnTimeoutHours * 3_600_000;
      if (now >= notAfter) return { kind: 'give-up', reason: `the node is still not Ready ${settings.returnTimeoutHours} h after the maintenance window: left cordoned` };
      return { kind: 'recheck', reason: 'the node is not Ready yet after its maintenance', at: now + settings.returnCheckMinutes * 60_000 };
    }
  }
}
