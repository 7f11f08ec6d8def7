import { describe, expect, it } from 'vitest';
import { isLive, LEASE_ANNOTATION, LeaseKeeper, leaseValue, readLease } from '../../../lib/lifecycle/lease.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd } from '../../support/fake-kube.ts';

const NODE = 'node-a';

function setup() {
  const clock = new VirtualClock();
  const kube = new FakeKube(clock);
  const raw = leaseValue('req-1', clock.now() + 60_000);
  kube.addNode(NODE, 'i-0aaa', { annotations: { [LEASE_ANNOTATION]: raw } });
  const lease = readLease(kube.node(NODE)!)!;
  const onLost: string[] = [];
  const keeper = new LeaseKeeper(NODE, lease, { kube, clock, log: new RecordingLog() }, { durationMs: 60_000, renewEveryMs: 20_000 }, () => onLost.push('lost'));
  return { clock, kube, keeper, onLost };
}

describe('lease', () => {
  it('reads holder and expiry; an unreadable lease counts as expired', () => {
    const clock = new VirtualClock();
    const lease = readLease({ metadata: { annotations: { [LEASE_ANNOTATION]: leaseValue('a', clock.now() + 1000) } } })!;
    expect(lease).toMatchObject({ holder: 'a', until: clock.now() + 1000 });
    expect(isLive(lease, clock.now())).toBe(true);
    expect(isLive(lease, clock.now() + 1000)).toBe(false);
    expect(readLease({ metadata: { annotations: { [LEASE_ANNOTATION]: 'garbage' } } })).toMatchObject({ until: 0 });
    expect(readLease({ metadata: {} })).toBeUndefined();
  });

  it('renews while the work runs, each renewal guarded by the lease value it replaces', async () => {
    const { clock, kube, keeper } = setup();
    keeper.start();
    await clock.runUntil(clock.now() + 65_000);
    await keeper.stop();
    const renewals = kube.callsFor('patchNode');
    expect(renewals).toHaveLength(3);
    expect(renewals[1]!.ops![0]).toMatchObject({ op: 'test', path: '/metadata/annotations/lifeguard.io~1lease', value: renewals[0]!.ops![1]!.value });
    expect(readLease(kube.node(NODE)!)!.until).toBeGreaterThan(clock.now() + 30_000);
    // Stopped means stopped: no timer left behind.
    expect(clock.pendingTimers).toBe(0);
  });

  it('notices when another writer took the node over, and says so once', async () => {
    const { clock, kube, keeper, onLost } = setup();
    keeper.start();
    await clock.runUntil(clock.now() + 25_000);
    await runToEnd(clock, kube.patchNode(NODE, [{ op: 'add', path: '/metadata/annotations/lifeguard.io~1lease', value: leaseValue('req-2', clock.now() + 60_000) }]));
    await clock.runUntil(clock.now() + 60_000);
    await keeper.stop();
    expect(keeper.lost).toBe(true);
    expect(onLost).toEqual(['lost']);
    expect(readLease(kube.node(NODE)!)!.holder).toBe('req-2');
  });
});
