import { describe, expect, it } from 'vitest';
import { recordInterruptionMetrics } from '../../lib/observability/interruption-metrics.ts';
import type { SimulationResult, TimelineEntry } from '../../sandbox/scenario/result.ts';
import { driver, executor, nodes, OTHER_NODE, SPOT_INSTANCE, SPOT_NODE, simulate, spotWarning, web } from '../support/scenarios.ts';

/**
 * The durable node lifecycle, end to end in the sandbox: Health drains days ahead, updates and
 * multi-instance events, maintenance that comes back, rebalance reverts, duplicates, drains that
 * outlive an invocation, API faults. Each scenario asserts on the JSON result a user would read.
 */

const START = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400;
const OTHER_INSTANCE = 'i-0aaa1111bbbb22221';
const RETIREMENT_ARN = 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_abc123';

const rfc1123 = (seconds: number) => new Date(START + seconds * 1000).toUTCString();

function health(startSeconds: number, extra: { id?: string; code?: string; endSeconds?: number; instances?: string[]; status?: string; arn?: string } = {}) {
  const instances = extra.instances ?? [SPOT_INSTANCE];
  return {
    ...(extra.id ? { id: extra.id } : {}),
    source: 'aws.health',
    'detail-type': 'AWS Health Event',
    detail: {
      eventArn: extra.arn ?? RETIREMENT_ARN,
      service: 'EC2',
      eventTypeCode: extra.code ?? 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      statusCode: extra.status ?? 'upcoming',
      startTime: rfc1123(startSeconds),
      ...(extra.endSeconds !== undefined ? { endTime: rfc1123(extra.endSeconds) } : {}),
      affectedEntities: instances.map((entityValue) => ({ entityValue })),
    },
  };
}

const lifecycleAction = () => ({
  source: 'aws.autoscaling',
  'detail-type': 'EC2 Instance-terminate Lifecycle Action',
  detail: {
    LifecycleActionToken: 'b7d4e2f1-9a6c-4c83-a5e0-3f1d8b2c6e49',
    AutoScalingGroupName: 'eks-spark-workers',
    LifecycleHookName: 'lifeguard-drain',
    EC2InstanceId: SPOT_INSTANCE,
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
  },
});

const rebalance = (instanceId = SPOT_INSTANCE) => ({ source: 'aws.ec2', 'detail-type': 'EC2 Instance Rebalance Recommendation', detail: { 'instance-id': instanceId } });

const sparkPods = (node = SPOT_NODE, suffix = '') => [
  driver(),
  executor(`exec-1${suffix}`, node),
  executor(`exec-2${suffix}`, node, { shutdownSeconds: 45 }),
  web(`web-a${suffix}`, node),
  web(`web-b${suffix}`, node === SPOT_NODE ? OTHER_NODE : SPOT_NODE),
];

/** Node writes Lifeguard makes that change how the node is scheduled (not its own record). */
const disruptiveWrites = (r: SimulationResult, node = SPOT_NODE) =>
  r.timeline.filter((e) => e.actor === 'api' && e.node === node && (e.action === 'evict' || e.action === 'delete' || (e.action === 'patch' && /(^|, )(unschedulable=|[+-]taint )/.test(e.detail ?? ''))));
const evictions = (r: SimulationResult, pod: string) => r.timeline.filter((e) => e.actor === 'api' && (e.action === 'evict' || e.action === 'delete') && e.pod === pod && !/refused|fault/.test(e.detail ?? ''));
const published = (r: SimulationResult, detailType: string) => r.timeline.filter((e) => e.actor === 'lifeguard' && e.action === 'event' && e.detail === detailType);
const first = (entries: TimelineEntry[]) => entries[0]?.t ?? Number.NaN;
/** Where the pod's first accepted eviction stands in the timeline: executors and workloads go in the same moment, executors first in line. */
const evictionIndex = (r: SimulationResult, pod: string) => r.timeline.indexOf(evictions(r, pod)[0]!);
const instancesOf = (r: SimulationResult) => r.invocations.flatMap((i) => i.report?.instances ?? []);

