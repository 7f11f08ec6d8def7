import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SelfInvoker } from '../../../lib/aws/ports.ts';
import { parseConfig } from '../../../lib/config/load.ts';
import { ANNOTATIONS, EXCLUDE_FROM_LB_LABEL, INTERRUPTION_TAINT_KEY } from '../../../lib/drain/cordon.ts';
import { handleInterruption, type InterruptionReport } from '../../../lib/interruption/handle.ts';
import { ApiException } from '@kubernetes/client-node';
import { classify } from '../../../lib/kube/api-failure.ts';
import { NodeIndex } from '../../../lib/kube/node-index.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { InMemoryEventPublisher, InMemoryLifecycleActions, InMemorySelfInvoker } from '../../../sandbox/aws/in-memory-ports.ts';
import { InMemoryScheduler } from '../../../sandbox/aws/in-memory-scheduler.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { invalid } from '../../../sandbox/kube/status.ts';
import { FakeKube, runToEnd, sparkLabels, type FakeCall } from '../../support/fake-kube.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`${fixtureDir}${name}`, 'utf8')) as Record<string, unknown>;

const INSTANCE = 'i-0aaa1111bbbb22220';
const NODE = 'ip-10-0-1-10.ec2.internal';

/**
 * A cluster with one Spark node; the clock starts `ageMs` after the event's time. Continuations
 * (a schedule firing, the function invoking itself) are run as new invocations only when `deliver`
 * is set; `deliveries` collects them.
 */
function world(event: Record<string, unknown>, ageMs = 2_000, rawConfig: unknown = {}, continuations: { deliver?: boolean; schedulerRandom?: () => number; invoker?: boolean } = {}) {
  const clock = new VirtualClock(Date.parse(event.time as string) + ageMs);
  const kube = new FakeKube(clock);
  kube.addNode(NODE, INSTANCE);
  const nodesByInstance = new Map([[INSTANCE, NODE]]);
  const log = new RecordingLog();
  const config = parseConfig(rawConfig);
  const lifecycle = new InMemoryLifecycleActions(clock);
  const events = new InMemoryEventPublisher({ source: config.eventSource, clock });
  const deliveries: Array<{ at: number; via: 'schedule' | 'invoke'; report: Promise<InterruptionReport> }> = [];
  const deliver = (payload: unknown, via: 'schedule' | 'invoke') => {
    if (!continuations.deliver) return;
    const id = `invocation-${deliveries.length + 2}`;
    deliveries.push({ at: clock.now(), via, report: handleInterruption(payload, { ...deps, invocation: { id, remainingMs: () => 900_000 } }) });
  };
  const scheduler = new InMemoryScheduler(clock, (payload) => deliver(payload, 'schedule'), continuations.schedulerRandom);
  const invoker = continuations.invoker ? new InMemorySelfInvoker(clock, (payload) => deliver(payload, 'invoke')) : undefined;
  const deps = {
    config,
    clock,
    log,
    kube,
    nodes: { resolve: async (id: string) => (nodesByInstance.has(id) ? { nodeName: nodesByInstance.get(id)!, via: 'index' } : undefined) },
    lifecycle,
    events,
    clusterName: 'spark-prod',
    scheduler,
    ...(invoker ? { invoker } : {}),
    random: () => 0.5,
  };
  const run = (e: unknown = event, extra: { dryRun?: boolean; invocation?: { id: string; remainingMs(): number }; invoker?: SelfInvoker } = {}) => runToEnd(clock, handleInterruption(e, { ...deps, ...extra }));
  return { clock, kube, log, lifecycle, events, scheduler, invoker, run, deliveries, nodesByInstance, t0: clock.now() };
}

function sparkPods(kube: FakeKube, node = NODE) {
  for (const i of [1, 2]) {
    kube.addPod({ name: `exec-${i}`, namespace: 'spark', node, labels: sparkLabels('executor', 'spark-0001', String(i)), grace: 60, preStop: ['/opt/decom.sh'], shutdownSeconds: 25 });
  }
  kube.addPod({ name: 'driver', namespace: 'spark', node, labels: sparkLabels('driver', 'spark-0001'), grace: 30, shutdownSeconds: 2 });
  kube.addPod({ name: 'web-1', node, labels: { app: 'web' }, grace: 30, shutdownSeconds: 3 });
  kube.addPod({ name: 'aws-node-x', namespace: 'kube-system', node, owner: { kind: 'DaemonSet', name: 'aws-node' } });
}

