import { describe, expect, it } from 'vitest';
import { CLUSTER_TAG, STANDBY_TAG } from '../../../lib/dr/tags.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { clusterHealth } from '../../../sandbox/dr/master-health.ts';
import { runFailoverScenario, sandboxDrConfig } from '../../../sandbox/dr/runner.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../../sandbox/dr/scenario.ts';
import { CallLog } from '../../../sandbox/dr/service-error.ts';
import { buildDrWorld } from '../../../sandbox/dr/world.ts';
import { PROTECTED, refusal, TG, threeZoneSpec } from '../../support/dr-sandbox-spec.ts';
import { iamRequests } from '../../support/iam/requests.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const STANDBY_ID = 'j-STANDBY0001';
const standby = { id: STANDBY_ID, subnetId: 'subnet-0bbb2222', master: { ip: '10.0.2.20', instanceId: 'i-0bbb2222' } };
const down = { resourceManager: 'down', nameNode: 'down', livy: 'down' } as const;
const allUp = { resourceManager: 'active', nameNode: 'active', livy: 'up' };

const spec = threeZoneSpec;

/** The scenario's world at its start, on a clock the test moves (`at(seconds)`). */
function world(input: DrScenarioSpec) {
  const scenario = drScenarioSchema.parse(input);
  let now = T0;
  const log = new CallLog(() => (now - T0) / 1000);
  const { emr } = buildDrWorld(scenario, { t0: T0, now: () => now, log });
  return {
    scenario,
    emr,
    log,
    at: (seconds: number) => {
      now = T0 + seconds * 1000;
    },
    call: (action: string, input: Record<string, unknown>) => emr.call(action, input, 'stateMachine') as Record<string, unknown>,
    groups: (clusterId: string) =>
      (emr.call('ListInstanceGroups', { ClusterId: clusterId }) as { InstanceGroups: Array<Record<string, unknown>> }).InstanceGroups.map((g) => ({
        id: g.Id,
        type: g.InstanceGroupType,
        requested: g.RequestedInstanceCount,
        running: g.RunningInstanceCount,
        state: (g.Status as { State: string }).State,
      })),
  };
}

describe('scenario emr.clusters[].standby and made.instanceCounts', () => {
  it('defaults to what every scenario had: 2 core instances, no task group, no managed scaling, no standby, 300 s resizes', () => {
    const parsed = drScenarioSchema.parse(spec());
    expect(parsed.clusters[0]!.made.instanceCounts).toEqual({ core: 2, task: 0 });
    expect(parsed.clusters[0]!.made.managedScaling).toBeUndefined();
    expect(parsed.clusters[0]!.standby).toBeUndefined();
    expect(parsed.emr.resizeSeconds).toBe(300);
  });

  it('gives a standby one core instance, its own 300 s resize, all up and no rearm unless told', () => {
    const parsed = drScenarioSchema.parse(spec({ standby }));
    expect(parsed.clusters[0]!.standby).toEqual({ ...standby, health: [], instanceCounts: { core: 1, task: 0 }, resizeSeconds: 300, rearm: false, targetsNeverHealthy: false });
  });

  it('refuses a standby in a subnet the scenario does not have, naming the field', () => {
    const parsed = drScenarioSchema.safeParse(spec({ standby: { ...standby, subnetId: 'subnet-0fff9999' } }));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['clusters.0.standby.subnetId', "'subnet-0fff9999' is not one of the subnets"]]);
  });

  it('refuses a standby that reuses a cluster id, and unknown standby fields', () => {
    const reused = drScenarioSchema.safeParse(spec({ standby: { ...standby, id: PROTECTED } }));
    expect(reused.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['clusters.0.standby.id', `'${PROTECTED}' is already clusters.0.id: give the standby its own cluster id`]]);
    const unknown = drScenarioSchema.safeParse(spec({ standby: { ...standby, size: 3 } }));
    expect(unknown.error!.issues.map((i) => i.path.join('.'))).toEqual(['clusters.0.standby']);
  });

  it('refuses managed scaling whose minimum exceeds its maximum', () => {
    const parsed = drScenarioSchema.safeParse(spec({ made: { managedScaling: { unitType: 'Instances', minimumCapacityUnits: 8, maximumCapacityUnits: 4 } } }));
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['clusters.0.made.managedScaling.maximumCapacityUnits', 'minimumCapacityUnits must not exceed maximumCapacityUnits']]);
  });
});

