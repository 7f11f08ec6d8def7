import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CorruptLifecycleError, IDLE, LIFECYCLE_ANNOTATION, readLifecycle, SEEN_EVENTS_KEPT, withSeen } from '../../../lib/lifecycle/state.ts';

const node = (annotation?: string): V1Node => ({ metadata: { name: 'n', ...(annotation !== undefined ? { annotations: { [LIFECYCLE_ANNOTATION]: annotation } } : {}) } });

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