describe('Health scheduled changes, days ahead', () => {
  it('a retirement 3 days ahead: nothing disruptive until startTime − lead, then a Spark-first drain that meets startTime', async () => {
    const startTime = 3 * DAY;
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: sparkPods() }, events: [{ at: 10, event: health(startTime) }], until: startTime + 3600 });

    const actAt = startTime - 30 * 60;
    // Scheduler fires within the minute named: Lifeguard names the one that ends at actAt, never later.
    expect(r.schedules).toEqual([expect.objectContaining({ createdAt: 10, at: actAt - 60 })]);
    const firedAt = r.schedules[0]!.firedAt!;
    expect(firedAt).toBeGreaterThanOrEqual(actAt - 60);
    expect(firedAt).toBeLessThan(actAt);
    const writes = disruptiveWrites(r);
    expect(writes.length).toBeGreaterThan(0);
    expect(first(writes)).toBeGreaterThanOrEqual(firedAt);
    expect(first(writes)).toBeLessThan(actAt);
    // The only write before then records the pending drain on the node, for `kubectl describe node`.
    const early = r.timeline.filter((e) => e.actor === 'api' && e.node === SPOT_NODE && e.t < firedAt && ['patch', 'evict', 'delete'].includes(e.action));
    expect(early).toHaveLength(1);
    expect(early[0]!.detail).toContain('"type":"scheduled-drain"');
    expect(r.invocations.map((i) => i.trigger)).toEqual(['event', 'schedule']);

    // Spark first: both executors evicted ahead of the web pod (which does not wait for them), everything gone before the start time.
    const webAt = evictionIndex(r, 'default/web-a');
    for (const exec of ['spark/exec-1', 'spark/exec-2']) expect(evictionIndex(r, exec)).toBeLessThan(webAt);
    expect(first(evictions(r, 'default/web-a'))).toBeLessThan(r.pods['spark/exec-1']!.goneAt!);
    expect(r.pods['spark/exec-1']!.goneAt!).toBeLessThan(startTime);
    expect(r.pods['default/web-a']!.outcome).toBe('evicted');
    expect(r.summary.deadlineMet).toBe(true);
    expect(r.summary.executorsDecommissioned).toBe(2);
  });

  it('an updated event for the same eventArn moves the drain to the new start', async () => {
    const first_ = 2 * DAY;
    const moved = 4 * DAY;
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods() },
      events: [
        { at: 10, event: health(first_, { id: 'health-v1' }) },
        { at: 3600, event: health(moved, { id: 'health-v2' }) },
      ],
      until: moved + 600,
    });
    expect(r.schedules).toHaveLength(1);
    expect(r.schedules[0]).toMatchObject({ updates: 1, at: moved - 1800 - 60 });
    expect(r.schedules[0]!.firedAt! - (moved - 1800 - 60)).toBeLessThan(60);
    expect(first(disruptiveWrites(r))).toBeGreaterThanOrEqual(r.schedules[0]!.firedAt!);
    expect(first(disruptiveWrites(r))).toBeLessThan(moved - 1800);
    expect(published(r, 'Node Drain Started')).toHaveLength(1);
  });

  it('a closed (cancelled) event deletes the scheduled drain: the node is never touched', async () => {
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods() },
      events: [
        { at: 10, event: health(DAY, { id: 'health-v1' }) },
        { at: 600, event: health(DAY, { id: 'health-closed', status: 'closed' }) },
      ],
      until: DAY + 600,
    });
    expect(disruptiveWrites(r)).toHaveLength(0);
    expect(r.schedules[0]).toMatchObject({ firedAt: null, deletedAt: 600 });
    expect(instancesOf(r).map((i) => i.status)).toEqual(['scheduled', 'cancelled']);
  });

  it('a multi-instance event drains each node once', async () => {
    const startTime = DAY;
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: [...sparkPods(SPOT_NODE), executor('exec-9', OTHER_NODE)] },
      events: [{ at: 10, event: health(startTime, { instances: [SPOT_INSTANCE, OTHER_INSTANCE] }), copies: 2 }],
      until: startTime + 600,
    });
    expect(r.schedules).toHaveLength(2);
    expect(published(r, 'Node Drain Started')).toHaveLength(2);
    for (const pod of ['spark/exec-1', 'spark/exec-2', 'spark/exec-9', 'default/web-a', 'default/web-b']) expect(evictions(r, pod)).toHaveLength(1);
    expect(r.summary.deadlineMet).toBe(true);
  });

  it('a reboot maintenance: drained before the start, uncordoned once the node is back and Ready after the window', async () => {
    const startTime = 2 * 3600;
    const endTime = 4 * 3600;
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods() },
      events: [
        { at: 10, event: health(startTime, { code: 'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED', endSeconds: endTime, arn: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED/x1' }) },
        { at: startTime + 600, rebootInstance: SPOT_INSTANCE, downSeconds: 900 },
      ],
      until: endTime + 3600,
    });
    expect(r.pods['spark/exec-1']!.goneAt!).toBeLessThan(startTime);
    const uncordon = r.timeline.find((e) => e.actor === 'api' && e.action === 'patch' && e.node === SPOT_NODE && /(^|, )unschedulable=/.test(e.detail ?? '') && e.t > startTime);
    expect(uncordon?.t).toBeGreaterThanOrEqual(endTime);
    expect(r.nodes[SPOT_NODE]).toMatchObject({ unschedulable: false });
    expect(r.nodes[SPOT_NODE]!.taints.filter((t) => t.key === 'lifeguard.io/interruption')).toHaveLength(0);
    expect(published(r, 'Node Reverted')).toHaveLength(1);
  });

  it('a reboot maintenance whose node is not back yet at the window end looks again until it is Ready', async () => {
    const startTime = 3600;
    const endTime = 2 * 3600;
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods() },
      events: [
        { at: 10, event: health(startTime, { code: 'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED', endSeconds: endTime, arn: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED/x2' }) },
        { at: endTime - 60, rebootInstance: SPOT_INSTANCE, downSeconds: 1000 },
      ],
      until: endTime + 3 * 3600,
    });
    const looks = instancesOf(r).filter((i) => i.status === 'scheduled' && i.reason?.includes('not Ready'));
    expect(looks.length).toBeGreaterThanOrEqual(2);
    expect(r.nodes[SPOT_NODE]).toMatchObject({ unschedulable: false });
  });
});