describe('the standby in the sandbox world', () => {
  it('runs from long before the start, protected, in its zone, tagged with its cluster and as its standby', () => {
    const w = world(spec({ standby, made: { instanceTypes: { master: 'm5.2xlarge', core: 'r5.4xlarge' } } }));
    const described = (w.call('DescribeCluster', { ClusterId: STANDBY_ID }).Cluster ?? {}) as Record<string, unknown>;
    expect(described).toMatchObject({ Id: STANDBY_ID, Status: { State: 'WAITING' }, TerminationProtected: true, Ec2InstanceAttributes: { Ec2SubnetId: 'subnet-0bbb2222', Ec2AvailabilityZone: 'us-east-1b' } });
    expect(described.Tags).toEqual([
      { Key: CLUSTER_TAG, Value: 'analytics' },
      { Key: STANDBY_TAG, Value: 'analytics' },
    ]);
    // Made as its cluster (instance types), but small.
    expect(w.groups(STANDBY_ID)).toEqual([
      { id: `ig-${STANDBY_ID}-m`, type: 'MASTER', requested: 1, running: 1, state: 'RUNNING' },
      { id: `ig-${STANDBY_ID}-c`, type: 'CORE', requested: 1, running: 1, state: 'RUNNING' },
    ]);
    const listed = (w.call('ListInstanceGroups', { ClusterId: STANDBY_ID }).InstanceGroups as Array<Record<string, unknown>>).map((g) => g.InstanceType);
    expect(listed).toEqual(['m5.2xlarge', 'r5.4xlarge']);
    expect(w.emr.clusters.get(PROTECTED)!.tags).toEqual({ [CLUSTER_TAG]: 'analytics' });
  });

  it("follows its own health timeline, the protected cluster its own, and is down once the world ends it", () => {
    const w = world(spec({ health: [{ at: 30, ...down }], standby: { ...standby, health: [{ at: 60, livy: 'down' }], failsAt: 120 } }));
    const health = clusterHealth(w.scenario, w.emr, T0);
    const standbyCluster = w.emr.clusters.get(STANDBY_ID)!;
    const protectedCluster = w.emr.clusters.get(PROTECTED)!;
    expect(health(standbyCluster, T0 + 45_000)).toEqual(allUp);
    expect(health(protectedCluster, T0 + 45_000)).toEqual(down);
    expect(health(standbyCluster, T0 + 90_000)).toEqual({ ...allUp, livy: 'down' });
    expect(w.emr.state(standbyCluster, T0 + 120_000)).toBe('TERMINATED_WITH_ERRORS');
    expect(health(standbyCluster, T0 + 120_000)).toEqual(down);
  });

  it('gives a standby created by RunJobFlow (a rearm) the next emr.replacements timeline', () => {
    const w = world(spec({ standby }, { emr: { replacements: [{ health: [{ at: 900, nameNode: 'safemode' }] }] } }));
    w.at(10);
    const created = w.call('RunJobFlow', {
      Name: 'analytics-standby-2',
      Instances: { Ec2SubnetId: 'subnet-0ccc3333' },
      Tags: [
        { Key: CLUSTER_TAG, Value: 'analytics' },
        { Key: STANDBY_TAG, Value: 'analytics' },
      ],
    });
    const rearmed = w.emr.clusters.get(String(created.JobFlowId))!;
    const health = clusterHealth(w.scenario, w.emr, T0);
    expect(health(rearmed, T0 + 800_000)).toEqual(allUp);
    expect(health(rearmed, T0 + 1_000_000)).toEqual({ ...allUp, nameNode: 'safemode' });
    expect(rearmed.tags[STANDBY_TAG]).toBe('analytics');
  });

  it('is named in the dr configuration the scenario implies', () => {
    expect(sandboxDrConfig(drScenarioSchema.parse(spec({ standby: { ...standby, rearm: true } }))).clusters[0]!.standby).toEqual({ clusterId: STANDBY_ID, rearm: true });
    expect(sandboxDrConfig(drScenarioSchema.parse(spec())).clusters[0]!.standby).toBeUndefined();
  });
});

