import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { LIFEGUARD_FLOW_CONTROL_MANIFEST, startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions, type RequestRecord } from '../../sandbox/kube/index.ts';

/** The emulator's FlowSchemas and priority levels over HTTP, on a virtual clock. */

const NODE = 'ip-10-0-1-10.ec2.internal';
const SHIPPED = readFileSync(LIFEGUARD_FLOW_CONTROL_MANIFEST, 'utf8');
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
  for (let i = 0; i < 3; i++) emulator.addPod({ name: `p-${i}`, namespace: 'spark', node: NODE });
  return emulator;
}

function send(method: string, path: string, token = 'lifeguard', body?: unknown): Promise<number> {
  return clock.io(async () => {
    const response = await fetch(`${emulator!.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json-patch+json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    await response.text();
    return response.status;
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

const cordon = [{ op: 'add', path: '/spec/unschedulable', value: true }];
const record = (method: string, path: string): RequestRecord => emulator!.requests.find((r) => r.method === method && r.path === path)!;

/**
 * A small server (30 seats: global-default 3 without the manifest; lifeguard-cordon 2 and
 * lifeguard-drain 3 with it) busy with 12 of Lifeguard's pod lists, then Lifeguard's cordon PATCH.
 */
async function cordonBehindDrains(flowControlManifest?: string): Promise<RequestRecord> {
  await start({ latencyMs: 100, limits: { serverConcurrency: 30, loadLatencyFactor: 0, perObjectMs: 0 }, ...(flowControlManifest ? { flowControlManifest } : {}) });
  const lists = Array.from({ length: 12 }, () => send('GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE}`));
  // Every list has arrived, the level is full and the rest wait in its queues before the cordon comes.
  await clock.runUntil(clock.now());
  expect(emulator!.metrics().maxQueueDepth).toBeGreaterThan(0);
  const patch = send('PATCH', `/api/v1/nodes/${NODE}`, 'lifeguard', cordon);
  expect(await all([...lists, patch])).toEqual(Array(13).fill(200));
  return record('PATCH', `/api/v1/nodes/${NODE}`);
}

describe('kube emulator: FlowSchemas and priority levels', () => {
  it('without Lifeguard’s manifest its cordon PATCH queues behind its own pod lists in global-default', async () => {
    const patch = await cordonBehindDrains();
    expect(patch).toMatchObject({ status: 200, flowSchema: 'global-default', priorityLevel: 'global-default' });
    expect(patch.queueWaitMs).toBeGreaterThanOrEqual(300);
  });

  it('with it the cordon PATCH has seats of its own and does not wait; the lists run in lifeguard-drain', async () => {
    const patch = await cordonBehindDrains(SHIPPED);
    expect(patch).toMatchObject({ status: 200, flowSchema: 'lifeguard-cordon', priorityLevel: 'lifeguard-cordon', queueWaitMs: 0, answeredAt: 100 });
    expect(emulator!.requests.filter((r) => r.method === 'GET').every((r) => r.priorityLevel === 'lifeguard-drain')).toBe(true);
    expect(emulator!.metrics().levels).toEqual({
      'lifeguard-cordon': { concurrency: 2, requests: 1, throttled: 0, maxSeatsInUse: 1, maxQueueWaitMs: 0 },
      'lifeguard-drain': { concurrency: 3, requests: 12, throttled: 0, maxSeatsInUse: 3, maxQueueWaitMs: 300 },
    });
    expect(emulator!.metrics().queueWaits['patch nodes']).toEqual({ count: 1, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('lets a cluster administrator (system:masters) through unqueued: the mandatory exempt FlowSchema', async () => {
    await start({ latencyMs: 100, limits: { concurrency: 1, queues: 1, handSize: 1, queueLengthLimit: 1, loadLatencyFactor: 0 } });
    const statuses = await all(Array.from({ length: 5 }, () => send('GET', `/api/v1/nodes/${NODE}`, 'admin')));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(emulator!.requests.every((r) => r.priorityLevel === 'exempt' && r.answeredAt === 100)).toBe(true);
    expect(emulator!.metrics()).toMatchObject({ maxQueueDepth: 0, maxSeatsInUse: 0 });
  });

  it('refuses a manifest without limits, and an invalid one naming the option, the document and the field', async () => {
    await expect(startKubeEmulator({ clock: new VirtualClock(0), flowControlManifest: SHIPPED })).rejects.toThrow('flowControlManifest: API Priority and Fairness needs limits');
    const broken = SHIPPED.replace('matchingPrecedence: 1100', 'matchingPrecedence: 0');
    await expect(startKubeEmulator({ clock: new VirtualClock(0), limits: {}, flowControlManifest: broken })).rejects.toThrow(
      'kube emulator options: flowControlManifest: document 3 (FlowSchema lifeguard-cordon): spec.matchingPrecedence: must be a positive value',
    );
  });
});
