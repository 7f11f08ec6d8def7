import type { V1Node } from '@kubernetes/client-node';
import type { InterruptionConfig } from '../config/interruption.ts';
import { ANNOTATIONS, parseTime } from '../drain/cordon.ts';
import type { Notice } from '../events/notice.ts';
import { decide, type Decision, type NodeDecision } from '../interruption/policy.ts';
import type { Continuation } from './continuation.ts';
import { isLive, type Lease } from './lease.ts';
import type { NodeLifecycle } from './state.ts';
import { IllegalTransitionError, refusal, rowFor, type Input, type Phase, type Row } from './table.ts';

/** What delivered this invocation's work on the node: an AWS event, or one of Lifeguard's continuations. */
export type Trigger = { kind: 'event' } | { kind: 'continuation'; continuation: Continuation };

/**
 * The one decision per node and invocation: the table's row (table.ts) for the node's phase and
 * the input the delivery is, with what the executor (lib/interruption/instance.ts) needs to carry
 * it out. `then` is the phase the node is in once it is done. Pure: tests pin it.
 */
export type Step = { input: Input; then: Phase } & (
  | { kind: 'none' | 'duplicate' | 'stale' | 'revert' | 'give-up' | 'refuse'; reason: string }
  /** Another invocation holds the node for other work that is as urgent: retry later. */
  | { kind: 'busy'; reason: string; holder: string; until: number }
  /** schedule: a scheduled drain at `at`; recheck: look at the node again at `at`. */
  | { kind: 'schedule' | 'recheck'; reason: string; at: number }
  | { kind: 'cancel'; reason: string; revert: boolean }
  /** `preempt`: another invocation's lease is taken over; `takeover`: this notice replaces the node's current one. */
  | { kind: 'act'; decision: NodeDecision; resume: boolean; preempt: boolean; takeover: boolean }
);

export type ActStep = Extract<Step, { kind: 'act' }>;

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

/** The input a delivery is, and what its step needs: the policy's decision, a reason, a time. */
interface Read {
  input: Input;
  reason: string;
  /** Why the work is stale, where the table says so for the node's phase (a continuation's). */
  staleReason?: string;
  decision?: Decision;
  at?: number;
}

const currentEventOf = (node: V1Node) => node.metadata?.annotations?.[ANNOTATIONS.eventId];

