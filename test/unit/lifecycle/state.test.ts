import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CorruptLifecycleError, IDLE, IllegalTransitionError, LIFECYCLE_ANNOTATION, PHASES, readLifecycle, SEEN_EVENTS_KEPT, TRANSITIONS, transition, withSeen, type Phase, type Trigger } from '../../../lib/lifecycle/state.ts';

const TRIGGERS: Trigger[] = ['cordon', 'start-drain', 'hand-over', 'finish-drain', 'revert'];
const node = (annotation?: string): V1Node => ({ metadata: { name: 'n', ...(annotation !== undefined ? { annotations: { [LIFECYCLE_ANNOTATION]: annotation } } : {}) } });

describe('node lifecycle: the transition table', () => {
  // The whole table, spelled out: a change to it must change this test on purpose.
  const expected: Record<Phase, Partial<Record<Trigger, Phase>>> = {
    idle: { cordon: 'cordoned', 'start-drain': 'draining' },
    cordoned: { cordon: 'cordoned', 'start-drain': 'draining', revert: 'idle' },
    draining: { 'start-drain': 'draining', 'hand-over': 'draining', 'finish-drain': 'drained', revert: 'idle' },
    drained: { cordon: 'drained', 'start-drain': 'draining', revert: 'idle' },
  };

  it.each(PHASES.flatMap((from) => TRIGGERS.map((trigger) => [from, trigger] as const)))('%s + %s', (from, trigger) => {
    const to = expected[from][trigger];
    if (to) expect(transition(from, trigger)).toBe(to);
    else expect(() => transition(from, trigger)).toThrow(IllegalTransitionError);
  });

  it('is the table the code uses', () => {
    expect(TRANSITIONS).toEqual(expected);
  });

  it('never finishes a drain that did not start, never reverts what was never done', () => {
    expect(() => transition('idle', 'finish-drain')).toThrow(/"finish-drain" is not allowed in phase "idle"/);
    expect(() => transition('idle', 'revert')).toThrow(IllegalTransitionError);
  });
});

describe('readLifecycle', () => {
  it('is idle on a node Lifeguard never touched', () => {
    expect(readLifecycle(node())).toEqual(IDLE);
  });

  it('round-trips what Lifeguard writes', () => {
    const state = { ...IDLE, phase: 'cordoned' as const, reason: 'rebalance', applied: { taint: 'PreferNoSchedule' as const, cordon: true, excludeLabel: false }, seen: ['e1'] };
    expect(readLifecycle(node(JSON.stringify(state)))).toEqual(state);
  });

  it('refuses a record it cannot trust, naming the field and what to do', () => {
    expect(() => readLifecycle(node('{not json'))).toThrow(CorruptLifecycleError);
    expect(() => readLifecycle(node('{not json'))).toThrow(/remove it to reset/);
    const bad = JSON.stringify({ ...IDLE, phase: 'exploding' });
    expect(() => readLifecycle(node(bad))).toThrow(/phase:/);
  });

  it('remembers the newest events only, without repeats', () => {
    let state = structuredClone(IDLE);
    for (let i = 0; i < SEEN_EVENTS_KEPT + 5; i++) state = { ...state, seen: withSeen(state, `e${i}`) };
    expect(state.seen).toHaveLength(SEEN_EVENTS_KEPT);
    expect(state.seen.at(-1)).toBe(`e${SEEN_EVENTS_KEPT + 4}`);
    expect(withSeen({ ...state, seen: ['a', 'b'] }, 'a')).toEqual(['b', 'a']);
  });
});