/** The first `times` calls of `op` are answered 429 (API Priority and Fairness); `left` goes below 0 once a call got through. */
function throttleFirst(kube: FakeKube, op: FakeCall['op'], times: number): { left: number } {
  const refusals = { left: times };
  kube.faults.push((call) => (call.op === op && refusals.left-- > 0 ? new KubeApiError('Too many requests', 429, 'TooManyRequests') : undefined));
  return refusals;
}

const only = (r: InterruptionReport) => {
  expect(r.instances).toHaveLength(1);
  return r.instances[0]!;
};
const evictedAt = (kube: FakeKube, target: string) => kube.callsFor('evictPod', target).find((c) => c.status === 200)?.at;

describe('handleInterruption: Spot interruption', () => {
  it('taints and cordons in one patch, evicts executors (gone) before the driver, publishes its events', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, events, run } = world(event);
    sparkPods(kube);
    const report = await run();

    const instance = only(report);
    expect(instance).toMatchObject({ status: 'drained', nodeName: NODE });
    const patches = kube.callsFor('patchNode').filter((c) => c.status === 200);
    // One patch taints, cordons and takes the lease; the last records the completion and drops
    // the lease; any in between only renew the lease.
    expect(patches.filter((p) => p.ops!.some((o) => o.path.startsWith('/spec/taints')))).toHaveLength(1);
    expect(patches[0]!.ops!.some((o) => o.path.startsWith('/spec/taints'))).toBe(true);
    expect(patches.at(-1)!.ops).toContainEqual({ op: 'remove', path: '/metadata/annotations/lifeguard.io~1lease' });
    for (const renewal of patches.slice(1, -1)) expect(renewal.ops!.map((o) => o.path)).toEqual(['/metadata/annotations/lifeguard.io~1lease', '/metadata/annotations/lifeguard.io~1lease']);
    const node = kube.node(NODE)!;
    expect(node.spec!.unschedulable).toBe(true);
    expect(node.spec!.taints).toEqual([{ key: INTERRUPTION_TAINT_KEY, value: 'spot-interruption', effect: 'NoSchedule' }]);
    expect(node.metadata!.labels![EXCLUDE_FROM_LB_LABEL]).toBe('true');
    expect(node.metadata!.annotations![ANNOTATIONS.eventId]).toBe(event.id);
    expect(node.metadata!.annotations![ANNOTATIONS.deadline]).toBe(new Date(Date.parse(event.time as string) + 120_000).toISOString());
    expect(node.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeDefined();

    const execGone = Math.max(kube.exits.get('spark/exec-1')!.at, kube.exits.get('spark/exec-2')!.at);
    expect(execGone).toBeLessThanOrEqual(evictedAt(kube, 'spark/driver')!);
    // Executors first in line, the web pod right behind them (not after their decommission).
    const evictions = kube.callsFor('evictPod').filter((c) => c.status === 200).map((c) => c.target);
    expect(evictions.indexOf('spark/exec-1')).toBeLessThan(evictions.indexOf('default/web-1'));
    expect(evictedAt(kube, 'default/web-1')!).toBeLessThan(kube.exits.get('spark/exec-1')!.at);
    expect(kube.callsFor('evictPod', 'kube-system/aws-node-x')).toHaveLength(0);
    expect(instance.drain!.deadlineMet).toBe(true);

    expect(events.events.map((e) => e.detailType)).toEqual(['Node Drain Started', 'Spark Driver At Risk', 'Node Drain Completed']);
    expect(events.events[1]!.detail).toMatchObject({ appId: 'spark-0001', driver: 'spark/driver', nodeName: NODE });
    expect(events.events[0]!.resources).toEqual([`arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE}`]);
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('names the instance in its own partition in the events it publishes (%s: %s)', async (region, partition) => {
    const event = { ...fixture('spot-interruption-terminate.json'), region };
    const { events, run } = world(event);
    await run();
    expect(events.events.length).toBeGreaterThan(0);
    for (const e of events.events) expect(e.resources).toEqual([`arn:${partition}:ec2:${region}:123456789012:instance/${INSTANCE}`]);
  });

  it('a duplicate delivery writes nothing the second time', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    await run();
    const writesBefore = kube.writeAttempts.length;
    const again = await run();
    expect(only(again).status).toBe('duplicate');
    expect(kube.writeAttempts).toHaveLength(writesBefore);
  });

  it('a retry after a failed attempt resumes under a new lease: no second eviction of what went', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    let broken = true;
    kube.faults.push(({ op, target }) => (broken && op === 'evictPod' && target === 'default/web-1' ? new KubeApiError('forbidden', 403) : undefined));
    await expect(run()).rejects.toThrow(/permanent Kubernetes API errors: evict pod default\/web-1: forbidden/);
    const after = kube.node(NODE)!.metadata!.annotations!;
    expect(after[ANNOTATIONS.drainedAt]).toBeUndefined();
    expect(after['lifeguard.io/lease']).toBeUndefined(); // released, so the retry need not wait for it
    expect(JSON.parse(after['lifeguard.io/lifecycle']!)).toMatchObject({ phase: 'draining' });
    const execEvictions = kube.callsFor('evictPod', 'spark/exec-1').length;

    broken = false;
    const retry = only(await run());
    expect(retry.status).toBe('drained');
    expect(kube.callsFor('evictPod', 'spark/exec-1').length).toBe(execEvictions);
    expect(kube.pod('default', 'web-1')).toBeUndefined();
    expect(kube.node(NODE)!.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeDefined();
  });

  it('a failing publisher never fails the drain', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, events, log, run } = world(event);
    sparkPods(kube);
    events.throttled = true;
    const report = await run();
    expect(only(report).status).toBe('drained');
    expect(log.records.some((r) => r.level === 'warn' && r.message.includes('could not publish'))).toBe(true);
  });

  it('throws when the Kubernetes API keeps failing until the deadline, so the event is retried', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run, clock, t0 } = world(event);
    kube.faults.push(({ op }) => (op === 'getNode' ? new KubeApiError('service unavailable', 503) : undefined));
    await expect(run()).rejects.toThrow(/service unavailable/);
    expect(kube.writeAttempts).toHaveLength(0);
    // Retried with backoff, but never past the two-minute warning's deadline.
    expect(kube.callsFor('getNode', NODE).length).toBeGreaterThan(3);
    expect(clock.now()).toBeLessThanOrEqual(Date.parse(event.time as string) + 120_000);
    expect(clock.now() - t0).toBeGreaterThan(60_000);
  });

  it('rides out throttled node writes (the cordon and the completion) instead of failing the invocation', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    const refusals = throttleFirst(kube, 'patchNode', 4);
    const report = await run();
    expect(only(report)).toMatchObject({ status: 'drained', phase: 'drained' });
    expect(kube.node(NODE)!.spec!.unschedulable).toBe(true);
    expect(refusals.left).toBeLessThan(0);
  });

  it('a completion whose answer was lost after it landed is reported drained, not superseded', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    let lost = 0;
    const releases = (call: FakeCall) => call.op === 'patchNode' && call.ops?.some((op) => op.op === 'remove' && op.path.endsWith('lifeguard.io~1lease'));
    kube.lostAnswers.push((call) => (releases(call) && lost++ === 0 ? new KubeApiError('connection reset', 0) : undefined));
    const report = await run();
    // The first attempt landed and its answer was lost; the retry's lease precondition failed.
    expect(kube.calls.filter(releases).map((c) => c.status)).toEqual([0, 422]);
    expect(only(report)).toMatchObject({ status: 'drained', phase: 'drained' });
    expect(kube.node(NODE)!.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeDefined();
  });

  it('a completion refused because a more urgent event took the lease is still superseded', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    // Another handler takes the lease just before the completion lands.
    let taken = false;
    kube.faults.push((call) => {
      if (taken || call.op !== 'patchNode' || !kube.calls.at(-1)?.ops?.some((op) => op.op === 'remove' && op.path.endsWith('lifeguard.io~1lease'))) return undefined;
      taken = true;
      // Another holder's lease lands first; the completion's lease test then fails on the server.
      kube.annotateNode(NODE, 'lifeguard.io/lease', JSON.stringify({ holder: 'someone-else', until: '2099-01-01T00:00:00Z' }));
      return undefined;
    });
    const report = await run();
    expect(taken).toBe(true);
    expect(only(report).status).toBe('superseded');
  });

  it('a node patch the API server refuses as invalid fails at once with the server\'s words: no re-reading and re-writing it', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    // What the server sends for an object that fails validation (an admission policy answers alike).
    const refusal = invalid('Node', NODE, [{ field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' }]);
    const asClientSeesIt = classify(new ApiException(422, refusal.message, JSON.stringify(refusal.body), {}), `patch node ${NODE}`, 0, { jsonPatch: true }).error;
    kube.faults.push(({ op }) => (op === 'patchNode' ? asClientSeesIt : undefined));
    await expect(run()).rejects.toThrow(/Node "ip-10-0-1-10.ec2.internal" is invalid: metadata.annotations: Too long/);
    expect(kube.callsFor('patchNode')).toHaveLength(1);
    expect(kube.callsFor('evictPod')).toHaveLength(0);
  });

  it('rides out a throttled read of the node instead of failing the invocation', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    throttleFirst(kube, 'getNode', 2);
    const report = await run();
    expect(only(report)).toMatchObject({ status: 'drained' });
    expect(kube.callsFor('getNode', NODE).length).toBe(3);
  });
});

