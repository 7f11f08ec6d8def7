import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import { ANNOTATIONS } from '../../../lib/drain/cordon.ts';
import { drainNode, type DrainReport } from '../../../lib/drain/drain.ts';
import { NodePodWatch } from '../../../lib/drain/watch.ts';
import { KubeApiError, type KubeApi, type PodWatchHandlers } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd, sparkLabels } from '../../support/fake-kube.ts';

const NODE = 'ip-10-0-1-10.ec2.internal';
const EVENT = 'evt-1';
const defaults = interruptionConfigSchema.parse({}).drain;

function setup(options: Partial<typeof defaults> = {}) {
  const clock = new VirtualClock();
  const kube = new FakeKube(clock);
  kube.addNode(NODE, 'i-0aaa', { annotations: { [ANNOTATIONS.eventId]: EVENT } });
  const log = new RecordingLog();
  const t0 = clock.now();
  const drain = (deadline: number | null, forceDelete: boolean) =>
    runToEnd(
      clock,
      drainNode(
        { nodeName: NODE, deadline, policy: { forceDelete }, eventId: EVENT },
        { kube, clock, log, options: { ...defaults, ...options }, random: () => 0.5 },
      ),
    );
  return { clock, kube, log, t0, drain };
}

const pod = (r: DrainReport, name: string) => {
  const found = r.pods.find((p) => p.name === name);
  if (!found) throw new Error(`no report for ${name}`);
  return found;
};
const firstCall = (kube: FakeKube, target: string) => kube.calls.find((c) => (c.op === 'evictPod' || c.op === 'deletePod') && c.target === target);

