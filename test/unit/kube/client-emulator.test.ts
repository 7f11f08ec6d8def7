import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApi } from '../../../lib/kube/client.ts';
import { NodeIndex } from '../../../lib/kube/node-index.ts';
import { KubeApiError, type KubeApi } from '../../../lib/kube/port.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from '../../../sandbox/kube/index.ts';

/** createKubeApi against the sandbox's API emulator, through the real client-node, on virtual time. */

const N1 = 'ip-10-0-1-10.ec2.internal';
const N2 = 'ip-10-0-1-11.ec2.internal';
let emulator: KubeEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(clock: VirtualClock, options: Partial<KubeEmulatorOptions> = {}): Promise<{ emu: KubeEmulator; api: KubeApi }> {
  const emu = await startKubeEmulator({ clock, ...options });
  emulator = emu;
  emu.addNode({ name: N1, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a', capacityType: 'SPOT' });
  emu.addNode({ name: N2, instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1b', capacityType: 'SPOT' });
  for (const [suffix, node] of [['a', N1], ['b', N1], ['c', N2]] as const) {
    emu.addPod({ name: `web-${suffix}`, node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 5 });
  }
  emu.addPdb({ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 });
  const api = createKubeApi(emu.kubeConfig('lifeguard'), { clock, random: () => 0.5, maxAttempts: 8 });
  return { emu, api };
}

async function drive<T>(clock: VirtualClock, work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let done = false;
  const outcome: { value?: T; error?: unknown } = {};
  const running = work()
    .then((value) => { outcome.value = value; }, (error: unknown) => { outcome.error = error; })
    .finally(() => { done = true; });
  await clock.runUntil(clock.now() + 10 * 60_000, () => done);
  await running;
  return outcome;
}

describe('createKubeApi against the emulator', () => {
  it('evicts within the budget, then gets the PDB refusal once, without retrying it', async () => {
    const clock = new VirtualClock();
    const { emu, api } = await start(clock);
    const pods = (await drive(clock, () => api.listPodsOnNode(N1))).value!.items;
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['web-a', 'web-b']);
    const [a, b] = pods.sort((x, y) => x.metadata!.name!.localeCompare(y.metadata!.name!));

    expect((await drive(clock, () => api.evictPod('default', 'web-a', a!.metadata!.uid!))).error).toBeUndefined();
    const before = emu.requests.length;
    const { error } = await drive(clock, () => api.evictPod('default', 'web-b', b!.metadata!.uid!));
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(429);
    expect((error as KubeApiError).reason).toBe('DisruptionBudget');
    expect(emu.requests.slice(before).filter((r) => r.operation === 'evict-pod')).toHaveLength(1);
  });

  it('gets 409 for a stale UID precondition', async () => {
    const clock = new VirtualClock();
    const { api } = await start(clock);
    const { error } = await drive(clock, () => api.deletePod('default', 'web-c', 'not-the-uid', 0));
    expect((error as KubeApiError).status).toBe(409);
  });

  it('cordons with a JSON patch the emulator applies', async () => {
    const clock = new VirtualClock();
    const { emu, api } = await start(clock);
    const { value } = await drive(clock, () => api.patchNode(N1, [{ op: 'add', path: '/spec/unschedulable', value: true }]));
    expect(value?.spec?.unschedulable).toBe(true);
    expect(emu.node(N1)?.spec.unschedulable).toBe(true);
  });

  it('rides out injected throttling, waiting exactly Retry-After each time', async () => {
    const clock = new VirtualClock();
    const { emu, api } = await start(clock, { faults: { rate: 0.6, statuses: [429], retryAfterSeconds: 2, only: ['list-nodes'] }, seed: 7 });
    const start0 = clock.now();
    const { value, error } = await drive(clock, () => api.listNodes());
    expect(error).toBeUndefined();
    expect(value?.map((n) => n.metadata?.name).sort()).toEqual([N1, N2]);
    const throttled = emu.requests.filter((r) => r.operation === 'list-nodes' && r.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect(clock.now() - start0).toBe(throttled * 2_000);
  });

  it('resolves instances to nodes through NodeIndex', async () => {
    const clock = new VirtualClock();
    const { api } = await start(clock);
    const index = new NodeIndex(api, { clock });
    expect((await drive(clock, () => index.resolve('i-0aaa1111bbbb22221'))).value).toEqual({ nodeName: N2, via: 'index' });
    expect((await drive(clock, () => index.resolve('i-0fff0000fff000000'))).value).toBeUndefined();
  });
});