describe('handleInterruption: policies', () => {
  it('rebalance: PreferNoSchedule taint + cordon, marked complete in the same patch, never evicts or deletes', async () => {
    const event = fixture('rebalance-recommendation.json');
    const { kube, run } = world(event);
    sparkPods(kube);
    const report = await run();
    expect(only(report).status).toBe('cordoned');
    expect(kube.writeAttempts.map((c) => c.op)).toEqual(['patchNode']);
    const node = kube.node(NODE)!;
    expect(node.spec!.taints).toEqual([{ key: INTERRUPTION_TAINT_KEY, value: 'rebalance-recommendation', effect: 'PreferNoSchedule' }]);
    expect(node.spec!.unschedulable).toBe(true);
    expect(node.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeDefined();
    expect(kube.pods()).toHaveLength(5);
  });

  it('unknown instance: ignored, no writes', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, run, nodesByInstance } = world(event);
    nodesByInstance.clear();
    sparkPods(kube);
    const report = await run();
    expect(only(report)).toMatchObject({ status: 'ignored', instanceId: INSTANCE });
    expect(kube.writeAttempts).toHaveLength(0);
  });

  it('a Spot warning for a node that joined inside the node list\'s re-list window is drained, not ignored', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const clock = new VirtualClock(Date.parse(event.time as string) + 2_000);
    const kube = new FakeKube(clock);
    kube.addNode('ip-10-0-1-9.ec2.internal', 'i-0aaa1111bbbb22229');
    const nodes = new NodeIndex(kube, { clock, region: 'us-east-1', minRelistIntervalMs: 30_000 });
    await runToEnd(clock, nodes.resolve('i-0aaa1111bbbb22229')); // the warm index's last LIST
    // Joins right after, under a name a custom bootstrap chose: only a LIST can find it.
    kube.addNode('spark-worker-7', INSTANCE);
    kube.addPod({ name: 'web-1', node: 'spark-worker-7', shutdownSeconds: 3 });
    const deps = { config: parseConfig({}), clock, log: new RecordingLog(), kube, nodes, clusterName: 'spark-prod', random: () => 0.5 };
    const report = await runToEnd(clock, handleInterruption(event, deps));
    expect(only(report)).toMatchObject({ status: 'drained', nodeName: 'spark-worker-7', resolvedVia: 'relist' });
    expect(kube.callsFor('listNodes')).toHaveLength(2);
    expect(kube.pod('default', 'web-1')).toBeUndefined();
  });

  it('a malformed continuation (a schedule\'s payload) is ignored with the field named, nothing called', async () => {
    const spot = fixture('spot-interruption-terminate.json');
    const { kube, run } = world(spot);
    const payload = (over: Record<string, unknown>) => ({ 'lifeguard-continuation': { type: 'resume-drain', cluster: 'spark-prod', nodeName: NODE, instanceId: INSTANCE, eventId: spot.id, event: spot, ...over } });
    expect(await run(payload({ type: 'explode' }))).toMatchObject({ ignored: true, field: 'lifeguard-continuation.type' });
    expect(await run(payload({ instanceId: 'i-0aaa1111bbbb22229' }))).toMatchObject({ ignored: true, field: 'lifeguard-continuation.instanceId' });
    expect(await run(payload({ event: { ...spot, detail: {} } }))).toMatchObject({ ignored: true, field: 'detail.instance-id' });
    expect(kube.calls).toHaveLength(0);
    // A well-formed one for a drain that is not running is stale: read, nothing written.
    expect(only(await run(payload({})))).toMatchObject({ status: 'stale' });
    expect(kube.writeAttempts).toHaveLength(0);
  });

  it('malformed and unsupported events: ignored with a clear reason, nothing called', async () => {
    const bad = fixture('invalid/spot-missing-instance-id.json');
    const { kube, log, run } = world(fixture('spot-interruption-terminate.json'));
    const report = await run(bad);
    expect(report).toMatchObject({ ignored: true, instances: [], eventId: bad.id });
    expect(report.reason).toMatch(/instance-id/);
    expect(report.field).toMatch(/instance-id/);
    expect(kube.calls).toHaveLength(0);
    expect(log.records.some((r) => r.level === 'warn' && r.message.includes('malformed'))).toBe(true);

    const running = fixture('state-change-stopping.json');
    (running.detail as Record<string, unknown>).state = 'running';
    const unsupported = await run(running);
    expect(unsupported.ignored).toBe(true);
    expect(unsupported.reason).toMatch(/running/);
    expect(await run('not an event')).toMatchObject({ ignored: true });
    expect(kube.calls).toHaveLength(0);
  });

  it('Health scheduled change two weeks early: a schedule for startTime − lead, recorded on the node, nothing else written', async () => {
    const event = fixture('health-retirement-rfc1123.json'); // start 16 Mar 08:00, sent 2 Mar
    const { kube, scheduler, run } = world(event);
    sparkPods(kube);
    const instance = only(await run());
    // The minute that ends at startTime − lead: Scheduler fires within it, so never after 07:30.
    expect(instance).toMatchObject({ status: 'scheduled', scheduled: [{ type: 'scheduled-drain', at: '2026-03-16T07:29:00.000Z' }] });
    expect(instance.reason).toMatch(/2026-03-16T07:30:00.000Z/);
    expect(scheduler.pending).toEqual([expect.objectContaining({ at: Date.parse('2026-03-16T07:29:00Z') })]);
    expect(kube.writeAttempts).toHaveLength(1);
    // Guarded by the node's resourceVersion; only Lifeguard's record (a key of the annotations every registered node has).
    expect(kube.writeAttempts[0]!.ops!.map((o) => `${o.op} ${o.path}`)).toEqual(['test /metadata/resourceVersion', 'add /metadata/annotations/lifeguard.io~1lifecycle']);
    const node = kube.node(NODE)!;
    expect(node.spec!.unschedulable).toBeFalsy();
    expect(JSON.parse(node.metadata!.annotations!['lifeguard.io/lifecycle']!)).toMatchObject({ phase: 'idle', pending: [{ type: 'scheduled-drain' }] });
  });

  it('a reboot-type power maintenance of a persistent instance: drained, and uncordoned once it is back (not left cordoned as a retirement)', async () => {
    const event = fixture('health-retirement-rfc1123.json');
    (event.detail as Record<string, unknown>).eventTypeCode = 'AWS_EC2_PERSISTENT_INSTANCE_POWER_MAINTENANCE_SCHEDULED';
    const start = Date.parse('2026-03-16T08:00:00Z');
    const { kube, log, run } = world(event, start - 8 * 60_000 - Date.parse(event.time as string));
    sparkPods(kube);
    const report = await run();
    const instance = only(report);
    expect(instance).toMatchObject({ status: 'drained', decision: { uncordonAfter: Date.parse('2026-03-16T10:00:00Z') } });
    expect(instance.scheduled).toEqual([expect.objectContaining({ type: 'uncordon-after-maintenance' })]);
    expect(report).not.toHaveProperty('unknownEventType');
    expect(log.records.filter((r) => r.level === 'warn' && r.message.includes('unrecognised'))).toEqual([]);
  });

  it('an unrecognised Health event type: drained as a retirement (no uncordon), with a warning naming the code and the report saying so', async () => {
    const event = fixture('health-retirement-rfc1123.json');
    (event.detail as Record<string, unknown>).eventTypeCode = 'AWS_EC2_SOMETHING_NEW_SCHEDULED';
    const start = Date.parse('2026-03-16T08:00:00Z');
    const { kube, log, run } = world(event, start - 8 * 60_000 - Date.parse(event.time as string));
    sparkPods(kube);
    const report = await run();
    expect(report.unknownEventType).toBe('AWS_EC2_SOMETHING_NEW_SCHEDULED');
    expect(only(report)).toMatchObject({ status: 'drained' });
    expect(only(report).scheduled).toBeUndefined();
    const warning = log.records.find((r) => r.level === 'warn' && r.message.includes('unrecognised AWS Health event type'));
    expect(warning).toMatchObject({ extra: { eventTypeCode: 'AWS_EC2_SOMETHING_NEW_SCHEDULED', treatedAs: 'retirement' } });
  });

  it('Health scheduled drain days ahead: cordoned before startTime − lead even when Scheduler fires as late as its minute allows', async () => {
    const event = fixture('health-retirement-rfc1123.json'); // start 16 Mar 08:00, lead 30 min
    const { kube, clock, run, deliveries } = world(event, 2_000, {}, { deliver: true, schedulerRandom: () => 0.999 });
    sparkPods(kube);
    expect(only(await run()).status).toBe('scheduled');
    await clock.runUntil(Date.parse('2026-03-16T07:31:00Z'));
    expect(deliveries.map((d) => new Date(d.at).toISOString())).toEqual(['2026-03-16T07:29:59.940Z']);
    const report = await runToEnd(clock, deliveries[0]!.report);
    expect(only(report)).toMatchObject({ status: 'drained' });
    const cordon = kube.callsFor('patchNode').find((c) => c.status === 200 && c.ops!.some((o) => o.path.startsWith('/spec/taints')))!;
    expect(cordon.at).toBeLessThan(Date.parse('2026-03-16T07:30:00Z'));
    expect(cordon.at).toBeGreaterThanOrEqual(Date.parse('2026-03-16T07:28:00Z'));
  });

  it('a reboot maintenance whose window is already over when the drain ends: the look at the node is a whole minute ahead, never "now"', async () => {
    const event = fixture('health-retirement-rfc1123.json');
    const detail = event.detail as Record<string, unknown>;
    detail.eventTypeCode = 'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED';
    // Delivered late: the window (start 08:00, end 10:00) closed an hour ago.
    const { kube, run, scheduler } = world(event, Date.parse('2026-03-16T11:00:07Z') - Date.parse(event.time as string));
    sparkPods(kube);
    const instance = only(await run());
    expect(instance.status).toBe('drained');
    const look = scheduler.pending.find((p) => p.description.startsWith('uncordon-after-maintenance'))!;
    expect(look.at % 60_000).toBe(0);
    expect(look.at).toBeGreaterThanOrEqual(look.createdAt + 60_000);
    expect(instance.scheduled).toEqual([expect.objectContaining({ type: 'uncordon-after-maintenance', at: new Date(look.at).toISOString() })]);
  });

  it('Health scheduled change inside the lead time: cordon + drain, never forced', async () => {
    const event = fixture('health-retirement-rfc1123.json');
    const start = Date.parse('2026-03-16T08:00:00Z');
    const { kube, run, clock } = world(event, start - 8 * 60_000 - Date.parse(event.time as string));
    expect(new Date(clock.now()).toISOString()).toBe('2026-03-16T07:52:00.000Z');
    sparkPods(kube);
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const instance = only(await run());
    expect(instance.status).toBe('drained');
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(instance.drain!.pods.find((p) => p.name === 'web-1')!.outcome).toBe('pending');
    expect(kube.pod('spark', 'exec-1')).toBeUndefined();
  });

  it('dry run: reports the cordon patch and the ordered eviction plan, writes nothing, publishes nothing', async () => {
    const event = fixture('spot-interruption-terminate.json');
    const { kube, events, lifecycle, run } = world(event);
    sparkPods(kube);
    const instance = only(await run(event, { dryRun: true }));
    expect(instance.status).toBe('planned');
    expect(kube.writeAttempts).toHaveLength(0);
    expect(events.events).toHaveLength(0);
    expect(lifecycle.completions).toHaveLength(0);
    expect(instance.dryRun!.cordonPatch!.map((op) => op.path)).toContain('/spec/unschedulable');
    expect(instance.dryRun!.plan!.tiers.map((t) => [t.tier, t.pods.map((p) => p.name)])).toEqual([
      ['spark-executor', ['exec-1', 'exec-2']],
      ['workload', ['web-1']],
      ['spark-driver', ['driver']],
    ]);
    expect(instance.dryRun!.plan!.skipped.map((p) => p.name)).toEqual(['aws-node-x']);
  });

  it('handles the instances of one event in parallel', async () => {
    const event = fixture('health-system-reboot-several-instances.json');
    const detail = event.detail as Record<string, unknown>;
    const startTime = Date.parse(event.time as string) + 10 * 60_000; // inside the lead time
    detail.startTime = new Date(startTime).toUTCString();
    const { kube, run, nodesByInstance } = world(event);
    for (const [i, id] of ['i-0aaa1111bbbb22221', 'i-0aaa1111bbbb22222'].entries()) {
      kube.addNode(`node-${i}`, id);
      nodesByInstance.set(id, `node-${i}`);
    }
    for (const node of [NODE, 'node-0', 'node-1']) kube.addPod({ name: `web-${node}`, node, shutdownSeconds: 20 });
    const report = await run();
    expect(report.instances.map((i) => i.status)).toEqual(['drained', 'drained', 'drained']);
    const times = kube.callsFor('evictPod').map((c) => c.at);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1_000); // not one node after the other (20 s each)
  });
});

