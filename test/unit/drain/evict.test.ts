import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import { evictPod, graceThatFits, type EvictPolicy } from '../../../lib/drain/evict.ts';
import { jitteredBackoff } from '../../../lib/util/backoff.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { silentLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd } from '../../support/fake-kube.ts';

const options = interruptionConfigSchema.parse({}).drain;

function setup(random = () => 0) {
  const clock = new VirtualClock();
  const kube = new FakeKube(clock, 0);
  const t0 = clock.now();
  const pod = kube.addPod({ name: 'web-1', node: 'n', labels: { app: 'web' }, grace: 30 });
  const target = { namespace: 'default', name: 'web-1', uid: pod.metadata!.uid!, graceSeconds: 30 };
  const evict = (policy: EvictPolicy) => runToEnd(clock, evictPod(target, policy, { kube, clock, log: silentLog, options, random, limit: pLimit(4) }));
  return { clock, kube, t0, evict };
}

describe('graceThatFits / jitteredBackoff', () => {
  it('clamps only when the pod grace overruns the time left', () => {
    expect(graceThatFits(30, 115_000)).toBeUndefined();
    expect(graceThatFits(300, 115_999)).toBe(115);
    expect(graceThatFits(30, 1_000)).toBe(1);
  });
  it("never clamps to zero: with no second left, the pod's own grace gives it a chance", () => {
    expect(graceThatFits(30, 999)).toBeUndefined();
    expect(graceThatFits(30, 0)).toBeUndefined();
    expect(graceThatFits(30, -5_000)).toBeUndefined();
  });
  it('keeps half the step fixed and jitters the other half', () => {
    expect(jitteredBackoff(1000, () => 0)).toBe(500);
    expect(jitteredBackoff(1000, () => 0.999)).toBe(1000);
  });
});

describe('evictPod', () => {
  it('backs off exponentially (capped) on a PDB refusal until it gives up, without forcing', async () => {
    const { kube, t0, evict } = setup(() => 0);
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const result = await evict({ deadline: null, giveUpAt: t0 + 20_000, forceDelete: true });
    const times = kube.callsFor('evictPod').map((c) => c.at - t0);
    // random 0 → half of 500, 1000, 2000, 4000, 8000, 8000...
    expect(times.slice(0, 6)).toEqual([0, 250, 750, 1750, 3750, 7750]);
    expect(times.at(-1)).toBe(20_000);
    expect(result).toMatchObject({ outcome: 'pending', forced: false, attempts: times.length, pdbRefusals: times.length });
    expect(kube.callsFor('deletePod')).toHaveLength(0); // no deadline: never forced
  });

  it('honours Retry-After when it is longer than the backoff (a throttled eviction is no budget refusal)', async () => {
    const { kube, t0, evict } = setup();
    let refusals = 1;
    kube.faults.push(({ op }) => (op === 'evictPod' && refusals-- > 0 ? new KubeApiError('too many requests', 429, 'TooManyRequests', 7) : undefined));
    const result = await evict({ deadline: null, giveUpAt: t0 + 60_000, forceDelete: false });
    expect(kube.callsFor('evictPod').map((c) => c.at - t0)).toEqual([0, 7_000]);
    expect(result).toMatchObject({ outcome: 'evicted', attempts: 2, pdbRefusals: 0 });
  });

  it('force-deletes at deadline − margin − grace − 1 s with the full grace, and never past the deadline', async () => {
    const { kube, t0, evict } = setup(() => 0.5);
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const deadline = t0 + 120_000;
    const result = await evict({ deadline, giveUpAt: deadline - 5_000, forceDelete: true });
    const [del] = kube.callsFor('deletePod');
    expect(del!.at - t0).toBe(84_000);
    expect(del!.gracePeriodSeconds).toBe(30);
    expect(result).toMatchObject({ outcome: 'deleted', forced: true, gracePeriodSeconds: 30 });
    expect(result.reason).toMatch(/disruption budget/);
  });

  it('with a 500 and forcing allowed, waits for the force point instead of retrying', async () => {
    const { kube, t0, evict } = setup();
    kube.faults.push(({ op }) => (op === 'evictPod' ? new KubeApiError('This pod has more than one PodDisruptionBudget', 500) : undefined));
    const deadline = t0 + 120_000;
    const result = await evict({ deadline, giveUpAt: deadline - 5_000, forceDelete: true });
    expect(kube.callsFor('evictPod')).toHaveLength(1);
    expect(kube.callsFor('deletePod')[0]!.at - t0).toBe(84_000);
    expect(result).toMatchObject({ outcome: 'deleted', forced: true });
  });

  it('a pod that vanishes before its forced deletion is reported gone, not deleted', async () => {
    const { kube, clock, t0, evict } = setup();
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    clock.schedule(50_000, () => kube.removePod('default', 'web-1'));
    const result = await evict({ deadline: t0 + 120_000, giveUpAt: t0 + 115_000, forceDelete: true });
    expect(result.outcome).toBe('evicted');
    expect(result.goneAt).toBeDefined();
    expect(kube.callsFor('deletePod').filter((c) => c.status === 200)).toHaveLength(0);
  });

  it('never force-deletes with a zero grace (an immediate removal from the API): at least 1 s', async () => {
    const { kube, t0, evict } = setup();
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const deadline = t0 + 5_500; // 0.5 s left before deadline − margin
    const result = await evict({ deadline, giveUpAt: deadline - 5_000, forceDelete: true });
    const [del] = kube.callsFor('deletePod');
    expect(del!.at).toBeLessThan(deadline);
    expect(del!.gracePeriodSeconds).toBe(1);
    expect(result).toMatchObject({ outcome: 'deleted', forced: true, gracePeriodSeconds: 1 });
  });

  it('keeps retrying a server error that outlived the client\'s retries, until it gives up: it never ends the drain', async () => {
    const { kube, t0, evict } = setup();
    kube.faults.push(({ op }) => (op === 'evictPod' ? new KubeApiError('etcdserver: request timed out', 500, 'InternalError') : undefined));
    const result = await evict({ deadline: null, giveUpAt: t0 + 20_000, forceDelete: false });
    expect(result).toMatchObject({ outcome: 'pending', pdbRefusals: 0, forced: false });
    expect(result.reason).toMatch(/API error 500/);
    expect(kube.callsFor('evictPod').length).toBeGreaterThan(3);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
  });

  it('under a deadline with forcing allowed, a failing eviction API is answered by a deletion at the force point', async () => {
    const { kube, t0, evict } = setup();
    let failures = 0;
    kube.faults.push(({ op }) => (op === 'evictPod' ? (failures++, new KubeApiError('service unavailable', 503)) : undefined));
    const deadline = t0 + 120_000;
    const result = await evict({ deadline, giveUpAt: deadline - 5_000, forceDelete: true });
    expect(result).toMatchObject({ outcome: 'deleted', forced: true });
    expect(kube.callsFor('deletePod')[0]!.at).toBeLessThan(deadline);
    expect(failures).toBeGreaterThan(3);
  });

  it('rethrows API failures it cannot interpret', async () => {
    const { kube, t0, evict } = setup();
    kube.faults.push(() => new KubeApiError('forbidden', 403));
    await expect(evict({ deadline: null, giveUpAt: t0 + 1000, forceDelete: false })).rejects.toThrow('forbidden');
  });
});
