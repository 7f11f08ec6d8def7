import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import { decide, nodeGroupOf, type PolicyContext } from '../../../lib/interruption/policy.ts';
import { asgLifecycleNotice, healthNotice, NOTICE_TIME, rebalanceNotice, spotNotice, stoppingNotice } from '../../support/notices.ts';

const now = NOTICE_TIME;

const spot = spotNotice();
const rebalance = rebalanceNotice();
const state = stoppingNotice();
const asg = asgLifecycleNotice();
const health = healthNotice;

const ctx = (raw: unknown = {}, at = now, nodeLabels: Record<string, string> = {}): PolicyContext => ({ config: interruptionConfigSchema.parse(raw), nodeLabels, now: at });

describe('decide', () => {
  it('Spot and state change: drain with forced deletion allowed', () => {
    expect(decide(spot, ctx())).toMatchObject({ action: 'drain', evict: true, forceDelete: true, effect: 'NoSchedule', unschedulable: true, deadline: now + 120_000, completeLifecycle: 'no' });
    expect(decide(state, ctx())).toMatchObject({ action: 'drain', forceDelete: true, deadline: now });
  });

  it('rebalance: PreferNoSchedule + cordon, no eviction, reverted after revertAfterMinutes (30 by default, 0: never)', () => {
    expect(decide(rebalance, ctx())).toMatchObject({ action: 'cordon', effect: 'PreferNoSchedule', unschedulable: true, evict: false, forceDelete: false, revertAt: now + 30 * 60_000 });
    expect(decide(rebalance, ctx({ policies: { 'rebalance-recommendation': { action: 'drain' } } }))).toMatchObject({ action: 'drain', effect: 'NoSchedule', evict: true, forceDelete: false });
    expect(decide(rebalance, ctx({ policies: { 'rebalance-recommendation': { action: 'taint' } } }))).toMatchObject({ action: 'taint', unschedulable: false, evict: false });
    expect(decide(rebalance, ctx({ policies: { 'rebalance-recommendation': { revertAfterMinutes: 0 } } }))).not.toHaveProperty('revertAt');
  });

  it('Auto Scaling: drain without force, CONTINUE when drained', () => {
    expect(decide(asg, ctx())).toMatchObject({ action: 'drain', forceDelete: false, completeLifecycle: 'when-drained' });
    expect(decide(asg, ctx({ policies: { 'asg-lifecycle': { action: 'cordon' } } }))).toMatchObject({ action: 'cordon', completeLifecycle: 'now' });
  });

  it('Health: a schedule for startTime − leadMinutes (30 by default), then drain without force by startTime', () => {
    const start = now + 14 * 24 * 3600_000;
    expect(decide(health(start), ctx())).toMatchObject({ action: 'schedule', actAt: start - 30 * 60_000 });
    expect(decide(health(start), ctx({}, start - 34 * 60_000)).action).toBe('schedule');
    expect(decide(health(start), ctx({}, start - 30 * 60_000))).toMatchObject({ action: 'drain', forceDelete: false, deadline: start });
    // Within 3 minutes of startTime − lead no schedule can be kept to the minute (and one delivered as
    // early as Scheduler may, up to 2 minutes, must not be put off again): act now.
    expect(decide(health(start), ctx({}, start - 33 * 60_000 - 1)).action).toBe('schedule');
    expect(decide(health(start), ctx({}, start - 33 * 60_000))).toMatchObject({ action: 'drain' });
    expect(decide(health(start), ctx({}, start - 32 * 60_000 + 1))).toMatchObject({ action: 'drain' });
    // Any lead: days ahead are fine now that drains are scheduled.
    expect(decide(health(start), ctx({ policies: { 'scheduled-change': { leadMinutes: 3 * 24 * 60 } } }, start - 2 * 24 * 3600_000)).action).toBe('drain');
  });

  it('Health: a reboot is uncordoned after its window (endTime, else startTime + windowMinutes); a retirement is not', () => {
    const start = now + 3600_000;
    expect(decide(health(start, { change: 'reboot', endTime: start + 7200_000 }), ctx({}, start))).toMatchObject({ action: 'drain', uncordonAfter: start + 7200_000 });
    expect(decide(health(start, { change: 'reboot' }), ctx({}, start))).toMatchObject({ uncordonAfter: start + 120 * 60_000 });
    expect(decide(health(start), ctx({}, start))).not.toHaveProperty('uncordonAfter');
  });

  it('Health: a closed event cancels, whatever the policy', () => {
    expect(decide(health(now, { status: 'closed' }), ctx())).toMatchObject({ action: 'cancel' });
    expect(decide(health(now, { status: 'closed' }), ctx({ policies: { 'scheduled-change': { action: 'ignore' } } }))).toMatchObject({ action: 'cancel' });
  });

  it('ignore means no action for any kind', () => {
    const ignoreAll = { policies: Object.fromEntries(['spot-interruption', 'rebalance-recommendation', 'scheduled-change', 'state-change', 'asg-lifecycle'].map((k) => [k, { action: 'ignore' }])) };
    for (const n of [spot, rebalance, state, asg, health(now)]) expect(decide(n, ctx(ignoreAll)).action).toBe('none');
  });

  it('node groups: the first group whose labels all match overrides the kinds it names', () => {
    const raw = {
      nodeGroups: [
        { name: 'system', matchLabels: { pool: 'system' }, policies: { 'rebalance-recommendation': { action: 'ignore' } } },
        { name: 'spark-spot', matchLabels: { pool: 'spark', 'karpenter.sh/capacity-type': 'spot' }, policies: { 'rebalance-recommendation': { action: 'drain', forceDelete: false } } },
      ],
    };
    expect(decide(rebalance, ctx(raw, now, { pool: 'system' })).action).toBe('none');
    expect(decide(rebalance, ctx(raw, now, { pool: 'spark', 'karpenter.sh/capacity-type': 'spot' }))).toMatchObject({ action: 'drain', reason: expect.stringContaining('node group spark-spot') });
    // Not every label matches: the default.
    expect(decide(rebalance, ctx(raw, now, { pool: 'spark' })).action).toBe('cordon');
    // Kinds the group does not name keep the defaults.
    expect(decide(spot, ctx(raw, now, { pool: 'system' })).action).toBe('drain');
    expect(nodeGroupOf(interruptionConfigSchema.parse(raw).nodeGroups, {})).toBeUndefined();
  });

  it('config rejects unknown fields, bad values and the retired maxWaitSeconds by path', () => {
    const bad = interruptionConfigSchema.safeParse({ policies: { 'scheduled-change': { leadMinutes: 0, extra: 1 } } });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['policies.scheduled-change.leadMinutes', 'policies.scheduled-change']));
    const retired = interruptionConfigSchema.safeParse({ drain: { maxWaitSeconds: 600 } });
    expect(retired.error!.issues[0]).toMatchObject({ path: ['drain', 'maxWaitSeconds'], message: expect.stringContaining('maxDrainMinutes') });
    const selector = interruptionConfigSchema.safeParse({ nodeGroups: [{ name: 'x', matchLabels: { 'bad key!': 'v' }, policies: {} }] });
    expect(selector.error!.issues[0]!.path.join('.')).toBe('nodeGroups.0.matchLabels.bad key!');
    const rate = interruptionConfigSchema.safeParse({ apiRateLimit: { qps: 0, burst: 1.5, extra: true } });
    expect(rate.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['apiRateLimit.qps', 'apiRateLimit.burst', 'apiRateLimit']));
  });

  it('the client rate limit defaults to 400/s with a burst of 40, what the mass bench runs with', () => {
    expect(interruptionConfigSchema.parse({}).apiRateLimit).toEqual({ qps: 400, burst: 40 });
    expect(interruptionConfigSchema.parse({ apiRateLimit: { qps: 20 } }).apiRateLimit).toEqual({ qps: 20, burst: 40 });
  });
});
