import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import { ANNOTATIONS } from '../../../lib/drain/cordon.ts';
import type { Notice } from '../../../lib/events/notice.ts';
import { leaseValue, readLease } from '../../../lib/lifecycle/lease.ts';
import { nextStep } from '../../../lib/lifecycle/next-step.ts';
import { IDLE, recordAfter, type NodeLifecycle } from '../../../lib/lifecycle/state.ts';
import { IllegalTransitionError, INPUTS, LIFECYCLE, PHASES, phaseAfter, rowFor, type Input, type Phase } from '../../../lib/lifecycle/table.ts';
import { NOTICE_TIME, rebalanceNotice, spotNotice } from '../../support/notices.ts';

const now = NOTICE_TIME;
const spot = spotNotice({ eventId: 'spot-1' });
const rebalance = rebalanceNotice({ eventId: 'rb-1' });

/** A node Lifeguard worked on for an older event `h-0`, in `phase`; `heldBy` holds its lease. */
function deliver(notice: Notice, phase: Phase, heldBy?: string) {
  const annotations: Record<string, string> = phase === 'idle' ? {} : { [ANNOTATIONS.eventId]: 'h-0', [ANNOTATIONS.deadline]: new Date(now + 3_600_000).toISOString() };
  if (heldBy) annotations['lifeguard.io/lease'] = leaseValue(heldBy, now + 30_000);
  const node: V1Node = { metadata: { name: 'n', annotations }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  const state: NodeLifecycle = { ...structuredClone(IDLE), phase, seen: phase === 'idle' ? [] : ['h-0'] };
  return nextStep({ notice, trigger: { kind: 'event' }, node, state, lease: readLease(node), holder: 'me', config: interruptionConfigSchema.parse({}), now });
}

describe('node lifecycle: the table the code runs', () => {
  it('a rebalance recommendation (cordon by default) cordons an idle or cordoned node, leaves a drained one drained, and is done with on a draining one', () => {
    expect(deliver(rebalance, 'idle')).toMatchObject({ kind: 'act', input: 'event:cordon', then: 'cordoned' });
    expect(deliver(rebalance, 'cordoned')).toMatchObject({ kind: 'act', then: 'cordoned' });
    expect(deliver(rebalance, 'drained')).toMatchObject({ kind: 'act', then: 'drained' });
    // The drain covers the cordon: nothing to write and nothing to wait for, whoever holds the lease.
    expect(deliver(rebalance, 'draining')).toMatchObject({ kind: 'none', then: 'draining' });
    expect(deliver(rebalance, 'draining', 'other')).toMatchObject({ kind: 'none', then: 'draining' });
  });

  it('a Spot warning drains from every phase, and takes a node over from a less urgent holder', () => {
    for (const phase of PHASES) expect(deliver(spot, phase)).toMatchObject({ kind: 'act', input: 'event:drain', then: 'draining', takeover: true, preempt: false });
    expect(deliver(spot, 'draining', 'other')).toMatchObject({ kind: 'act', preempt: true });
  });

  it('a life walked through the table: cordon, drain, hand over, resume, drained, uncordoned after maintenance', () => {
    const life: Input[] = ['event:cordon', 'event:drain', 'drain:out-of-time', 'resume-drain:drain', 'drain:done', 'uncordon-after-maintenance:ready'];
    const phases = life.reduce<NodeLifecycle[]>((states, input) => [...states, recordAfter(states.at(-1)!, input, {})], [structuredClone(IDLE)]).map((s) => s.phase);
    expect(phases).toEqual(['idle', 'cordoned', 'draining', 'draining', 'draining', 'drained', 'idle']);
  });

  it('refuses what it does not allow, naming the input and the phase', () => {
    expect(() => phaseAfter('idle', 'drain:done')).toThrow(IllegalTransitionError);
    expect(() => phaseAfter('idle', 'drain:done')).toThrow(/"drain:done" is not allowed in phase "idle"/);
    expect(() => recordAfter(structuredClone(IDLE), 'drain:out-of-time', {})).toThrow(IllegalTransitionError);
  });

  const cells = INPUTS.flatMap((input) => PHASES.map((phase) => ({ input, phase, row: rowFor(phase, input) })));

  it('changes a phase only by acting, reverting, cancelling with a revert or finishing a drain', () => {
    const moving = cells.filter(({ row, phase }) => row.then !== 'same' && row.then !== phase).map(({ row }) => row.step);
    expect(new Set(moving)).toEqual(new Set(['act', 'revert', 'cancel', 'finish-drain']));
    for (const { row } of cells.filter((c) => c.row.step === 'cancel')) expect(row.then === 'idle').toBe(row.revert === true);
  });

  it('starts a drain only for an input that asks for one, and never past another invocation\'s lease unseen', () => {
    const draining = cells.filter(({ row }) => row.step === 'act' && row.then === 'draining');
    expect(new Set(draining.map((c) => c.input))).toEqual(new Set(['event:drain', 'again:drain', 'scheduled-drain:drain', 'resume-drain:drain']));
    for (const { row } of draining) expect(row.whileHeld).toBeDefined();
    // A drain resumed is one that was started: only from draining.
    expect(cells.filter(({ row }) => row.resume).map((c) => c.phase)).toEqual(['draining', 'draining']);
  });

  it('ends a drain only in draining', () => {
    for (const input of ['drain:done', 'drain:out-of-time', 'drain:taken-over'] as const) {
      expect(PHASES.filter((phase) => rowFor(phase, input).step !== 'refuse')).toEqual(['draining']);
    }
    expect(rowFor('draining', 'drain:out-of-time')).toMatchObject({ step: 'hand-over', then: 'same' });
  });

  it('reaches every phase from idle and comes back to idle from every phase', () => {
    const next = (phase: Phase) => INPUTS.map((input) => LIFECYCLE[input][phase]).filter((row) => row.step !== 'refuse').map((row) => (row.then === 'same' ? phase : row.then));
    const reach = (from: Phase) => {
      const seen = new Set<Phase>([from]);
      for (const queue = [from]; queue.length; ) for (const to of next(queue.shift()!)) if (!seen.has(to)) queue.push(seen.add(to) && to);
      return seen;
    };
    expect(reach('idle')).toEqual(new Set(PHASES));
    for (const phase of PHASES) expect(reach(phase).has('idle')).toBe(true);
  });
});