describe('sandbox EMR instance groups', () => {
  it('lists MASTER, CORE and a TASK group only when the cluster has task instances', () => {
    expect(world(spec()).groups(PROTECTED).map((g) => [g.type, g.requested, g.running, g.state])).toEqual([
      ['MASTER', 1, 1, 'RUNNING'],
      ['CORE', 2, 2, 'RUNNING'],
    ]);
    expect(world(spec({ made: { instanceCounts: { core: 4, task: 6 } } })).groups(PROTECTED).map((g) => [g.type, g.requested, g.running])).toEqual([
      ['MASTER', 1, 1],
      ['CORE', 4, 4],
      ['TASK', 6, 6],
    ]);
  });

  it("grows a group at once in its request and resizeSeconds later in what runs; a shrink runs at once", () => {
    const w = world(spec({ standby: { ...standby, instanceCounts: { core: 1, task: 1 }, resizeSeconds: 120 } }));
    w.at(10);
    w.call('ModifyInstanceGroups', {
      ClusterId: STANDBY_ID,
      InstanceGroups: [
        { InstanceGroupId: `ig-${STANDBY_ID}-c`, InstanceCount: 4 },
        { InstanceGroupId: `ig-${STANDBY_ID}-t`, InstanceCount: 6 },
      ],
    });
    const counts = () => w.groups(STANDBY_ID).map((g) => [g.type, g.requested, g.running, g.state]);
    expect(counts()).toEqual([
      ['MASTER', 1, 1, 'RUNNING'],
      ['CORE', 4, 1, 'RESIZING'],
      ['TASK', 6, 1, 'RESIZING'],
    ]);
    w.at(129.9);
    expect(counts().slice(1)).toEqual([
      ['CORE', 4, 1, 'RESIZING'],
      ['TASK', 6, 1, 'RESIZING'],
    ]);
    w.at(130);
    expect(counts().slice(1)).toEqual([
      ['CORE', 4, 4, 'RUNNING'],
      ['TASK', 6, 6, 'RUNNING'],
    ]);
    w.call('ModifyInstanceGroups', { ClusterId: STANDBY_ID, InstanceGroups: [{ InstanceGroupId: `ig-${STANDBY_ID}-t`, InstanceCount: 2 }] });
    expect(counts()[2]).toEqual(['TASK', 2, 2, 'RUNNING']);
  });

  it('resizes a cluster that is not a standby in emr.resizeSeconds', () => {
    const w = world(spec({}, { emr: { resizeSeconds: 60 } }));
    w.call('ModifyInstanceGroups', { ClusterId: PROTECTED, InstanceGroups: [{ InstanceGroupId: `ig-${PROTECTED}-c`, InstanceCount: 3 }] });
    w.at(59);
    expect(w.groups(PROTECTED)[1]).toMatchObject({ requested: 3, running: 2, state: 'RESIZING' });
    w.at(60);
    expect(w.groups(PROTECTED)[1]).toMatchObject({ requested: 3, running: 3, state: 'RUNNING' });
  });

  it('refuses, as EMR does, an unknown group, the MASTER group and a cluster that is not running or waiting, changing nothing', () => {
    const w = world(spec({ standby: { ...standby, failsAt: 100 } }));
    const modify = (clusterId: string, ...groups: Array<{ InstanceGroupId: string; InstanceCount: number }>) => () => w.call('ModifyInstanceGroups', { ClusterId: clusterId, InstanceGroups: groups });
    const core = { InstanceGroupId: `ig-${STANDBY_ID}-c`, InstanceCount: 5 };
    expect(refusal(modify(STANDBY_ID, core, { InstanceGroupId: 'ig-NOSUCHGROUP', InstanceCount: 2 }))).toEqual({
      name: 'ValidationException',
      message: 'Instance group ig-NOSUCHGROUP does not exist in this cluster',
    });
    // Another cluster's group is not this cluster's.
    expect(refusal(modify(STANDBY_ID, { InstanceGroupId: `ig-${PROTECTED}-c`, InstanceCount: 2 })).message).toBe(`Instance group ig-${PROTECTED}-c does not exist in this cluster`);
    expect(refusal(modify(STANDBY_ID, core, { InstanceGroupId: `ig-${STANDBY_ID}-m`, InstanceCount: 2 }))).toEqual({
      name: 'ValidationException',
      message: `Instance group ig-${STANDBY_ID}-m is the MASTER instance group, whose instance count cannot be modified`,
    });
    expect(w.groups(STANDBY_ID)[1]).toMatchObject({ requested: 1, running: 1 });
    w.at(100);
    expect(refusal(modify(STANDBY_ID, core))).toEqual({ name: 'ValidationException', message: 'An instance group may only be modified when the cluster is running or waiting' });
    expect(w.log.calls.filter((c) => c.action === 'ModifyInstanceGroups').map((c) => c.error)).toEqual(['ValidationException', 'ValidationException', 'ValidationException', 'ValidationException']);
  });

  it("gives a cluster RunJobFlow creates the groups and counts its request asks for", () => {
    const w = world(spec());
    const created = w.call('RunJobFlow', {
      Name: 'analytics-dr',
      Instances: {
        Ec2SubnetId: 'subnet-0bbb2222',
        InstanceGroups: [
          { InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1, Name: 'Primary' },
          { InstanceRole: 'CORE', InstanceType: 'r5.4xlarge', InstanceCount: 5, Name: 'Core' },
          { InstanceRole: 'TASK', InstanceType: 'r5.4xlarge', InstanceCount: 8, Name: 'Spot task', Market: 'SPOT' },
        ],
      },
    });
    const id = String(created.JobFlowId);
    w.at(60);
    expect(w.groups(id).map((g) => [g.type, g.requested, g.running, g.state])).toEqual([
      ['MASTER', 1, 0, 'BOOTSTRAPPING'],
      ['CORE', 5, 0, 'BOOTSTRAPPING'],
      ['TASK', 8, 0, 'BOOTSTRAPPING'],
    ]);
    w.at(600);
    const listed = w.call('ListInstanceGroups', { ClusterId: id }).InstanceGroups as Array<Record<string, unknown>>;
    expect(listed[2]).toEqual({
      Id: `ig-${id}-t`,
      Name: 'Spot task',
      InstanceGroupType: 'TASK',
      InstanceType: 'r5.4xlarge',
      Market: 'SPOT',
      RequestedInstanceCount: 8,
      RunningInstanceCount: 8,
      Status: { State: 'RUNNING' },
    });
  });
});