describe('rebalance recommendations', () => {
  it('nothing follows: the taint and cordon are reverted at the TTL', async () => {
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: sparkPods() }, events: [{ at: 10, event: rebalance() }], until: 3600 });
    const cordon = r.timeline.find((e) => e.actor === 'api' && e.action === 'patch' && e.node === SPOT_NODE);
    expect(cordon?.t).toBeLessThan(11);
    // Not before the TTL: the minute at or after 10 s + 30 min, fired within it.
    expect(r.schedules[0]).toMatchObject({ at: 1860 });
    expect(r.schedules[0]!.firedAt! - 1860).toBeLessThan(60);
    expect(r.nodes[SPOT_NODE]).toMatchObject({ unschedulable: false, taints: [] });
    expect(evictions(r, 'spark/exec-1')).toHaveLength(0);
  });

  it('a node an admin had cordoned stays cordoned after the TTL (only Lifeguard\'s own taint goes)', async () => {
    const cordoned = nodes.map((n) => (n.name === SPOT_NODE ? { ...n, unschedulable: true } : n));
    const r = await simulate({ cluster: { name: 'spark', nodes: cordoned, pods: sparkPods() }, events: [{ at: 10, event: rebalance() }], until: 3600 });
    expect(r.nodes[SPOT_NODE]).toMatchObject({ unschedulable: true, taints: [] });
  });

  it('a Spot warning after a rebalance: full drain, and no revert', async () => {
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods() },
      events: [
        { at: 10, event: rebalance() },
        { at: 600, event: spotWarning() },
      ],
      until: 3600,
    });
    expect(r.pods['spark/exec-1']!.outcome).toBe('evicted');
    expect(r.summary.deadlineMet).toBe(true);
    const revert = r.schedules.find((s) => s.description.startsWith('revert-rebalance'));
    expect(revert).toMatchObject({ deletedAt: 600, firedAt: null });
    expect(r.nodes[SPOT_NODE]!.unschedulable).toBe(true);
    expect(published(r, 'Node Reverted')).toHaveLength(0);
  });

  it('a node group can make rebalance a drain, still reverted at the TTL', async () => {
    const labelled = nodes.map((n) => (n.name === SPOT_NODE ? { ...n, labels: { pool: 'spark-spot' } } : n));
    const r = await simulate({
      config: { interruption: { nodeGroups: [{ name: 'spot-executors', matchLabels: { pool: 'spark-spot' }, policies: { 'rebalance-recommendation': { action: 'drain' } } }] } },
      cluster: { name: 'spark', nodes: labelled, pods: sparkPods() },
      events: [{ at: 10, event: rebalance() }],
      until: 3600,
    });
    expect(r.pods['spark/exec-1']!.outcome).toBe('evicted');
    expect(r.nodes[SPOT_NODE]).toMatchObject({ unschedulable: false, taints: [] });
  });
});

