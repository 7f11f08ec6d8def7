import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import type { Notice } from '../../../lib/events/notice.ts';
import type { Continuation } from '../../../lib/lifecycle/continuation.ts';
import { readLease } from '../../../lib/lifecycle/lease.ts';
import { IDLE, type NodeLifecycle } from '../../../lib/lifecycle/state.ts';
import { nextStep, type StepInput } from '../../../lib/lifecycle/next-step.ts';
import { HEALTH_EVENT_ARN, healthNotice, NOTICE_TIME, rebalanceNotice, spotNotice } from '../../support/notices.ts';
import { annotatedNode } from '../../support/nodes.ts';

const now = NOTICE_TIME;
const spot = (eventId = 'spot-1') => spotNotice({ eventId });
const rebalance = rebalanceNotice({ eventId: 'rb-1' });
const health = (eventId: string, startTime: number, status: 'upcoming' | 'closed' = 'upcoming', change: 'reboot' | 'retirement' = 'retirement') => healthNotice(startTime, { eventId, status, change });
const node = annotatedNode;
const ARN = HEALTH_EVENT_ARN;

const state = (over: Partial<NodeLifecycle> = {}): NodeLifecycle => ({ ...structuredClone(IDLE), ...over });
const continuation = (type: Continuation['type'], eventId: string): StepInput['trigger'] => ({
  kind: 'continuation',
  continuation: { type, cluster: 'c', nodeName: 'n', instanceId: 'i-0aaa1111bbbb22220', eventId, event: {}, round: 0 },
});

function step(notice: Notice, n: V1Node, s: NodeLifecycle, trigger: StepInput['trigger'] = { kind: 'event' }, at = now) {
  return nextStep({ notice, trigger, node: n, state: s, lease: readLease(n), holder: 'me', config: interruptionConfigSchema.parse({}), now: at });
}

describe('nextStep: events', () => {
  it('a fresh Spot warning acts now; its redelivery is a duplicate', () => {
    expect(step(spot(), node(), state())).toMatchObject({ kind: 'act', resume: false, preempt: false, decision: { action: 'drain' } });
    expect(step(spot(), node({ current: 'spot-1' }), state({ phase: 'drained', seen: ['spot-1'] }))).toMatchObject({ kind: 'duplicate' });
  });

  it('while another invocation drains for this event: duplicate; once its lease ran out: resume', () => {
    const draining = state({ phase: 'draining', seen: ['spot-1'] });
    expect(step(spot(), node({ current: 'spot-1', lease: { holder: 'other', until: now + 30_000 } }), draining)).toMatchObject({ kind: 'duplicate', reason: expect.stringContaining('other') });
    expect(step(spot(), node({ current: 'spot-1', lease: { holder: 'other', until: now - 1 } }), draining)).toMatchObject({ kind: 'act', resume: true });
  });

  it('a late redelivery of an older event after a newer one is a duplicate, not a new drain', () => {
    expect(step(rebalance, node({ current: 'spot-1' }), state({ phase: 'drained', seen: ['rb-1', 'spot-1'] }))).toMatchObject({ kind: 'duplicate' });
  });

  it('a more urgent notice takes a held node over; an equally urgent one waits its turn', () => {
    const held = node({ current: 'h-1', deadline: now + 3_600_000, lease: { holder: 'other', until: now + 30_000 } });
    const draining = state({ phase: 'draining', seen: ['h-1'] });
    expect(step(spot('spot-2'), held, draining)).toMatchObject({ kind: 'act', preempt: true });
    const heldBySpot = node({ current: 'spot-1', deadline: now + 60_000, lease: { holder: 'other', until: now + 30_000 } });
    expect(step(spot('spot-2'), heldBySpot, state({ phase: 'draining', seen: ['spot-1'] }))).toMatchObject({ kind: 'busy', holder: 'other' });
  });

  it('a Health change far ahead is scheduled; a closed one cancels, and reverts only when its drain was done', () => {
    expect(step(health('h-1', now + 3 * 86_400_000), node(), state())).toMatchObject({ kind: 'schedule', at: now + 3 * 86_400_000 - 30 * 60_000 });
    expect(step(health('h-2', now, 'closed'), node(), state({ health: { [ARN]: 'h-1' } }))).toMatchObject({ kind: 'cancel', revert: false });
    expect(step(health('h-2', now, 'closed'), node({ current: 'h-1' }), state({ phase: 'drained', health: { [ARN]: 'h-1' } }))).toMatchObject({ kind: 'cancel', revert: true });
  });
});

describe('nextStep: continuations', () => {
  const pending = (type: Continuation['type'], eventId: string) => [{ type, eventId, schedule: 's', at: new Date(now).toISOString() }];

  it('a scheduled drain runs only if it is still the latest for its Health event', () => {
    const s = state({ health: { [ARN]: 'h-1' }, pending: pending('scheduled-drain', 'h-1') });
    expect(step(health('h-1', now + 60_000), node(), s, continuation('scheduled-drain', 'h-1'))).toMatchObject({ kind: 'act' });
    const moved = state({ health: { [ARN]: 'h-2' }, pending: pending('scheduled-drain', 'h-2') });
    expect(step(health('h-1', now + 60_000), node(), moved, continuation('scheduled-drain', 'h-1'))).toMatchObject({ kind: 'stale' });
  });

  it('a rebalance revert is stale once a newer notice took the node over', () => {
    const cordoned = state({ phase: 'cordoned', pending: pending('revert-rebalance', 'rb-1') });
    expect(step(rebalance, node({ current: 'rb-1' }), cordoned, continuation('revert-rebalance', 'rb-1'))).toMatchObject({ kind: 'revert' });
    expect(step(rebalance, node({ current: 'spot-1' }), state({ phase: 'drained' }), continuation('revert-rebalance', 'rb-1'))).toMatchObject({ kind: 'stale' });
  });

  it('after maintenance: revert when Ready, look again when not, give up after returnTimeoutHours', () => {
    const h = health('h-1', now - 3_600_000, 'upcoming', 'reboot');
    const drained = state({ phase: 'drained' });
    expect(step(h, node({ current: 'h-1' }), drained, continuation('uncordon-after-maintenance', 'h-1'))).toMatchObject({ kind: 'revert' });
    expect(step(h, node({ current: 'h-1', ready: false }), drained, continuation('uncordon-after-maintenance', 'h-1'))).toMatchObject({ kind: 'recheck', at: now + 5 * 60_000 });
    const late = now + 25 * 3_600_000;
    expect(step(h, node({ current: 'h-1', ready: false }), drained, continuation('uncordon-after-maintenance', 'h-1'), late)).toMatchObject({ kind: 'give-up' });
  });

  it('a resume continues only the drain it was handed', () => {
    expect(step(spot(), node({ current: 'spot-1' }), state({ phase: 'draining' }), continuation('resume-drain', 'spot-1'))).toMatchObject({ kind: 'act', resume: true });
    expect(step(spot(), node({ current: 'spot-1' }), state({ phase: 'drained' }), continuation('resume-drain', 'spot-1'))).toMatchObject({ kind: 'stale' });
  });
});