function sparkNode(kube: FakeKube, opts: { execShutdown?: number; execGrace?: number; driverGrace?: number } = {}) {
  for (const i of [1, 2, 3]) {
    kube.addPod({
      name: `etl-exec-${i}`,
      namespace: 'spark',
      node: NODE,
      labels: sparkLabels('executor', 'spark-0001', String(i)),
      owner: { kind: 'Pod', name: 'etl-driver' },
      grace: opts.execGrace ?? 60,
      preStop: ['/opt/decom.sh'],
      shutdownSeconds: opts.execShutdown ?? 20,
    });
  }
  kube.addPod({ name: 'etl-driver', namespace: 'spark', node: NODE, labels: sparkLabels('driver', 'spark-0001'), grace: opts.driverGrace ?? 30, shutdownSeconds: 2 });
  kube.addPod({ name: 'web-1', node: NODE, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-abc' }, grace: 30, shutdownSeconds: 5 });
  kube.addPod({ name: 'coredns-1', namespace: 'kube-system', node: NODE, priorityClassName: 'system-cluster-critical', grace: 30, shutdownSeconds: 1 });
}

describe('drainNode: the order pods go in', () => {
  it('evicts executors and workloads at once, the driver once its executors are gone, critical pods last, and meets the deadline', async () => {
    const { kube, t0, drain } = setup();
    sparkNode(kube);
    const deadline = t0 + 120_000;
    const report = await drain(deadline, true);

    const execGone = Math.max(...[1, 2, 3].map((i) => kube.exits.get(`spark/etl-exec-${i}`)!.at));
    const callIndex = (target: string) => kube.calls.findIndex((c) => c.op === 'evictPod' && c.target === target);
    const web = firstCall(kube, 'default/web-1')!.at;
    const driver = firstCall(kube, 'spark/etl-driver')!.at;
    const critical = firstCall(kube, 'kube-system/coredns-1')!.at;

    // The web pod does not wait for the executors' 20 s decommission, but queues behind their calls.
    expect(web - t0).toBeLessThan(1_000);
    for (const i of [1, 2, 3]) expect(callIndex(`spark/etl-exec-${i}`)).toBeLessThan(callIndex('default/web-1'));
    expect(execGone).toBeLessThanOrEqual(driver); // the driver outlives every executor of its own
    expect(driver - execGone).toBeLessThan(100); // ...and goes as soon as they are gone
    // Critical pods go once every other pod is gone.
    expect(critical).toBeGreaterThanOrEqual(Math.max(execGone, kube.exits.get('default/web-1')!.at, kube.exits.get('spark/etl-driver')!.at));
    // Executors exited on their own (decommissioned), none killed at its grace.
    for (const i of [1, 2, 3]) expect(kube.exits.get(`spark/etl-exec-${i}`)!.killed).toBe(false);

    expect(report.allGone).toBe(true);
    expect(report.deadlineMet).toBe(true);
    expect(report.pods.every((p) => p.outcome === 'evicted' && !p.forced)).toBe(true);
    expect(report.applications).toEqual([{ appId: 'spark-0001', executors: 3, executorsGone: 3, driverOnNode: true, driver: 'spark/etl-driver' }]);
    expect(report.warnings.map((w) => w.code)).toEqual(['spark-driver-on-node']);
    // Each tier from its first eviction to its last pod gone, listed in the order of TIERS.
    const tiers = Object.fromEntries(report.tiers.map((t) => [t.tier, t]));
    expect(report.tiers.map((t) => t.tier)).toEqual(['spark-executor', 'workload', 'spark-driver', 'system-critical']);
    expect(report.tiers.every((t) => t.settled)).toBe(true);
    expect(tiers['workload']!.startedAt).toBe(tiers['spark-executor']!.startedAt);
    expect(tiers['spark-executor']!.endedAt - execGone).toBeGreaterThanOrEqual(0); // seen gone through the watch
    expect(tiers['spark-executor']!.endedAt - execGone).toBeLessThan(100);
    expect(tiers['workload']!.endedAt).toBeLessThan(tiers['spark-executor']!.endedAt);
    expect(tiers['spark-driver']!.startedAt).toBeGreaterThanOrEqual(execGone);
    expect(tiers['system-critical']!.startedAt).toBeGreaterThanOrEqual(tiers['spark-driver']!.endedAt);
    // Recording the completion on the node is the caller's (it goes with the node's lifecycle).
    expect(report).toMatchObject({ drainedAt: null, errors: [] });
    expect(report).not.toHaveProperty('incomplete');
    expect(kube.node(NODE)!.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeUndefined();
  });

  it("a driver waits for its own executors on the node, not for another application's; a driver with none here goes at once", async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'a-driver', namespace: 'spark', node: NODE, labels: sparkLabels('driver', 'app-a'), grace: 30, shutdownSeconds: 2 });
    kube.addPod({ name: 'a-exec-1', namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'app-a', '1'), owner: { kind: 'Pod', name: 'a-driver' }, grace: 100, preStop: ['/opt/decom.sh'], shutdownSeconds: 10 });
    kube.addPod({ name: 'b-exec-1', namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'app-b', '1'), owner: { kind: 'Pod', name: 'b-driver' }, grace: 100, preStop: ['/opt/decom.sh'], shutdownSeconds: 60 });
    kube.addPod({ name: 'c-driver', namespace: 'spark', node: NODE, labels: sparkLabels('driver', 'app-c'), grace: 30, shutdownSeconds: 2 });
    const report = await drain(t0 + 120_000, true);

    const aExecGone = kube.exits.get('spark/a-exec-1')!.at;
    const bExecGone = kube.exits.get('spark/b-exec-1')!.at;
    const aDriver = firstCall(kube, 'spark/a-driver')!.at;
    expect(aDriver).toBeGreaterThanOrEqual(aExecGone);
    expect(aDriver - aExecGone).toBeLessThan(100);
    expect(aDriver).toBeLessThan(bExecGone - 45_000);
    expect(firstCall(kube, 'spark/c-driver')!.at - t0).toBeLessThan(1_000);
    expect(report).toMatchObject({ allGone: true, deadlineMet: true });
    expect(report.applications).toEqual(
      expect.arrayContaining([
        { appId: 'app-a', executors: 1, executorsGone: 1, driverOnNode: true, driver: 'spark/a-driver' },
        { appId: 'app-b', executors: 1, executorsGone: 1, driverOnNode: false },
      ]),
    );
  });

  it('a driver waits for an executor it owns even when the executor names no application', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'driver', namespace: 'spark', node: NODE, labels: { 'spark-role': 'driver' }, grace: 30, shutdownSeconds: 2 });
    kube.addPod({ name: 'exec-1', namespace: 'spark', node: NODE, labels: { 'spark-role': 'executor' }, owner: { kind: 'Pod', name: 'driver' }, grace: 100, preStop: ['/opt/decom.sh'], shutdownSeconds: 30 });
    await drain(t0 + 120_000, true);
    expect(firstCall(kube, 'spark/driver')!.at).toBeGreaterThanOrEqual(kube.exits.get('spark/exec-1')!.at);
  });

  it('keeps the driver while executors decommission, until time forces it (budgetEnd − driver grace)', async () => {
    const { kube, t0, drain } = setup();
    sparkNode(kube, { execShutdown: 100, execGrace: 110, driverGrace: 30 });
    const deadline = t0 + 120_000;
    const report = await drain(deadline, true);

    const driverAt = firstCall(kube, 'spark/etl-driver')!.at - t0;
    // Latest start = deadline − margin(5 s) − grace(30 s) = 85 s; the executors exit at ~100 s.
    expect(driverAt).toBeGreaterThanOrEqual(85_000);
    expect(driverAt).toBeLessThan(86_100);
    expect(kube.exits.get('spark/etl-driver')!.at).toBeLessThan(deadline);
    expect(pod(report, 'etl-driver').outcome).toBe('evicted');
    expect(report.deadlineMet).toBe(true);
  });

  it('a workload its budget lets go one at a time moves in waves from the start, not after the executors, and is never forced', async () => {
    const { kube, t0, drain } = setup();
    for (const i of [1, 2]) kube.addPod({ name: `exec-${i}`, namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'a1', String(i)), grace: 100, preStop: ['/opt/decom.sh'], shutdownSeconds: 45 });
    // Eight replicas, at most one down at a time: each of the four on this node waits for the
    // previous one's replacement to turn Ready (10 s + 5 s), so the four need about a minute.
    for (let i = 0; i < 8; i++) kube.addPod({ name: `web-${i}`, node: i < 4 ? NODE : 'ip-10-0-9-9.ec2.internal', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-abc' }, grace: 30, shutdownSeconds: 5 });
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 7 });
    const report = await drain(t0 + 120_000, true);

    expect(kube.callsFor('evictPod', 'default/web-0')[0]!.at - t0).toBeLessThan(1_000);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(report.pods.filter((p) => p.name.startsWith('web-')).map((p) => [p.name, p.outcome, p.forced])).toEqual([0, 1, 2, 3].map((i) => [`web-${i}`, 'evicted', false]));
    expect(report.pods.filter((p) => p.name.startsWith('web-')).some((p) => p.attempts > 1)).toBe(true);
    expect(report).toMatchObject({ allGone: true, deadlineMet: true });
  });

  it('does not let a pod stuck behind a budget hold the critical pods past half the window', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'db-0', node: NODE, labels: { app: 'db' }, grace: 30 });
    kube.addPdb({ namespace: 'default', name: 'db', matchLabels: { app: 'db' }, minAvailable: 1 });
    kube.addPod({ name: 'etl-driver', namespace: 'spark', node: NODE, labels: sparkLabels('driver', 'a1'), grace: 10 });
    kube.addPod({ name: 'coredns-1', namespace: 'kube-system', node: NODE, priorityClassName: 'system-node-critical', grace: 10 });
    const deadline = t0 + 300_000;
    const report = await drain(deadline, false);

    // No executor of its own here: the driver goes at once.
    expect(firstCall(kube, 'spark/etl-driver')!.at - t0).toBeLessThan(1_000);
    // The window is 295 s (deadline − margin): the critical pod goes at its half, ~147.5 s.
    const criticalAt = firstCall(kube, 'kube-system/coredns-1')!.at - t0;
    expect(criticalAt).toBeGreaterThanOrEqual(147_000);
    expect(criticalAt).toBeLessThan(149_000);
    expect(pod(report, 'coredns-1').outcome).toBe('evicted');
    expect(pod(report, 'db-0').outcome).toBe('pending');
    expect(pod(report, 'db-0').attempts).toBeGreaterThan(5); // kept retrying in the background
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(report.allGone).toBe(false);
    expect(report.deadlineMet).toBe(false);
    expect(report.warnings.map((w) => w.code)).toContain('pods-remaining');
    // The stuck pod was given up on when the window closed: its tier ended then.
    expect(report.tiers.find((t) => t.tier === 'workload')!.endedAt - t0).toBeGreaterThanOrEqual(295_000);
  });
});