describe('one drain per node', () => {
  it('the same event delivered 3 times within one second: exactly one drain, executors still first', async () => {
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: sparkPods() }, events: [{ at: 10, event: spotWarning(), copies: 3, copySpacingSeconds: 0.3 }], until: 300 });
    expect(r.invocations.filter((i) => i.trigger === 'event')).toHaveLength(3);
    for (const pod of ['spark/exec-1', 'spark/exec-2', 'default/web-a']) expect(evictions(r, pod)).toHaveLength(1);
    expect(published(r, 'Node Drain Started')).toHaveLength(1);
    expect(published(r, 'Node Drain Completed')).toHaveLength(1);
    expect(evictionIndex(r, 'default/web-a')).toBeGreaterThan(Math.max(evictionIndex(r, 'spark/exec-1'), evictionIndex(r, 'spark/exec-2')));
    expect(instancesOf(r).map((i) => i.status).sort()).toEqual(['drained', 'duplicate', 'duplicate']);
    expect(r.summary.deadlineMet).toBe(true);
  });
});

describe('drains that outlive an invocation', () => {
  it('a lifecycle hook whose pods take 25 minutes to leave: CONTINUE after the last pod is gone, no invocation past the timeout', async () => {
    const slow = (name: string) => web(name, SPOT_NODE, { terminationGracePeriodSeconds: 1800, shutdownSeconds: 1500 });
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: [slow('batch-1'), slow('batch-2'), web('web-b', OTHER_NODE)] },
      events: [
        {
          at: 10,
          event: lifecycleAction(),
        },
      ],
      until: 3600,
    });
    const lastGone = Math.max(r.pods['default/batch-1']!.goneAt!, r.pods['default/batch-2']!.goneAt!);
    expect(lastGone).toBeGreaterThanOrEqual(10 + 1500);
    const completions = r.lifecycleActions.filter((a) => a.action === 'complete');
    expect(completions).toEqual([expect.objectContaining({ result: 'CONTINUE' })]);
    expect(completions[0]!.t).toBeGreaterThanOrEqual(lastGone);
    for (const i of r.invocations) expect((i.endedAt ?? Infinity) - i.startedAt).toBeLessThanOrEqual(900_000);
    expect(r.invocations.some((i) => i.trigger === 'continuation')).toBe(true);
    // Each hand-over goes on within a second: the function invokes itself (a schedule would fire one to two minutes later).
    const handOvers = r.invocations.filter((i) => i.report?.instances[0]?.status === 'handed-over');
    expect(handOvers.length).toBeGreaterThan(0);
    for (const h of handOvers) {
      const next = r.invocations.find((i) => i.trigger === 'continuation' && i.deliveredAt >= h.startedAt && i !== h)!;
      expect(Math.abs(next.deliveredAt - h.endedAt!)).toBeLessThan(1_000);
    }
    expect(r.schedules.filter((x) => x.description.startsWith('resume-drain'))).toEqual([]);
    // Heartbeats keep the hook alive in every gap, far inside a 1-hour heartbeat timeout.
    const beats = [10, ...r.lifecycleActions.filter((a) => a.action === 'heartbeat').map((a) => a.t), completions[0]!.t];
    for (let i = 1; i < beats.length; i++) expect(beats[i]! - beats[i - 1]!).toBeLessThan(3600);
    expect(evictions(r, 'default/batch-1')).toHaveLength(1);
    // The continuation saw the pods already terminating; the result keeps what happened to them.
    expect(r.pods['default/batch-1']).toMatchObject({ outcome: 'evicted', lifeguard: { outcome: 'evicted' } });
    const secondLook = r.invocations.find((i) => i.trigger === 'continuation')!.report!.instances[0]!.drain!;
    expect(secondLook.pods.find((p) => p.name === 'batch-1')).toMatchObject({ outcome: 'skipped', reason: 'already terminating' });
  });

  it('a lifecycle drain handed over once and finished well inside the hook meets its deadline: the hand-over is no miss', async () => {
    const slow = web('batch-1', SPOT_NODE, { terminationGracePeriodSeconds: 1200, shutdownSeconds: 1000 });
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: [slow, web('web-b', OTHER_NODE)] },
      events: [{ at: 10, event: lifecycleAction() }],
      until: 3600,
    });
    expect(r.invocations.map((i) => `${i.trigger}:${i.report?.instances[0]?.status}`)).toEqual(['event:handed-over', 'continuation:drained']);
    const [first, last] = r.invocations.map((i) => i.report!);
    // The first invocation stopped before the drain ended: it neither met nor missed the deadline.
    expect(first!.instances[0]!.drain).toMatchObject({ incomplete: 'hand-over', allGone: false, deadlineMet: null });
    expect(last!.instances[0]!.drain).toMatchObject({ allGone: true, deadlineMet: true });
    const metrics: string[] = [];
    for (const report of [first!, last!]) recordInterruptionMetrics(report, { addMetric: (name) => void metrics.push(name) });
    expect(metrics).toContain('DrainsHandedOver');
    expect(metrics).not.toContain('DeadlineMisses');
    expect(r.lifecycleActions.filter((a) => a.action === 'complete')).toEqual([expect.objectContaining({ result: 'CONTINUE' })]);
    expect(r.summary).toMatchObject({ deadlineMet: true, podsKilledAtDeadline: 0, errors: [] });
  });

  it('a 30 % API fault rate: the drain completes and meets the deadline', async () => {
    const r = await simulate({
      seed: 1,
      cluster: { name: 'spark', nodes, pods: sparkPods(), api: { latencyMs: 5, faults: { rate: 0.3, statuses: [429, 500, 503, 'reset'], retryAfterSeconds: 1 } } },
      events: [{ at: 10, event: spotWarning() }],
      until: 300,
    });
    expect(r.timeline.filter((e) => e.action === 'fault').length).toBeGreaterThan(3);
    expect(r.summary.deadlineMet).toBe(true);
    expect(r.summary.podsKilledAtDeadline).toBe(0);
    for (const pod of ['spark/exec-1', 'spark/exec-2', 'default/web-a']) expect(r.pods[pod]!.outcome).toBe('evicted');
  });

  it('a notice that keeps failing comes back after its retry delay, doubled each time, and after maxReceiveCount receives goes to the dead-letter queue', async () => {
    // Every node patch is forbidden: a permanent error, so each attempt fails.
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods(), api: { latencyMs: 5, faults: { rate: 1, statuses: [403], only: ['patch-node'] } } },
      events: [{ at: 10, event: rebalance() }],
      queue: { maxReceiveCount: 4 },
      until: 400,
    });
    expect(r.invocations.map((i) => `${i.trigger}:${i.attempt}`)).toEqual(['event:1', 'retry:2', 'retry:3', 'retry:4']);
    const gaps = r.invocations.slice(1).map((i, n) => i.startedAt - r.invocations[n]!.endedAt!);
    expect(gaps).toEqual([10_000, 20_000, 40_000]);
    const deadLetter = r.timeline.find((e) => e.actor === 'sqs' && e.action === 'dead-letter')!;
    expect(deadLetter.detail).toMatch(/\(event 0\): received 4 times without success/);
    expect(r.load!.queue).toMatchObject({ sent: 1, received: 4, deadLettered: 1, deleted: 0 });
    expect(r.summary.deadlineMet).toBe(false);
  });

  it('a delivery invoked directly (no queue) that keeps failing is retried twice by Lambda, a minute then two apart, and then counts as failed', async () => {
    // Every node patch is forbidden: a permanent error, so each attempt fails.
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: sparkPods(), api: { latencyMs: 5, faults: { rate: 1, statuses: [403], only: ['patch-node'] } } },
      events: [{ at: 10, event: rebalance() }],
      queue: false,
      until: 400,
    });
    const attempts = r.invocations.map((i) => `${i.trigger}:${i.attempt}`);
    expect(attempts).toEqual(['event:1', 'retry:2', 'retry:3']);
    expect(r.invocations[1]!.startedAt - r.invocations[0]!.endedAt!).toBe(60_000);
    expect(r.invocations[2]!.startedAt - r.invocations[1]!.endedAt!).toBe(120_000);
    expect(r.summary.deadlineMet).toBe(false);
  });
});