describe('sandbox EMR managed scaling', () => {
  const limits = { UnitType: 'Instances', MinimumCapacityUnits: 2, MaximumCapacityUnits: 20, MaximumCoreCapacityUnits: 4 };

  it("answers the scenario's policy in EMR's spelling, none otherwise, and stores a policy put", () => {
    const w = world(spec({ standby, made: { managedScaling: { unitType: 'VCPU', minimumCapacityUnits: 16, maximumCapacityUnits: 128, maximumOnDemandCapacityUnits: 32 } } }));
    expect(w.call('GetManagedScalingPolicy', { ClusterId: PROTECTED })).toEqual({
      ManagedScalingPolicy: { ComputeLimits: { UnitType: 'VCPU', MinimumCapacityUnits: 16, MaximumCapacityUnits: 128, MaximumOnDemandCapacityUnits: 32 } },
    });
    const plain = world(spec({ standby }));
    expect(plain.call('GetManagedScalingPolicy', { ClusterId: STANDBY_ID })).toEqual({});
    expect(plain.call('PutManagedScalingPolicy', { ClusterId: STANDBY_ID, ManagedScalingPolicy: { ComputeLimits: limits } })).toEqual({});
    expect(plain.call('GetManagedScalingPolicy', { ClusterId: STANDBY_ID })).toEqual({ ManagedScalingPolicy: { ComputeLimits: limits } });
  });

  it('refuses limits EMR refuses and keeps the policy it had', () => {
    const w = world(spec({ standby }));
    w.call('PutManagedScalingPolicy', { ClusterId: STANDBY_ID, ManagedScalingPolicy: { ComputeLimits: limits } });
    const put = (ComputeLimits: unknown) => () => w.call('PutManagedScalingPolicy', { ClusterId: STANDBY_ID, ManagedScalingPolicy: { ComputeLimits } });
    expect(refusal(put({ ...limits, MinimumCapacityUnits: 30 }))).toEqual({ name: 'ValidationException', message: 'ComputeLimits.MinimumCapacityUnits (30) must not exceed MaximumCapacityUnits (20)' });
    expect(refusal(put({ MinimumCapacityUnits: 2, MaximumCapacityUnits: 20 })).message).toBe("ComputeLimits.UnitType 'undefined' is not one of Instances, InstanceFleetUnits, VCPU");
    expect(refusal(put({ UnitType: 'Instances', MinimumCapacityUnits: 2 })).message).toBe('ComputeLimits.MaximumCapacityUnits is required: a whole number of units');
    expect(refusal(() => w.call('PutManagedScalingPolicy', { ClusterId: STANDBY_ID })).message).toBe('ManagedScalingPolicy.ComputeLimits is required');
    expect(w.call('GetManagedScalingPolicy', { ClusterId: STANDBY_ID })).toEqual({ ManagedScalingPolicy: { ComputeLimits: limits } });
  });
});