describe('drainNode: disruption budgets and the deadline', () => {
  it('backs off on a PDB refusal and succeeds once the budget frees, without forcing', async () => {
    const { kube, clock, t0, drain } = setup();
    kube.addPod({ name: 'web-1', node: NODE, labels: { app: 'web' }, grace: 30 });
    kube.addPod({ name: 'web-2', node: 'other-node', labels: { app: 'web' }, grace: 30 });
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 2 });
    clock.schedule(10_000, () => kube.addPod({ name: 'web-3', node: 'other-node', labels: { app: 'web' } }));
    const report = await drain(null, false);

    const attempts = kube.callsFor('evictPod', 'default/web-1');
    expect(attempts.length).toBeGreaterThan(2);
    expect(attempts.slice(0, -1).every((c) => c.status === 429)).toBe(true);
    expect(attempts.at(-1)!.status).toBe(200);
    expect(attempts.at(-1)!.at - t0).toBeGreaterThanOrEqual(10_000);
    // Exponential: each wait at least as long as the one before (random fixed at 0.5).
    const gaps = attempts.slice(1).map((c, i) => c.at - attempts[i]!.at);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(defaults.backoffInitialMs / 2);
    const web = pod(report, 'web-1');
    expect(web).toMatchObject({ outcome: 'evicted', forced: false });
    expect(web.attempts).toBe(attempts.length);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(report.allGone).toBe(true);
  });

  it('under Spot force-deletes a PDB-blocked pod at the last moment that still fits its grace, before the deadline', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'web-1', node: NODE, labels: { app: 'web' }, grace: 30, shutdownSeconds: 10 });
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const deadline = t0 + 120_000;
    const report = await drain(deadline, true);

    const deletes = kube.callsFor('deletePod');
    expect(deletes).toHaveLength(1);
    // Force point = deadline − margin − grace − 1 s for the calls = 84 s.
    expect(deletes[0]!.at - t0).toBeGreaterThanOrEqual(84_000);
    expect(deletes[0]!.at).toBeLessThan(deadline - 5_000);
    expect(deletes[0]!.gracePeriodSeconds).toBe(30);
    expect(deletes[0]!.at + deletes[0]!.gracePeriodSeconds! * 1000).toBeLessThanOrEqual(deadline);
    expect(pod(report, 'web-1')).toMatchObject({ outcome: 'deleted', forced: true, gracePeriodSeconds: 30 });
    expect(kube.exits.get('default/web-1')!.at).toBeLessThan(deadline);
    expect(kube.writeAttempts.every((c) => c.at < deadline)).toBe(true);
    expect(report.deadlineMet).toBe(true);
  });

  it('clamps the grace of a forced deletion when the pod grace cannot fit at all', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'slow-1', node: NODE, labels: { app: 'slow' }, grace: 600, shutdownSeconds: 500 });
    kube.addPdb({ namespace: 'default', name: 'slow', matchLabels: { app: 'slow' }, minAvailable: 1 });
    const deadline = t0 + 120_000;
    const report = await drain(deadline, true);

    const [evict] = kube.callsFor('evictPod', 'default/slow-1');
    const [del] = kube.callsFor('deletePod', 'default/slow-1');
    expect(evict!.gracePeriodSeconds).toBe(114); // eviction asked for what fits, not 600
    expect(del!.gracePeriodSeconds).toBeLessThan(600);
    expect(del!.at + del!.gracePeriodSeconds! * 1000).toBeLessThanOrEqual(deadline - 5_000);
    expect(pod(report, 'slow-1')).toMatchObject({ outcome: 'deleted', forced: true });
    expect(kube.exits.get('default/slow-1')!.at).toBeLessThanOrEqual(deadline - 5_000);
  });

  it('never force-deletes after the deadline, and never when the policy forbids it', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'web-1', node: NODE, labels: { app: 'web' }, grace: 30 });
    kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const report = await drain(t0 + 60_000, false);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(kube.writeAttempts.every((c) => c.at < t0 + 60_000)).toBe(true);
    expect(pod(report, 'web-1').outcome).toBe('pending');

    const late = setup();
    late.kube.addPod({ name: 'web-1', node: NODE, labels: { app: 'web' }, grace: 30 });
    late.kube.addPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
    const lateReport = await late.drain(late.t0 - 1_000, true); // deadline already passed
    expect(late.kube.callsFor('deletePod')).toHaveLength(0);
    expect(pod(lateReport, 'web-1').outcome).toBe('pending');
  });

  it('passes a clamped grace to an executor whose grace would overrun the deadline, and warns', async () => {
    const { kube, t0, drain } = setup();
    kube.addPod({ name: 'exec-1', namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'a1', '1'), grace: 300, preStop: ['/usr/bin/decom.sh'], shutdownSeconds: 60 });
    kube.addPod({ name: 'exec-2', namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'a1', '2'), grace: 30, shutdownSeconds: 5 });
    const report = await drain(t0 + 120_000, true);

    expect(kube.callsFor('evictPod', 'spark/exec-1')[0]!.gracePeriodSeconds).toBe(114);
    expect(kube.callsFor('evictPod', 'spark/exec-2')[0]!.gracePeriodSeconds).toBeUndefined();
    expect(pod(report, 'exec-1').gracePeriodSeconds).toBe(114);
    const codes = report.warnings.map((w) => `${w.code}:${w.pod}`);
    expect(codes).toContain('executor-grace-exceeds-deadline:spark/exec-1');
    expect(codes).toContain('executor-without-decommission-hook:spark/exec-2');
    expect(codes).not.toContain('executor-without-decommission-hook:spark/exec-1');
  });
});