describe('the result tells the truth', () => {
  it('counts as decommissioned only executors with the hook, never a DaemonSet pod as killed at the deadline', async () => {
    const r = await simulate({
      cluster: {
        name: 'spark',
        nodes,
        pods: [
          executor('exec-1'),
          executor('exec-2', SPOT_NODE, { preStop: undefined, shutdownSeconds: 5 }),
          { name: 'log-agent', namespace: 'kube-system', node: SPOT_NODE, owner: { kind: 'DaemonSet', name: 'log-agent' } },
        ],
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 300,
    });
    expect(r.summary).toMatchObject({ executorsDecommissioned: 1, podsKilledAtDeadline: 0, deadlineMet: true });
    expect(r.pods['spark/exec-2']!.outcome).toBe('evicted');
    expect(r.pods['kube-system/log-agent']).toMatchObject({ outcome: 'skipped', ending: 'killed' });
  });

  it('a stopping instance ("now") whose pods all left within their grace is no deadline miss', async () => {
    const r = await simulate({
      cluster: { name: 'spark', nodes, pods: [executor('exec-1', SPOT_NODE, { terminationGracePeriodSeconds: 60, shutdownSeconds: 20 })] },
      events: [{ at: 5, event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': SPOT_INSTANCE, state: 'stopping' } } }],
      until: 120,
    });
    expect(r.summary.deadlineMet).toBe(true);
    expect(r.pods['spark/exec-1']).toMatchObject({ outcome: 'evicted', ending: 'exited' });
  });

  it('nothing to drain reads n/a, not "met"', async () => {
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: [web('web-a', OTHER_NODE)] }, events: [{ at: 10, event: spotWarning() }], until: 200 });
    expect(r.summary.deadlineMet).toBeNull();
    const typo = await simulate({ cluster: { name: 'spark', nodes, pods: sparkPods() }, events: [{ at: 10, event: { ...spotWarning(), 'detail-type': 'EC2 Spot Instance Interruption Warnin' } }], until: 200 });
    expect(typo.summary.deadlineMet).toBeNull();
    expect(typo.invocations).toHaveLength(0);
  });
});
