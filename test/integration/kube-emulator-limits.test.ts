import { afterEach, describe, expect, it } from 'vitest';
import { KUBERNETES_GROUP } from '../../deploy/interruption.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { SANDBOX_USERS, startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from '../../sandbox/kube/index.ts';
import { estimateCost, maxSeatsFor, nominalConcurrency, resolveLimits, apiLimitsSchema } from '../../sandbox/kube/limits.ts';

/** The emulator's API Priority and Fairness model, over HTTP, on a virtual clock. */

const NODE = 'ip-10-0-1-10.ec2.internal';
let clock: VirtualClock;
let emulator: KubeEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: Partial<KubeEmulatorOptions>): Promise<KubeEmulator> {
  clock = new VirtualClock(0);
  emulator = await startKubeEmulator({ clock, ...options });
  emulator.addNode({ name: NODE, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a' });
  return emulator;
}

interface Answer {
  status: number;
  at: number;
  retryAfter: string | null;
}

/** Sends `path` with the bearer token `flow` (its user is the flow) through tracked I/O; resolves with the status and the clock time of the answer. */
function send(path: string, flow = 'lifeguard'): Promise<Answer> {
  return clock.io(async () => {
    const response = await fetch(`${emulator!.url}${path}`, { headers: { Authorization: `Bearer ${flow}` } });
    await response.text();
    return { status: response.status, at: clock.now(), retryAfter: response.headers.get('retry-after') };
  });
}

async function all<T>(work: Promise<T>[]): Promise<T[]> {
  let done = false;
  const result = Promise.all(work).finally(() => {
    done = true;
  });
  await clock.runUntil(clock.now() + 600_000, () => done);
  return result;
}

describe('kube emulator: API Priority and Fairness model', () => {
  it('defaults to the global-default priority level of a default kube-apiserver', () => {
    expect(nominalConcurrency('global-default')).toBe(49);
    expect(nominalConcurrency('workload-low')).toBe(245);
    expect(maxSeatsFor(49, 6)).toBe(7);
    const limits = resolveLimits(apiLimitsSchema.parse({}));
    expect(limits).toMatchObject({ concurrency: 49, queues: 128, handSize: 6, queueLengthLimit: 50, queueWaitLimitMs: 15_000, retryAfterSeconds: 1, maxSeats: 7 });
  });

  it('rejects bad limits naming the field', async () => {
    await expect(startKubeEmulator({ clock: new VirtualClock(0), limits: { handSize: 0 } })).rejects.toThrow(/limits: handSize/);
    await expect(startKubeEmulator({ clock: new VirtualClock(0), limits: { queues: 2, handSize: 4 } })).rejects.toThrow(/handSize: handSize must be no larger than queues/);
  });

  it('runs at most `concurrency` seats at once and queues the rest', async () => {
    await start({ latencyMs: 100, limits: { concurrency: 2, loadLatencyFactor: 0, perObjectMs: 0 } });
    const answers = await all(Array.from({ length: 6 }, () => send(`/api/v1/nodes/${NODE}`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.at).sort((a, b) => a - b)).toEqual([100, 100, 200, 200, 300, 300]);
    const metrics = emulator!.metrics();
    expect(metrics.maxSeatsInUse).toBe(2);
    expect(metrics.maxQueueDepth).toBe(4);
    expect(metrics.maxQueueWaitMs).toBe(200);
    expect(metrics.requests).toEqual({ 'get nodes': 6 });
  });

  it('answers 429 with Retry-After when the flow’s queues are full', async () => {
    await start({ latencyMs: 100, limits: { concurrency: 1, queues: 1, handSize: 1, queueLengthLimit: 2, retryAfterSeconds: 3, loadLatencyFactor: 0 } });
    const answers = await all(Array.from({ length: 5 }, () => send(`/api/v1/nodes/${NODE}`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled.every((a) => a.retryAfter === '3' && a.at === 0)).toBe(true);
    const metrics = emulator!.metrics();
    expect(metrics.throttled).toEqual({ queueFull: 2, timeOut: 0 });
    expect(metrics.flows[SANDBOX_USERS.lifeguard.name]).toEqual({ requests: 5, throttled: 2 });
    expect(emulator!.requests.filter((r) => r.throttled === 'queue-full')).toHaveLength(2);
  });

  it('rejects a request that waited longer than the queue-wait limit', async () => {
    await start({ latencyMs: 100, limits: { concurrency: 1, queueWaitLimitMs: 150, loadLatencyFactor: 0 } });
    const answers = await all([0, 1, 2].map(() => send(`/api/v1/nodes/${NODE}`)));
    // Which request arrives first is up to the sockets; what happens to the first, second and third is not.
    expect(answers.map((a) => [a.status, a.at]).sort((a, b) => a[1]! - b[1]!)).toEqual([
      [200, 100],
      [429, 150],
      [200, 200],
    ]);
    expect(emulator!.metrics().throttled).toEqual({ queueFull: 0, timeOut: 1 });
  });

  it('serves a light flow between the requests of a heavy one (fair queuing)', async () => {
    // Two users that may read nodes, outside system:masters (whose requests the mandatory `exempt` FlowSchema lets through unqueued).
    const reader = { groups: [KUBERNETES_GROUP] };
    await start({ latencyMs: 100, limits: { concurrency: 1, queues: 64, handSize: 1, loadLatencyFactor: 0 }, users: { heavy: { name: 'heavy', ...reader }, light: { name: 'light', ...reader } } });
    const heavy = Array.from({ length: 5 }, () => send(`/api/v1/nodes/${NODE}`, 'heavy'));
    const light = send(`/api/v1/nodes/${NODE}`, 'light');
    const [heavyAnswers, [lightAnswer]] = await Promise.all([all(heavy), all([light])]);
    const lastHeavy = Math.max(...heavyAnswers.map((a) => a.at));
    // Round robin over the queues: the light flow's one request goes within two turns, not last.
    expect(lightAnswer!.at).toBeLessThanOrEqual(300);
    expect(lastHeavy).toBe(600);
  });

  it('a LIST of many pods costs more seats and more time than a GET; its cost grows per object', async () => {
    await start({ latencyMs: 10, limits: { concurrency: 49, perObjectMs: 0.1, loadLatencyFactor: 0 } });
    for (let i = 0; i < 350; i++) emulator!.addPod({ name: `p-${i}`, namespace: 'default', node: NODE });
    const limits = resolveLimits(apiLimitsSchema.parse({}));
    const query = new URLSearchParams({ fieldSelector: `spec.nodeName=${NODE}` });
    expect(estimateCost('list-pods', query, { pods: 350, nodes: 1, pdbs: 0, events: 0 }, limits)).toEqual({ seats: 4, objects: 350 });
    expect(estimateCost('list-pods', query, { pods: 100_000, nodes: 1, pdbs: 0, events: 0 }, limits).seats).toBe(7);
    expect(estimateCost('list-nodes', new URLSearchParams({ limit: '500' }), { pods: 0, nodes: 1000, pdbs: 0, events: 0 }, limits)).toEqual({ seats: 5, objects: 500 });
    expect(estimateCost('get-node', new URLSearchParams(), { pods: 350, nodes: 1000, pdbs: 0, events: 0 }, limits)).toEqual({ seats: 1, objects: 0 });

    const [get] = await all([send(`/api/v1/nodes/${NODE}`)]);
    expect(emulator!.metrics().maxSeatsInUse).toBe(1);
    const started = clock.now();
    const [list] = await all([send(`/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE}`)]);
    expect(get!.at).toBe(10);
    expect(list!.at - started).toBeCloseTo(10 + 350 * 0.1, 5);
    expect(emulator!.metrics().maxSeatsInUse).toBe(4);
  });

  it('service time grows with the seats in use', async () => {
    await start({ latencyMs: 100, limits: { concurrency: 4, perObjectMs: 0, loadLatencyFactor: 1 } });
    const answers = await all(Array.from({ length: 4 }, () => send(`/api/v1/nodes/${NODE}`)));
    // The k-th request starts with k seats in use: 100 × (1 + k/4).
    expect(answers.map((a) => a.at).sort((a, b) => a - b)).toEqual([125, 150, 175, 200]);
  });

  it('counts connections: a keep-alive client reuses one', async () => {
    await start({});
    for (let i = 0; i < 20; i++) await all([send(`/api/v1/nodes/${NODE}`)]);
    const metrics = emulator!.metrics();
    expect(metrics.total).toBe(20);
    expect(metrics.connectionsOpened).toBeGreaterThanOrEqual(1);
    expect(metrics.connectionsOpened).toBeLessThanOrEqual(2);
  });

  it('without limits nothing is queued or throttled', async () => {
    await start({ latencyMs: 50 });
    const answers = await all(Array.from({ length: 30 }, () => send(`/api/v1/nodes/${NODE}`)));
    expect(answers.every((a) => a.status === 200 && a.at === 50)).toBe(true);
    expect(emulator!.metrics()).toMatchObject({ maxQueueDepth: 0, maxSeatsInUse: 0, throttled: { queueFull: 0, timeOut: 0 } });
  });
});
