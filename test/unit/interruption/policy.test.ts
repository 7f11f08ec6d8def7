import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import type { Notice } from '../../../lib/events/notice.ts';
import { decide } from '../../../lib/interruption/policy.ts';

const defaults = interruptionConfigSchema.parse({}).policies;
const now = Date.parse('2026-03-02T17:05:11Z');
const base = { eventId: 'e', source: 's', detailType: 'd', account: '123456789012', region: 'us-east-1', eventTime: now, instanceIds: ['i-0abc'] };

const spot: Notice = { ...base, kind: 'spot-interruption', action: 'terminate', deadline: now + 120_000 };
const rebalance: Notice = { ...base, kind: 'rebalance-recommendation', deadline: null };
const state: Notice = { ...base, kind: 'state-change', state: 'stopping', deadline: now };
const asg: Notice = { ...base, kind: 'asg-lifecycle', autoScalingGroupName: 'g', lifecycleHookName: 'h', lifecycleActionToken: 't', deadline: null };
const health = (startTime: number): Notice => ({
  ...base,
  kind: 'scheduled-change',
  eventArn: 'arn:aws:health:us-east-1::event/EC2/X/Y',
  eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
  change: 'retirement',
  startTime,
  endTime: null,
  deadline: startTime,
});

describe('decide', () => {
  it('Spot and state change: drain with forced deletion allowed', () => {
    expect(decide(spot, defaults, now)).toMatchObject({ action: 'drain', evict: true, forceDelete: true, effect: 'NoSchedule', unschedulable: true, deadline: now + 120_000, completeLifecycle: 'no' });
    expect(decide(state, defaults, now)).toMatchObject({ action: 'drain', forceDelete: true, deadline: now });
  });

  it('rebalance: PreferNoSchedule + cordon, no eviction', () => {
    expect(decide(rebalance, defaults, now)).toMatchObject({ action: 'cordon', effect: 'PreferNoSchedule', unschedulable: true, evict: false, forceDelete: false });
    const drainOnRebalance = interruptionConfigSchema.parse({ policies: { 'rebalance-recommendation': { action: 'drain' } } }).policies;
    expect(decide(rebalance, drainOnRebalance, now)).toMatchObject({ action: 'drain', effect: 'NoSchedule', evict: true, forceDelete: false });
    const taintOnly = interruptionConfigSchema.parse({ policies: { 'rebalance-recommendation': { action: 'taint' } } }).policies;
    expect(decide(rebalance, taintOnly, now)).toMatchObject({ action: 'taint', unschedulable: false, evict: false });
  });

  it('Auto Scaling: drain without force, CONTINUE when drained', () => {
    expect(decide(asg, defaults, now)).toMatchObject({ action: 'drain', forceDelete: false, completeLifecycle: 'when-drained' });
    const cordonOnly = interruptionConfigSchema.parse({ policies: { 'asg-lifecycle': { action: 'cordon' } } }).policies;
    expect(decide(asg, cordonOnly, now)).toMatchObject({ action: 'cordon', completeLifecycle: 'now' });
  });

  it('Health: nothing before startTime − leadMinutes, then drain without force', () => {
    const start = now + 14 * 24 * 3600_000;
    const early = decide(health(start), defaults, now);
    expect(early).toMatchObject({ action: 'none', actAt: start - 10 * 60_000 });
    expect(decide(health(start), defaults, start - 11 * 60_000).action).toBe('none');
    expect(decide(health(start), defaults, start - 10 * 60_000)).toMatchObject({ action: 'drain', forceDelete: false, deadline: start });
    const lead14 = interruptionConfigSchema.parse({ policies: { 'scheduled-change': { leadMinutes: 14 } } }).policies;
    expect(decide(health(start), lead14, start - 12 * 60_000).action).toBe('drain');
    expect(decide(health(start), lead14, start - 15 * 60_000).action).toBe('none');
  });

  it('Health: the lead time is capped so the drain fits in one invocation', () => {
    const tooLong = interruptionConfigSchema.safeParse({ policies: { 'scheduled-change': { leadMinutes: 30 } } });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error!.issues[0]).toMatchObject({ path: ['policies', 'scheduled-change', 'leadMinutes'], message: expect.stringContaining('900 s') });
  });

  it('ignore means no action for any kind', () => {
    const ignoreAll = interruptionConfigSchema.parse({
      policies: Object.fromEntries(Object.keys(defaults).map((k) => [k, { action: 'ignore' }])),
    }).policies;
    for (const n of [spot, rebalance, state, asg, health(now)]) expect(decide(n, ignoreAll, now).action).toBe('none');
  });

  it('config rejects unknown fields and bad values by path', () => {
    const bad = interruptionConfigSchema.safeParse({ policies: { 'scheduled-change': { leadMinutes: 0, extra: 1 } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['policies.scheduled-change.leadMinutes', 'policies.scheduled-change']));
  });
});
