import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApi, type KubeApiOptions } from '../../../lib/kube/client.ts';
import { TokenBucket } from '../../../lib/kube/token-bucket.ts';
import type { KubeApi } from '../../../lib/kube/port.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from '../../../sandbox/kube/index.ts';

/** The client's keep-alive agent, rate limit with priorities, and Retry-After, against the emulator. */

const NODE = 'ip-10-0-1-10.ec2.internal';
let emulator: KubeEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(clock: VirtualClock, emulatorOptions: Partial<KubeEmulatorOptions> = {}, clientOptions: Partial<KubeApiOptions> = {}): Promise<KubeApi> {
  emulator = await startKubeEmulator({ clock, ...emulatorOptions });
  emulator.addNode({ name: NODE, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a' });
  return createKubeApi(emulator.kubeConfig('lifeguard'), { clock, random: () => 0.5, ...clientOptions });
}

async function drive<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const tracked = work.finally(() => {
    done = true;
  });
  await clock.runUntil(clock.now() + 10 * 60_000, () => done);
  return tracked;
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces at qps on the injected clock', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket(clock, { qps: 10, burst: 2 });
    const times: number[] = [];
    const takes = Array.from({ length: 5 }, () => bucket.take().then(() => times.push(clock.now())));
    await drive(clock, Promise.all(takes));
    expect(times).toEqual([0, 0, 100, 200, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('serves a high-priority waiter before normal ones that waited longer', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket(clock, { qps: 10, burst: 1 });
    const order: string[] = [];
    const takes = ['n1', 'n2', 'n3'].map((name) => bucket.take('normal').then(() => order.push(name)));
    takes.push(bucket.take('high').then(() => order.push('cordon')));
    await drive(clock, Promise.all(takes));
    expect(order).toEqual(['n1', 'cordon', 'n2', 'n3']);
  });

  it('rejects a bad configuration naming the field', () => {
    const clock = new VirtualClock(0);
    expect(() => new TokenBucket(clock, { qps: 0, burst: 1 })).toThrow(/qps/);
    expect(() => new TokenBucket(clock, { qps: 1, burst: 0.5 })).toThrow(/burst/);
  });
});

describe('createKubeApi: connections, rate limit, priority, Retry-After', () => {
  it('100 requests share one keep-alive connection', async () => {
    const clock = new VirtualClock();
    const api = await start(clock);
    for (let i = 0; i < 100; i++) await drive(clock, api.getNode(NODE));
    const metrics = emulator!.metrics();
    expect(metrics.requests['get nodes']).toBe(100);
    expect(metrics.connectionsOpened).toBeLessThanOrEqual(2);
  });

  it("the emulator closes a connection idle for 5 s of the virtual clock, whatever the real time (a slow run takes the same timeline)", async () => {
    const clock = new VirtualClock();
    const api = await start(clock);
    const afterIdle = async (seconds: number) => {
      await clock.runUntil(clock.now() + seconds * 1000);
      await drive(clock, api.getNode(NODE));
    };
    await afterIdle(0);
    await afterIdle(4.9);
    expect(emulator!.metrics().connectionsOpened).toBe(1);
    await afterIdle(5);
    expect(emulator!.metrics().connectionsOpened).toBe(2);
    // The client saw the close in time: no request failed on a closing connection.
    expect(emulator!.metrics().total).toBe(3);
  });

  it('10 concurrent requests open at most 10 connections and reuse them', async () => {
    const clock = new VirtualClock();
    const api = await start(clock, { latencyMs: 5 });
    for (let round = 0; round < 5; round++) await drive(clock, Promise.all(Array.from({ length: 10 }, () => api.getNode(NODE))));
    expect(emulator!.metrics().total).toBe(50);
    expect(emulator!.metrics().connectionsOpened).toBeLessThanOrEqual(10);
  });

  it('without keep-alive every request opens its own connection (what client-node does by itself)', async () => {
    const clock = new VirtualClock();
    const api = await start(clock, {}, { keepAlive: false });
    for (let i = 0; i < 10; i++) await drive(clock, api.getNode(NODE));
    expect(emulator!.metrics().connectionsOpened).toBe(10);
  });

  it('paces requests with its token bucket and sends the node PATCH ahead of queued reads', async () => {
    const clock = new VirtualClock(0);
    const api = await start(clock, {}, { rateLimit: { qps: 10, burst: 1 } });
    const reads = Array.from({ length: 3 }, () => api.getNode(NODE));
    const cordon = api.patchNode(NODE, [{ op: 'add', path: '/spec/unschedulable', value: true }]);
    await drive(clock, Promise.all([...reads, cordon]));
    const sent = emulator!.requests.map((r) => [r.operation, r.at]);
    expect(sent).toEqual([
      ['get-node', 0],
      ['patch-node', 100],
      ['get-node', 200],
      ['get-node', 300],
    ]);
  });

  it('a caller can lower the PATCH priority or raise another call’s', async () => {
    const clock = new VirtualClock(0);
    const api = await start(clock, {}, { rateLimit: { qps: 10, burst: 1 } });
    const first = api.getNode(NODE);
    const patch = api.patchNode(NODE, [{ op: 'add', path: '/metadata/labels/a', value: 'b' }], { priority: 'normal' });
    const urgentRead = api.listPodsOnNode(NODE, { priority: 'high' });
    await drive(clock, Promise.all([first, patch, urgentRead]));
    expect(emulator!.requests.map((r) => r.operation)).toEqual(['get-node', 'list-pods', 'patch-node']);
  });

  it('waits exactly the Retry-After of a flow-control 429, then succeeds', async () => {
    const clock = new VirtualClock(0);
    const api = await start(clock, { latencyMs: 1000, limits: { concurrency: 1, queues: 1, handSize: 1, queueLengthLimit: 1, retryAfterSeconds: 2, loadLatencyFactor: 0 } });
    const calls = [api.getNode(NODE), api.getNode(NODE), api.getNode(NODE)];
    const nodes = await drive(clock, Promise.all(calls));
    expect(nodes.every((n) => n?.metadata?.name === NODE)).toBe(true);
    const throttled = emulator!.requests.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(1);
    const retry = emulator!.requests.find((r) => r.status === 200 && r.at === throttled[0]!.at + 2000);
    expect(retry).toBeDefined();
    expect(emulator!.metrics().throttled.queueFull).toBe(1);
  });
});