describe('handleInterruption: a drain longer than an invocation', () => {
  const slowPod = (kube: FakeKube) => kube.addPod({ name: 'batch-1', node: NODE, grace: 600, shutdownSeconds: 200 });
  const invocation = (clock: VirtualClock, id: string, ms: number) => {
    const endsAt = clock.now() + ms;
    return { id, remainingMs: () => endsAt - clock.now() };
  };

  it('goes on in a new invocation within a second (the function invokes itself), queued only once its lease is dropped', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, clock, run, deliveries, scheduler, lifecycle } = world(event, 2_000, {}, { deliver: true, invoker: true });
    slowPod(kube);
    // 130 s left and handOverSeconds 60: the first round drains for about 70 s, then hands over.
    const first = only(await run(event, { invocation: invocation(clock, 'invocation-1', 130_000) }));
    expect(first).toMatchObject({ status: 'handed-over', scheduled: [expect.objectContaining({ type: 'resume-drain' })] });
    const release = kube.calls.filter((c) => c.op === 'patchNode' && c.status === 200).at(-1)!;
    expect(release.ops).toContainEqual({ op: 'remove', path: '/metadata/annotations/lifeguard.io~1lease' });
    expect(deliveries.map((d) => d.via)).toEqual(['invoke']);
    expect(deliveries[0]!.at - release.at).toBeGreaterThanOrEqual(0);
    expect(deliveries[0]!.at - release.at).toBeLessThan(1_000);
    expect(scheduler.records).toEqual([]);
    const second = only(await runToEnd(clock, deliveries[0]!.report));
    expect(second).toMatchObject({ status: 'drained', lifecycle: 'completed' });
    expect(lifecycle.completions).toHaveLength(1);
  });

  it('a hand-over Lambda refuses to queue fails the invocation, and Lambda\'s retry of it resumes the drain', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, clock, run } = world(event);
    slowPod(kube);
    const refusing = { invoke: () => Promise.reject(new Error('lambda:Invoke: TooManyRequestsException')) };
    await expect(run(event, { invocation: invocation(clock, 'invocation-1', 130_000), invoker: refusing })).rejects.toThrow('TooManyRequestsException');
    // Recorded and released before the invoke: the retry finds the drain running and no lease in its way.
    const record = kube.node(NODE)!.metadata!.annotations!;
    expect(record['lifeguard.io/lease']).toBeUndefined();
    expect(JSON.parse(record['lifeguard.io/lifecycle']!)).toMatchObject({ phase: 'draining', pending: [expect.objectContaining({ type: 'resume-drain' })] });
    await clock.runUntil(clock.now() + 60_000);
    expect(only(await run(event, { invocation: invocation(clock, 'invocation-1-retry', 900_000) }))).toMatchObject({ status: 'drained', lifecycle: 'completed' });
  });

  it('a round that got less than a minute to drain is not repeated at once: the next is a schedule, a whole minute at least a minute ahead', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, clock, run, deliveries, scheduler, log } = world(event, 2_000, {}, { deliver: true, invoker: true });
    slowPod(kube);
    const first = only(await run(event, { invocation: invocation(clock, 'invocation-1', 75_000) }));
    expect(first.status).toBe('handed-over');
    expect(deliveries).toEqual([]);
    const resume = scheduler.pending.find((p) => p.description.startsWith('resume-drain'))!;
    expect(resume.at % 60_000).toBe(0);
    expect(resume.at).toBeGreaterThanOrEqual(resume.createdAt + 60_000);
    expect(log.records.some((r) => r.level === 'warn' && r.message.includes('less than a minute to drain'))).toBe(true);
    await clock.runUntil(resume.at + 60_000);
    expect(deliveries.map((d) => d.via)).toEqual(['schedule']);
  });
});