describe('drainNode: what is skipped, what is waited for, API answers', () => {
  it('skips DaemonSet, mirror and finished pods, and waits for already-terminating pods without evicting them', async () => {
    const { kube, drain } = setup();
    kube.addPod({ name: 'fluent-bit-x', namespace: 'logging', node: NODE, owner: { kind: 'DaemonSet', name: 'fluent-bit' } });
    kube.addPod({ name: 'kube-proxy-node', namespace: 'kube-system', node: NODE, annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    kube.addPod({ name: 'job-done', node: NODE, phase: 'Succeeded' });
    kube.addPod({ name: 'job-failed', node: NODE, phase: 'Failed' });
    kube.addPod({ name: 'leaving', node: NODE, terminating: true, grace: 30, shutdownSeconds: 12 });
    const report = await drain(null, false);

    expect(kube.callsFor('evictPod')).toHaveLength(0);
    expect(kube.callsFor('deletePod')).toHaveLength(0);
    expect(pod(report, 'fluent-bit-x')).toMatchObject({ outcome: 'skipped', reason: 'DaemonSet pod' });
    expect(pod(report, 'kube-proxy-node').reason).toMatch(/mirror/);
    expect(pod(report, 'job-done').reason).toMatch(/Succeeded/);
    expect(pod(report, 'job-failed').reason).toMatch(/Failed/);
    const leaving = pod(report, 'leaving');
    expect(leaving).toMatchObject({ outcome: 'skipped', reason: 'already terminating' });
    expect(leaving.goneAt).toBeDefined();
    expect(report.allGone).toBe(true);
  });

  it('treats 404 and 409 as gone, reports 500 (several budgets) as failed without retrying forever', async () => {
    const { kube, drain } = setup();
    kube.addPod({ name: 'gone-1', node: NODE });
    kube.addPod({ name: 'replaced-1', node: NODE });
    kube.addPod({ name: 'multi-1', node: NODE, labels: { app: 'multi', tier: 'x' } });
    kube.addPdb({ namespace: 'default', name: 'a', matchLabels: { app: 'multi' }, minAvailable: 0 });
    kube.addPdb({ namespace: 'default', name: 'b', matchLabels: { tier: 'x' }, minAvailable: 0 });
    kube.faults.push(({ op, target }) =>
      op === 'evictPod' && target === 'default/gone-1' ? new KubeApiError('not found', 404) : undefined,
    );
    kube.faults.push(({ op, target }) =>
      op === 'evictPod' && target === 'default/replaced-1' ? new KubeApiError('precondition failed', 409) : undefined,
    );
    const report = await drain(null, true);

    expect(pod(report, 'gone-1')).toMatchObject({ outcome: 'evicted', reason: 'already gone', attempts: 1 });
    expect(pod(report, 'replaced-1')).toMatchObject({ outcome: 'evicted', attempts: 1 });
    expect(pod(report, 'replaced-1').reason).toMatch(/UID/);
    const multi = pod(report, 'multi-1');
    expect(multi).toMatchObject({ outcome: 'failed', attempts: 1, forced: false });
    expect(multi.reason).toMatch(/more than one PodDisruptionBudget/);
    expect(kube.callsFor('evictPod', 'default/multi-1')).toHaveLength(1);
    expect(report.warnings.map((w) => w.code)).toContain('eviction-failed');
    expect(report.errors).toEqual([]);
  });

  it('bounds the evictions in flight by the configured concurrency', async () => {
    const { kube, drain } = setup({ concurrency: 4 });
    for (let i = 0; i < 40; i++) kube.addPod({ name: `w-${i}`, node: NODE, labels: { app: 'w' } });
    const report = await drain(null, false);
    expect(kube.callsFor('evictPod')).toHaveLength(40);
    expect(kube.maxInFlightEvictions).toBe(4);
    expect(report.allGone).toBe(true);
  });

  it('reports a permanent API error with the pod and operation, and does not abandon the other pods', async () => {
    const { kube, drain } = setup();
    kube.addPod({ name: 'w-1', node: NODE });
    kube.addPod({ name: 'w-2', node: NODE });
    kube.faults.push(({ op, target }) => (op === 'evictPod' && target === 'default/w-1' ? new KubeApiError('forbidden', 403) : undefined));
    const report = await drain(null, false);
    expect(pod(report, 'w-2').outcome).toBe('evicted');
    expect(pod(report, 'w-1').outcome).toBe('failed');
    expect(report.errors).toEqual(['evict pod default/w-1: forbidden']);
  });
});

describe('drainNode: transient API failures never end a drain', () => {
  it('a pod watch that cannot start and a list that keeps failing mid-drain: later tiers still go, the driver only at its latest start', async () => {
    const { kube, t0, drain } = setup();
    kube.watchList = false;
    sparkNode(kube, { execShutdown: 60, execGrace: 90 });
    let lists = 0;
    kube.faults.push(({ op }) => ((op === 'listPodsOnNode' && ++lists > 3) || op === 'watchPodsOnNode' ? new KubeApiError('connection reset', 0) : undefined));
    const deadline = t0 + 120_000;
    const report = await drain(deadline, true);
    expect(report.pods.filter((p) => p.sparkRole === 'executor').every((p) => p.outcome === 'evicted')).toBe(true);
    expect(pod(report, 'web-1').outcome).toBe('evicted');
    // Blind to its executors, the driver is not evicted before time forces it: budgetEnd − its grace.
    expect(firstCall(kube, 'spark/etl-driver')!.at).toBeGreaterThanOrEqual(deadline - 5_000 - 30_000);
    expect(report.transientFailures).toBeGreaterThan(10);
    expect(report.errors).toEqual([]);
  });

  it.each([
    ['a streaming list', 'streamPodsOnNode', true],
    ['a first list (no WatchList)', 'listPodsOnNode', false],
  ] as const)('%s that fails is retried with backoff', async (_, op, watchList) => {
    const { kube, drain } = setup();
    kube.watchList = watchList;
    kube.addPod({ name: 'w-1', node: NODE });
    let reads = 0;
    kube.faults.push((call) => (call.op === op && ++reads <= 2 ? new KubeApiError('service unavailable', 503) : undefined));
    const report = await drain(null, false);
    expect(report).toMatchObject({ allGone: true, errors: [] });
    expect(kube.callsFor(op).slice(0, 3).map((c) => c.status)).toEqual([503, 503, 200]);
  });
});

describe("drainNode: one request for the node's pods per drain", () => {
  it('streams the pods once (a streaming list), sees every pod leave through that stream, and stops it at the end', async () => {
    const { kube, t0, drain } = setup();
    sparkNode(kube);
    const report = await drain(t0 + 120_000, true);
    expect(report).toMatchObject({ allGone: true, deadlineMet: true, transientFailures: 0 });
    expect(kube.calls.filter((c) => ['streamPodsOnNode', 'listPodsOnNode', 'watchPodsOnNode'].includes(c.op)).map((c) => c.op)).toEqual(['streamPodsOnNode']);
    expect(kube.watchCount).toBe(0);
    // The driver's tier went as soon as the stream showed the tier before it gone (one latency), not a poll later.
    const tierBeforeGone = Math.max(kube.exits.get('default/web-1')!.at, ...[1, 2, 3].map((i) => kube.exits.get(`spark/etl-exec-${i}`)!.at));
    expect(firstCall(kube, 'spark/etl-driver')!.at - tierBeforeGone).toBeLessThanOrEqual(20);
  });

  it('without WatchList: one refused stream per client, then one LIST and one WATCH per drain', async () => {
    const { kube, clock, t0, drain } = setup();
    kube.watchList = false;
    sparkNode(kube);
    kube.addPod({ name: 'other-1', node: 'ip-10-0-9-9.ec2.internal' });
    const report = await drain(t0 + 120_000, true);
    expect(report).toMatchObject({ allGone: true, deadlineMet: true, transientFailures: 0 });
    const second = await runToEnd(
      clock,
      drainNode({ nodeName: 'ip-10-0-9-9.ec2.internal', deadline: t0 + 240_000, policy: { forceDelete: true }, eventId: EVENT }, { kube, clock, log: new RecordingLog(), options: defaults, random: () => 0.5 }),
    );
    expect(second).toMatchObject({ allGone: true });
    const reads = kube.calls.filter((c) => ['streamPodsOnNode', 'listPodsOnNode', 'watchPodsOnNode'].includes(c.op)).map((c) => `${c.op} ${c.status}`);
    expect(reads).toEqual(['streamPodsOnNode 422', 'listPodsOnNode 200', 'watchPodsOnNode 200', 'listPodsOnNode 200', 'watchPodsOnNode 200']);
    expect(kube.watchCount).toBe(0);
  });

  it('a change in the same breath as the end of the initial events follows the list, not lost under it', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const pods = [{ metadata: { uid: 'a', name: 'a', resourceVersion: '5' } }, { metadata: { uid: 'b', name: 'b', resourceVersion: '6' } }];
    const kube = {
      async streamPodsOnNode(_: string, handlers: PodWatchHandlers) {
        // The server's next line (b deleted) is parsed before the caller has the list.
        handlers.onEvent({ type: 'DELETED', pod: pods[1]! as V1Pod });
        return { list: { items: pods as V1Pod[], resourceVersion: '6' }, watch: { stop() {} } };
      },
    } as unknown as KubeApi;
    const watch = new NodePodWatch(kube, clock, NODE, 1000);
    const seen: string[][] = [];
    const list = await watch.start();
    watch.follow((current) => seen.push(current.map((p) => p.metadata!.name!)));
    expect(list.items).toHaveLength(2);
    expect(seen).toEqual([['a']]);
    watch.close();
  });

  it('a watch the server ends with 410 Expired: lists again and watches from the new list', async () => {
    const { kube, clock, t0 } = setup();
    sparkNode(kube, { execShutdown: 30 });
    clock.schedule(5_000, () => kube.endWatches(new KubeApiError('too old resource version', 410, 'Expired')));
    const report = await runToEnd(clock, drainNode({ nodeName: NODE, deadline: t0 + 120_000, policy: { forceDelete: true }, eventId: EVENT }, { kube, clock, log: new RecordingLog(), options: defaults, random: () => 0.5 }));
    expect(report).toMatchObject({ allGone: true, deadlineMet: true });
    expect(kube.callsFor('streamPodsOnNode')).toHaveLength(1);
    expect(kube.callsFor('listPodsOnNode')).toHaveLength(1);
    expect(kube.callsFor('watchPodsOnNode')).toHaveLength(1);
  });

  it('a server that refuses watches for good (403: no watch verb): polls the list instead, and still drains', async () => {
    const { kube, t0, drain } = setup();
    sparkNode(kube);
    kube.faults.push(({ op }) => (op === 'watchPodsOnNode' || op === 'streamPodsOnNode' ? new KubeApiError('pods is forbidden: cannot watch', 403, 'Forbidden') : undefined));
    const report = await drain(t0 + 120_000, true);
    expect(report).toMatchObject({ allGone: true, deadlineMet: true, errors: [] });
    expect(kube.callsFor('streamPodsOnNode')).toHaveLength(1);
    expect(kube.callsFor('watchPodsOnNode')).toHaveLength(0);
    expect(kube.callsFor('listPodsOnNode').length).toBeGreaterThan(5);
  });
});

describe('drainNode: the invocation stops before the drain ends', () => {
  it('hands over at stopAt: an incomplete report, no completion, evictions accepted so far kept', async () => {
    const { kube, clock, t0 } = setup();
    kube.addPod({ name: 'slow', node: NODE, grace: 1800, shutdownSeconds: 1200 });
    const report = await runToEnd(
      clock,
      drainNode({ nodeName: NODE, deadline: null, policy: { forceDelete: false }, eventId: EVENT, stopAt: t0 + 600_000 }, { kube, clock, log: new RecordingLog(), options: defaults, random: () => 0.5 }),
    );
    expect(report).toMatchObject({ incomplete: 'hand-over', allGone: false, drainedAt: null });
    expect(pod(report, 'slow').outcome).toBe('evicted');
    expect(clock.now() - t0).toBe(600_000);
  });

  it('stops at once when its lease is lost (a more urgent event took the node over)', async () => {
    const { kube, clock, t0 } = setup();
    kube.addPod({ name: 'slow', node: NODE, grace: 300, shutdownSeconds: 200 });
    const lost = new AbortController();
    clock.schedule(30_000, () => lost.abort());
    const report = await runToEnd(
      clock,
      drainNode({ nodeName: NODE, deadline: t0 + 600_000, policy: { forceDelete: false }, eventId: EVENT, signal: lost.signal }, { kube, clock, log: new RecordingLog(), options: defaults, random: () => 0.5 }),
    );
    expect(report).toMatchObject({ incomplete: 'lease-lost', allGone: false });
    expect(clock.now() - t0).toBe(30_000);
  });
});
