import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.ts';
import { CORDON_BARRIER_MS, handleBatch, type Delivery } from '../../../lib/interruption/batch.ts';
import { NodeIndex } from '../../../lib/kube/node-index.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { InMemoryInstanceDirectory, InMemorySelfInvoker } from '../../../sandbox/aws/in-memory-ports.ts';
import { InMemoryScheduler } from '../../../sandbox/aws/in-memory-scheduler.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd, sparkLabels } from '../../support/fake-kube.ts';

const spot = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8')) as Record<string, unknown>;
const rebalance = JSON.parse(readFileSync('test/fixtures/events/rebalance-recommendation.json', 'utf8')) as Record<string, unknown>;

const instanceId = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;
const nodeName = (i: number) => `ip-10-0-0-${i}.ec2.internal`;
const warning = (i: number, id = `spot-${i}`): Record<string, unknown> => ({ ...spot, id, detail: { 'instance-id': instanceId(i), 'instance-action': 'terminate' } });

/** A cluster of `n` Spot nodes, each with two executors and a web pod; the function's adapters as one execution environment builds them. */
function world(n: number, rawConfig: Record<string, unknown> = {}) {
  const clock = new VirtualClock(Date.parse(spot.time as string) + 1_000);
  const kube = new FakeKube(clock);
  const ec2 = new InMemoryInstanceDirectory();
  for (let i = 0; i < n; i++) {
    kube.addNode(nodeName(i), instanceId(i));
    ec2.set(instanceId(i), nodeName(i));
    for (const e of [1, 2]) kube.addPod({ name: `exec-${i}-${e}`, namespace: 'spark', node: nodeName(i), labels: sparkLabels('executor', 'spark-1', String(e)), grace: 60, preStop: ['/opt/decom.sh'], shutdownSeconds: 20 });
    kube.addPod({ name: `web-${i}`, node: nodeName(i), labels: { app: 'web' }, grace: 30, shutdownSeconds: 2 });
  }
  const log = new RecordingLog();
  const config = parseConfig({ eks: [{ name: 'spark' }], ...rawConfig });
  const nodes = new NodeIndex(kube, { clock, instances: ec2, log });
  const continuations: unknown[] = [];
  const base = {
    config,
    clock,
    log,
    random: () => 0.5,
    scheduler: new InMemoryScheduler(clock, (payload) => void continuations.push(payload)),
    invoker: new InMemorySelfInvoker(clock, (payload) => void continuations.push(payload)),
  };
  const run = (deliveries: Delivery[], invocation = { id: 'req-1', remainingMs: () => 900_000 }) =>
    runToEnd(clock, handleBatch(deliveries, [{ name: 'spark', kube, nodes }], { ...base, invocation }));
  return { clock, kube, ec2, log, run, continuations };
}

const deliveriesOf = (events: Array<Record<string, unknown>>): Delivery[] => events.map((body, i) => ({ id: `m-${i}`, body }));