describe('handleInterruption: Auto Scaling lifecycle', () => {
  it('completes with CONTINUE only once the pods are gone', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, lifecycle, run } = world(event);
    sparkPods(kube);
    const instance = only(await run());
    expect(instance).toMatchObject({ status: 'drained', lifecycle: 'completed' });
    expect(lifecycle.completions).toHaveLength(1);
    expect(lifecycle.completions[0]!.result).toBe('CONTINUE');
    expect(lifecycle.completions[0]!.hook).toMatchObject({ lifecycleHookName: 'lifeguard-drain', instanceId: INSTANCE });
    const lastGone = Math.max(...[...kube.exits.values()].map((e) => e.at));
    expect(lifecycle.completions[0]!.at).toBeGreaterThanOrEqual(lastGone);
  });

  it('a failed CompleteLifecycleAction fails the invocation, and the retry completes it without Kubernetes writes', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, lifecycle, run } = world(event);
    sparkPods(kube);
    lifecycle.throttledCompletions = 1;
    await expect(run()).rejects.toThrow('Rate exceeded');
    expect(lifecycle.completions).toHaveLength(0);

    const writes = kube.writeAttempts.length;
    const retried = only(await run());
    expect(retried).toMatchObject({ status: 'duplicate', lifecycle: 'completed' });
    expect(lifecycle.completions).toHaveLength(1);
    expect(kube.writeAttempts).toHaveLength(writes);
  });

  it('under a cordon-only policy, the retry of a failed completion completes it although the pods stay', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, lifecycle, run } = world(event, 2_000, { interruption: { policies: { 'asg-lifecycle': { action: 'cordon' } } } });
    sparkPods(kube);
    lifecycle.throttledCompletions = 1;
    await expect(run()).rejects.toThrow('Rate exceeded');
    const retried = only(await run());
    expect(retried).toMatchObject({ status: 'duplicate', lifecycle: 'completed' });
    expect(kube.callsFor('evictPod')).toHaveLength(0);
  });

  it('does not complete while a pod is still there, heartbeats while it waits, never forces', async () => {
    const event = fixture('asg-terminate-lifecycle.json');
    const { kube, lifecycle, run, t0, clock } = world(event, 2_000, { interruption: { drain: { maxDrainMinutes: 10 } } });
    sparkPods(kube);
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const instance = only(await run());
    expect(instance.lifecycle).toBe('left-pending');
    expect(lifecycle.completions).toHaveLength(0);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    // maxDrainMinutes 10 with a heartbeat every 60 s.
    expect(lifecycle.heartbeats.length).toBeGreaterThanOrEqual(9);
    expect(lifecycle.heartbeats[0]!.at - t0).toBeGreaterThanOrEqual(60_000);

    // The budget frees; EventBridge redelivers: no Kubernetes writes, and now the hook completes.
    kube.removePdbs();
    const stuck = kube.pod('default', 'web-1')!;
    await runToEnd(clock, kube.evictPod('default', 'web-1', stuck.metadata!.uid!));
    await clock.runUntil(clock.now() + 10_000);
    expect(kube.pod('default', 'web-1')).toBeUndefined();
    const writes = kube.writeAttempts.length;
    const redelivered = only(await run());
    expect(redelivered).toMatchObject({ status: 'duplicate', lifecycle: 'completed' });
    expect(kube.writeAttempts).toHaveLength(writes);
  });
});