describe('the new EMR calls in the IAM simulation', () => {
  it('are authorized on the cluster, with its tags', () => {
    const world = { partition: 'aws', region: 'us-east-1', account: '123456789012', instanceProfileRole: (p: string) => p };
    for (const operation of ['ModifyInstanceGroups', 'PutManagedScalingPolicy']) {
      const requests = iamRequests(
        { caller: { stateMachine: 'failover' }, service: 'elasticmapreduce', operation, input: { ClusterId: STANDBY_ID }, resourceTags: { [STANDBY_ID]: { [STANDBY_TAG]: 'analytics' } } },
        world,
      );
      expect(requests).toEqual([
        {
          action: `elasticmapreduce:${operation}`,
          resource: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${STANDBY_ID}`,
          context: { [`aws:ResourceTag/${STANDBY_TAG}`]: 'analytics', [`elasticmapreduce:ResourceTag/${STANDBY_TAG}`]: 'analytics' },
        },
      ]);
    }
  });
});

describe('a failover run with a standby', () => {
  it("reports each cluster's instance groups and the standby's cluster; the standby's master is in no target group at the start", async () => {
    const result = await runFailoverScenario(spec({ health: [{ at: 5, ...down }], standby }), { clock: new VirtualClock() });
    // The standby took over and was asked to grow to the source's 2 core instances (not waited for).
    expect(result.clusters[STANDBY_ID]).toMatchObject({
      state: 'WAITING',
      zone: 'us-east-1b',
      standbyOf: 'analytics',
      instanceGroups: [
        { type: 'MASTER', requested: 1, running: 1 },
        { type: 'CORE', requested: 2 },
      ],
    });
    // The failover retired the old cluster (nothing runs) and created none.
    expect(result.clusters[PROTECTED]).toMatchObject({ state: 'TERMINATED', standbyOf: null, instanceGroups: [{ type: 'MASTER', requested: 1, running: 0 }, { type: 'CORE', requested: 2, running: 0 }] });
    expect(Object.values(result.clusters).filter((c) => c.replaces === PROTECTED)).toEqual([]);
    expect(result.targetHealth[TG]![0]!.targets.map((t) => t.ip)).toEqual(['10.0.1.10']);
  });
});