describe('handleBatch: many notices, one invocation', () => {
  it('looks every instance up with one DescribeInstances and no node LIST, cordons every node before any drain reads a pod, and drains them all', async () => {
    const { kube, ec2, run } = world(6);
    // One cordon is refused once (API Priority and Fairness): the others are written well before it.
    let refused = false;
    kube.faults.push(({ op, target }) => (op === 'patchNode' && target === nodeName(5) && !refused && (refused = true) ? new KubeApiError('Too many requests', 429, 'TooManyRequests') : undefined));
    const results = await run(deliveriesOf(Array.from({ length: 6 }, (_, i) => warning(i))));

    expect(results.map((r) => r.error)).toEqual(Array(6).fill(undefined));
    expect(results.map((r) => r.reports[0]!.instances[0]!.status)).toEqual(Array(6).fill('drained'));
    expect(ec2.calls).toBe(1);
    expect(kube.callsFor('listNodes')).toHaveLength(0);
    const cordons = kube.callsFor('patchNode').filter((c) => c.status === 200 && c.ops!.some((o) => o.path === '/spec/unschedulable'));
    expect(cordons).toHaveLength(6);
    const firstDrainWork = kube.calls.find((c) => ['streamAllPods', 'streamPodsOnNode', 'listPodsOnNode', 'evictPod', 'createEvent'].includes(c.op))!;
    expect(Math.max(...cordons.map((c) => c.at))).toBeLessThanOrEqual(firstDrainWork.at);
    expect(kube.calls.indexOf(cordons.at(-1)!)).toBeLessThan(kube.calls.indexOf(firstDrainWork));
  });

  it('reads every node\'s pods with one read of all pods, not one stream per node, then watches each node from it', async () => {
    const { kube, run } = world(5);
    const results = await run(deliveriesOf(Array.from({ length: 5 }, (_, i) => warning(i))));

    expect(results.every((r) => r.reports[0]!.instances[0]!.status === 'drained')).toBe(true);
    expect(kube.callsFor('streamAllPods')).toHaveLength(1);
    expect(kube.callsFor('streamPodsOnNode')).toHaveLength(0);
    expect(kube.callsFor('listPodsOnNode')).toHaveLength(0);
    expect(kube.callsFor('watchPodsOnNode').map((c) => c.target).sort()).toEqual(Array.from({ length: 5 }, (_, i) => nodeName(i)).sort());
    // Every pod the drains had to move went, and each drain saw it go through the shared stream.
    for (const r of results) expect(r.reports[0]!.instances[0]!.drain!.pods.filter((p) => p.outcome === 'evicted' && p.goneAt !== undefined)).toHaveLength(3);
    expect(kube.watchCount).toBe(0);
  });

  it('without WatchList, shares one LIST of all pods instead, then watches each node from it', async () => {
    const { kube, run } = world(4);
    kube.watchList = false;
    const results = await run(deliveriesOf(Array.from({ length: 4 }, (_, i) => warning(i))));

    expect(results.every((r) => r.reports[0]!.instances[0]!.status === 'drained')).toBe(true);
    expect(kube.callsFor('listAllPods')).toHaveLength(1);
    expect(kube.callsFor('listPodsOnNode')).toHaveLength(0);
    expect(kube.callsFor('watchPodsOnNode')).toHaveLength(4);
  });

  it('a node that failed is its delivery\'s failure only: the others are drained and not retried', async () => {
    const { kube, run } = world(3);
    kube.faults.push(({ op, target }) => (op === 'evictPod' && target === 'default/web-1' ? new KubeApiError('evict pod default/web-1: forbidden', 403, 'Forbidden') : undefined));
    const results = await run(deliveriesOf([warning(0), warning(1), warning(2)]));

    expect(results.map((r) => r.error === undefined)).toEqual([true, false, true]);
    expect(String(results[1]!.error)).toMatch(/permanent Kubernetes API errors: .*evict pod default\/web-1: forbidden/);
    expect(results[0]!.reports[0]!.instances[0]!.status).toBe('drained');
    expect(results[2]!.reports[0]!.instances[0]!.status).toBe('drained');
  });

  it('the same notice twice in a batch is handled once; the copy is a duplicate, not a failure', async () => {
    const { kube, run } = world(2);
    const results = await run(deliveriesOf([warning(0), warning(1), warning(0)]));

    expect(results.map((r) => r.reports[0]!.instances[0]!.status)).toEqual(['drained', 'drained', 'duplicate']);
    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(kube.callsFor('patchNode', nodeName(0)).filter((c) => c.ops!.some((o) => o.path === '/spec/unschedulable'))).toHaveLength(1);
  });

  it('a later, more urgent notice for the same node in the batch takes it over: only its drain runs', async () => {
    const { kube, run } = world(1);
    const recommendation = { ...rebalance, detail: { 'instance-id': instanceId(0) } };
    const stopping = { ...warning(0, 'spot-0'), time: new Date(Date.parse(spot.time as string) - 60_000).toISOString() };
    const results = await run(deliveriesOf([recommendation, warning(0, 'spot-late'), stopping]));

    expect(results.map((r) => r.reports[0]!.instances[0]!.status)).toEqual(['cordoned', 'superseded', 'drained']);
    expect(kube.node(nodeName(0))!.metadata!.annotations!['lifeguard.io/event-id']).toBe('spot-0');
    // One drain ran: each pod was evicted once.
    expect(kube.callsFor('evictPod', 'default/web-0')).toHaveLength(1);
  });

  it('does not hold every drain for one cordon the API server keeps refusing: drains start after the barrier', async () => {
    const { kube, clock, run } = world(3);
    const t0 = clock.now();
    let refusals = 5;
    kube.faults.push(({ op, target }) => (op === 'patchNode' && target === nodeName(2) && refusals-- > 0 ? new KubeApiError('Too many requests', 429, 'TooManyRequests') : undefined));
    const results = await run(deliveriesOf([warning(0), warning(1), warning(2)]));

    expect(results.map((r) => r.reports[0]!.instances[0]!.status)).toEqual(['drained', 'drained', 'drained']);
    const firstEviction = kube.callsFor('evictPod').find((c) => c.status === 200)!;
    const slowCordon = kube.callsFor('patchNode', nodeName(2)).find((c) => c.status === 200)!;
    expect(firstEviction.at - t0).toBeLessThanOrEqual(CORDON_BARRIER_MS + 1_000);
    expect(slowCordon.at).toBeGreaterThan(firstEviction.at);
  });

  it('hands each node over on its own when the invocation runs out of time, queued drains included, and every one goes on', async () => {
    const { kube, clock, run, continuations } = world(4, { interruption: { drain: { nodes: 2, handOverSeconds: 60 } } });
    // Executors that take long to go: the drains outlast the invocation.
    for (let i = 0; i < 4; i++) kube.addPod({ name: `slow-${i}`, namespace: 'spark', node: nodeName(i), labels: sparkLabels('executor', 'spark-1', '9'), grace: 100, preStop: ['/opt/decom.sh'], shutdownSeconds: 90 });
    const startedAt = clock.now();
    const remainingMs = () => startedAt + 130_000 - clock.now();
    const results = await run(deliveriesOf(Array.from({ length: 4 }, (_, i) => warning(i))), { id: 'req-1', remainingMs });

    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(results.map((r) => r.reports[0]!.instances[0]!.status)).toEqual(['handed-over', 'handed-over', 'handed-over', 'handed-over']);
    expect(clock.now() - startedAt).toBeLessThan(130_000);
    // One continuation per node, each naming its node; no lease left behind.
    const resumed = continuations.map((c) => (c as { 'lifeguard-continuation': { type: string; nodeName: string } })['lifeguard-continuation']);
    expect(resumed.map((c) => c.type)).toEqual(Array(4).fill('resume-drain'));
    expect(new Set(resumed.map((c) => c.nodeName))).toEqual(new Set(Array.from({ length: 4 }, (_, i) => nodeName(i))));
    for (let i = 0; i < 4; i++) expect(kube.node(nodeName(i))!.metadata!.annotations!['lifeguard.io/lease']).toBeUndefined();
  });
});