const isReady = (node: V1Node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** What the policy asks of the node, as the table names it. */
const askOf = (decision: Decision): 'none' | 'schedule' | 'cancel' | 'cordon' | 'drain' =>
  decision.action === 'none' || decision.action === 'schedule' || decision.action === 'cancel' ? decision.action : decision.evict ? 'drain' : 'cordon';

export function nextStep(input: StepInput): Step {
  const read = input.trigger.kind === 'event' ? readEvent(input) : readContinuation(input, input.trigger.continuation);
  const { phase } = input.state;
  const row = rowFor(phase, read.input);
  const then = row.then === 'same' ? phase : row.then;
  const held = row.whileHeld ? otherLease(input) : undefined;
  const preempt = held !== undefined && row.whileHeld === 'preempt' && moreUrgent(input.node, read.decision);
  if (held && !preempt) return whileHeld(row, read, held, then, input.trigger.kind);
  return stepOf(row, read, then, { preempt, takeover: currentEventOf(input.node) !== input.notice.eventId });
}

/** A lease someone else holds right now, if any. */
function otherLease(input: StepInput): Lease | undefined {
  return isLive(input.lease, input.now) && input.lease.holder !== input.holder ? input.lease : undefined;
}

/** A notice with an earlier deadline than the one the holder works to takes the node over (the holder sees its lease gone and stops). */
function moreUrgent(node: V1Node, decision: Decision | undefined): boolean {
  const workingTo = parseTime(node.metadata?.annotations?.[ANNOTATIONS.deadline]) ?? null;
  const deadline = decision && 'deadline' in decision ? decision.deadline : null;
  return deadline !== null && (workingTo === null || deadline < workingTo);
}

function whileHeld(row: Row, read: Read, held: Lease, then: Phase, from: Trigger['kind']): Step {
  const base = { input: read.input, then };
  if (row.whileHeld === 'duplicate') {
    const reason = from === 'event' ? `event is being handled by ${held.holder} (lease until ${new Date(held.until).toISOString()})` : `the drain is being run by ${held.holder}`;
    return { ...base, kind: 'duplicate', reason };
  }
  const until = row.whileHeld === 'preempt' ? ` until ${new Date(held.until).toISOString()}` : '';
  return { ...base, kind: 'busy', reason: `node is held by ${held.holder}${until}`, holder: held.holder, until: held.until };
}

function stepOf(row: Row, read: Read, then: Phase, lease: { preempt: boolean; takeover: boolean }): Step {
  const base = { input: read.input, then };
  switch (row.step) {
    case 'act':
      return { ...base, kind: 'act', decision: read.decision as NodeDecision, resume: row.resume === true, ...lease };
    case 'cancel':
      return { ...base, kind: 'cancel', reason: read.reason, revert: row.revert === true };
    case 'schedule':
    case 'recheck':
      return { ...base, kind: row.step, reason: read.reason, at: read.at! };
    case 'refuse':
      return { ...base, kind: 'refuse', reason: refusal(then, read.input) };
    case 'stale':
      return { ...base, kind: 'stale', reason: read.staleReason ?? read.reason };
    case 'none':
    case 'duplicate':
    case 'revert':
    case 'give-up':
      return { ...base, kind: row.step, reason: read.reason };
    default:
      // busy comes from the lease, the drain's ends from the drain: no delivery reads as them.
      throw new IllegalTransitionError(`node lifecycle: no step "${row.step}" for "${read.input}"`);
  }
}

function readEvent(input: StepInput): Read {
  const { notice, node, state, now, config } = input;
  const current = currentEventOf(node);
  const decision = decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
  const ask = askOf(decision);
  if (current === notice.eventId && (ask === 'cordon' || ask === 'drain')) return { input: `again:${ask}`, reason: 'event already handled on this node', decision };
  if (state.seen.includes(notice.eventId)) return { input: 'event:seen', reason: 'event already handled on this node' };
  if (decision.action === 'cancel') {
    const arn = notice.kind === 'scheduled-change' ? notice.eventArn : '';
    const actedFor = state.health[arn];
    return { input: actedFor !== undefined && actedFor === current ? 'event:cancel-own' : 'event:cancel', reason: decision.reason };
  }
  return { input: `event:${ask}`, reason: decision.reason, decision, ...(decision.action === 'schedule' ? { at: decision.actAt } : {}) };
}

function readContinuation(input: StepInput, c: Continuation): Read {
  const { notice, node, state, now, config } = input;
  const current = currentEventOf(node);
  const decision = () => decide(notice, { config, nodeLabels: node.metadata?.labels ?? {}, now });
  switch (c.type) {
    case 'scheduled-drain': {
      const arn = notice.kind === 'scheduled-change' ? notice.eventArn : '';
      const pending = state.pending.some((p) => p.type === c.type && p.eventId === c.eventId);
      if (state.health[arn] !== c.eventId || !pending) return { input: 'stale', reason: 'the scheduled drain was moved or cancelled by a newer event' };
      const d = decision();
      if (d.action === 'schedule') return { input: 'scheduled-drain:early', reason: `delivered early; ${d.reason}`, at: d.actAt };
      const ask = askOf(d);
      return { input: ask === 'cordon' || ask === 'drain' ? `scheduled-drain:${ask}` : 'scheduled-drain:none', reason: d.reason, decision: d };
    }
    case 'resume-drain': {
      const staleReason = 'the drain it resumes is over or was taken over';
      if (current !== c.eventId) return { input: 'stale', reason: staleReason };
      const d = decision();
      const ask = askOf(d);
      return { input: ask === 'cordon' || ask === 'drain' ? `resume-drain:${ask}` : 'resume-drain:none', reason: d.reason, staleReason, decision: d };
    }
    case 'revert-rebalance': {
      const staleReason = 'a newer notice took the node over: nothing to revert';
      if (current !== c.eventId) return { input: 'stale', reason: staleReason };
      return { input: 'revert-rebalance', reason: `no interruption followed the rebalance recommendation within ${config.policies['rebalance-recommendation'].revertAfterMinutes} min`, staleReason };
    }
    case 'uncordon-after-maintenance': {
      const staleReason = 'a newer notice took the node over: it stays as that notice left it';
      if (current !== c.eventId) return { input: 'stale', reason: staleReason };
      if (isReady(node)) return { input: 'uncordon-after-maintenance:ready', reason: 'the maintenance window is over and the node is Ready', staleReason };
      const settings = config.policies['scheduled-change'];
      const notAfter = (notice.kind === 'scheduled-change' ? (notice.endTime ?? notice.startTime + settings.windowMinutes * 60_000) : now) + settings.returnTimeoutHours * 3_600_000;
      if (now >= notAfter) return { input: 'uncordon-after-maintenance:timed-out', reason: `the node is still not Ready ${settings.returnTimeoutHours} h after the maintenance window: left cordoned`, staleReason };
      return { input: 'uncordon-after-maintenance:not-ready', reason: 'the node is not Ready yet after its maintenance', staleReason, at: now + settings.returnCheckMinutes * 60_000 };
    }
  }
}
