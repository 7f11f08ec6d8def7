import { describe, expect, it } from 'vitest';
import type { RtoReport } from '../../lib/dr/rto.ts';
import { CLUSTER_TAG, STANDBY_TAG } from '../../lib/dr/tags.ts';
import type { FailoverResult } from '../../sandbox/dr/runner.ts';
import { expectNeverWithoutHealthyTarget, THREE_ZONES, LIVY_TG, OLD_ID, OLD_IP, outage, RM_TG, run, scenario, targetIps } from './fixtures.ts';

/**
 * The warm standby (dr.clusters[].standby): the real failover definition in the DR sandbox, with a
 * small running cluster in another zone. It takes over when it is healthy and outside the failed
 * zone; otherwise the failover creates a replacement, and the standby is never touched.
 */

const STANDBY_ID = 'j-STANDBY0001';
const STANDBY_IP = '10.0.2.20';
const standby = (overrides: Record<string, unknown> = {}) => ({
  id: STANDBY_ID,
  subnetId: 'subnet-0bbb2222',
  master: { ip: STANDBY_IP, instanceId: 'i-0bbb2222' },
  instanceCounts: { core: 1, task: 1 },
  ...overrides,
});
const cluster = (standbyOverrides: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({
  health: [{ at: 5, ...outage }],
  made: { instanceCounts: { core: 6, task: 4 } },
  standby: standby(standbyOverrides),
  ...more,
});

const report = (result: FailoverResult) => result.events.find((e) => e.detailType === 'Failover Completed')?.detail as RtoReport | undefined;
const calls = (result: FailoverResult, action: string) => result.calls.filter((c) => c.action === action);
const registeredIps = (result: FailoverResult) => calls(result, 'RegisterTargets').flatMap((c) => (c.input as { Targets: Array<{ Id: string }> }).Targets.map((t) => t.Id));
const standbyView = (result: FailoverResult) => result.clusters[STANDBY_ID]!;

/** The standby is left exactly as it was: never registered, grown or terminated. */
function expectStandbyUntouched(result: FailoverResult): void {
  expect(registeredIps(result)).not.toContain(STANDBY_IP);
  expect(calls(result, 'ModifyInstanceGroups')).toEqual([]);
  const changed = [...calls(result, 'TerminateJobFlows'), ...calls(result, 'SetTerminationProtection')].filter((c) => JSON.stringify(c.input).includes(STANDBY_ID));
  expect(changed).toEqual([]);
  expect(standbyView(result).state).toBe('WAITING');
}

describe('warm standby failover (real ASL, DR sandbox)', () => {
  it('switches the target groups to a healthy standby, grows it, retires the old cluster and starts the next standby', async () => {
    const result = await run(scenario(THREE_ZONES, cluster({ rearm: true })));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([STANDBY_IP]);
    expectNeverWithoutHealthyTarget(result);

    const done = report(result)!;
    expect(done.path).toBe('standby');
    expect(done.newClusterId).toBe(STANDBY_ID);
    expect(done.availabilityZone).toBe('us-east-1b');
    expect(done.attempts).toEqual([]);
    expect(calls(result, 'RunJobFlow')).toHaveLength(1); // the rearm, nothing else

    // Grown to the source's 6 core and 4 task instances, without waiting for them.
    expect(calls(result, 'ModifyInstanceGroups').map((c) => c.input)).toEqual([
      { ClusterId: STANDBY_ID, InstanceGroups: [{ InstanceGroupId: `ig-${STANDBY_ID}-c`, InstanceCount: 6 }, { InstanceGroupId: `ig-${STANDBY_ID}-t`, InstanceCount: 4 }] },
    ]);
    expect(standbyView(result).instanceGroups.filter((g) => g.type !== 'MASTER').map((g) => g.requested)).toEqual([6, 4]);
    expect(done.standby).toMatchObject({ clusterId: STANDBY_ID, used: true, grown: { instanceGroups: [{ InstanceCount: 6 }, { InstanceCount: 4 }] } });

    // The old cluster is retired; the standby is not.
    expect(result.clusters[OLD_ID]!.state).toBe('TERMINATED');
    expect(standbyView(result).state).toBe('WAITING');

    // The next standby: small like this one, tagged as a standby, in the third zone.
    const rearm = calls(result, 'RunJobFlow')[0]!.input as { Instances: { Ec2SubnetId: string; InstanceGroups: Array<{ InstanceRole: string; InstanceCount: number }> }; Tags: Array<{ Key: string; Value: string }> };
    expect(rearm.Instances.Ec2SubnetId).toBe('subnet-0ccc3333');
    expect(rearm.Instances.InstanceGroups.map((g) => [g.InstanceRole, g.InstanceCount])).toEqual([['MASTER', 1], ['CORE', 1], ['TASK', 1]]);
    expect(rearm.Tags).toEqual(expect.arrayContaining([{ Key: CLUSTER_TAG, Value: 'analytics' }, { Key: STANDBY_TAG, Value: 'analytics' }]));
    expect(done.standby?.rearmed).toEqual({ clusterId: expect.stringMatching(/^j-/), zone: 'us-east-1c' });
  });

  it('restores service within 90 s of the confirmation', async () => {
    const result = await run(scenario(THREE_ZONES, cluster()));
    const { phases } = report(result)!;
    expect(phases.create + phases.register + phases.healthy).toBeLessThanOrEqual(90);
  });

  it('a standby inside the failed zone: a replacement is created, the standby untouched', async () => {
    const result = await run(scenario(THREE_ZONES, cluster({ subnetId: 'subnet-0aaa1111', master: { ip: '10.0.1.20', instanceId: 'i-0aaa2222' } })));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    const done = report(result)!;
    expect(done.path).toBe('cold');
    expect(done.standby).toMatchObject({ used: false, why: `standby ${STANDBY_ID} is in the failed zone us-east-1a` });
    expect(registeredIps(result)).not.toContain('10.0.1.20');
    expect(calls(result, 'ModifyInstanceGroups')).toEqual([]);
    expectNeverWithoutHealthyTarget(result);
  });

  it('an unhealthy standby: two probes, then a replacement; the standby is never registered', async () => {
    const result = await run(scenario(THREE_ZONES, cluster({ health: [{ at: 0, resourceManager: 'down' }] })));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    const done = report(result)!;
    expect(done.path).toBe('cold');
    expect(done.standby?.why).toMatch(/^StandbyUnhealthy: standby j-STANDBY0001 \(10\.0\.2\.20\) unhealthy in 2 probe\(s\)/);
    expect(result.executions[0]!.states.filter((s) => s.state === 'CheckStandby' && s.event === 'entered')).toHaveLength(2);
    expectStandbyUntouched(result);
    expectNeverWithoutHealthyTarget(result);
  });

  it('one failed probe of the standby is a blip, not a reason to create a cluster', async () => {
    // Down only in the seconds of the first probe (the outage is confirmed at 30 s; the second probe follows 5 s later).
    const result = await run(scenario(THREE_ZONES, cluster({ health: [{ at: 29, resourceManager: 'down' }, { at: 33, resourceManager: 'active' }] })));
    expect(report(result)?.path).toBe('standby');
    expect(result.executions[0]!.states.filter((s) => s.state === 'CheckStandby' && s.event === 'entered')).toHaveLength(2);
  });

  it('a standby the load balancer never sees healthy: its targets are rolled back and a replacement created; the standby is kept', async () => {
    const result = await run(scenario(THREE_ZONES, cluster({ targetsNeverHealthy: true })));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    const done = report(result)!;
    expect(done.path).toBe('cold');
    expect(done.standby?.why).toMatch(/^TargetNeverHealthy/);
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([done.newMasterIp]);
    expect(calls(result, 'DeregisterTargets').flatMap((c) => (c.input as { Targets: Array<{ Id: string }> }).Targets.map((t) => t.Id))).toContain(STANDBY_IP);
    expect(calls(result, 'ModifyInstanceGroups')).toEqual([]);
    expect(standbyView(result).state).toBe('WAITING');
    expectNeverWithoutHealthyTarget(result);
  });

  it('no zone fits a replacement: the standby still takes over', async () => {
    const result = await run(scenario({ ...THREE_ZONES, instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'], 'us-east-1c': ['m5.xlarge'] } }, cluster()));
    expect(report(result)?.path).toBe('standby');
    expectNeverWithoutHealthyTarget(result);
  });

  it('no zone fits a replacement and the standby cannot take over: the failover fails before creating anything, saying both', async () => {
    const result = await run(
      scenario({ ...THREE_ZONES, instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'], 'us-east-1c': ['m5.xlarge'] } }, cluster({ subnetId: 'subnet-0aaa1111', master: { ip: '10.0.1.20', instanceId: 'i-0aaa2222' } })),
    );
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('PlanError');
    expect(execution?.error?.cause).toMatch(/no zone fits the replacement .*; and the standby cannot take over: standby j-STANDBY0001 is in the failed zone us-east-1a/);
    expect(calls(result, 'RunJobFlow')).toEqual([]);
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([OLD_IP]);
  });

  it('a source with managed scaling: the standby gets its limits instead of new instance counts', async () => {
    const managedScaling = { unitType: 'Instances', minimumCapacityUnits: 3, maximumCapacityUnits: 20 };
    const result = await run(scenario(THREE_ZONES, cluster({}, { made: { instanceCounts: { core: 6, task: 4 }, managedScaling } })));
    expect(report(result)?.path).toBe('standby');
    expect(calls(result, 'ModifyInstanceGroups')).toEqual([]);
    expect(calls(result, 'PutManagedScalingPolicy').map((c) => c.input)).toEqual([
      { ClusterId: STANDBY_ID, ManagedScalingPolicy: { ComputeLimits: { UnitType: 'Instances', MinimumCapacityUnits: 3, MaximumCapacityUnits: 20 } } },
    ]);
  });

  it('an instance-fleet standby: each core and task fleet raised to the source\'s targets, one ModifyInstanceFleet each; the rearm keeps its small targets', async () => {
    const instanceFleets = [
      { type: 'CORE', instanceTypes: ['r5.2xlarge', { instanceType: 'r5.4xlarge', weightedCapacity: 2 }], onDemand: 6 },
      { type: 'TASK', instanceTypes: ['r5.2xlarge'], onDemand: 2, spot: 8 },
    ];
    const result = await run(scenario(THREE_ZONES, cluster({ rearm: true }, { made: { instanceFleets } })));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    expect(report(result)?.path).toBe('standby');
    expectNeverWithoutHealthyTarget(result);
    expect(calls(result, 'ModifyInstanceGroups')).toEqual([]);
    expect(calls(result, 'ModifyInstanceFleet').map((c) => c.input)).toEqual([
      { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: 'if-STANDBY0001C', TargetOnDemandCapacity: 6, TargetSpotCapacity: 0 } },
      { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: 'if-STANDBY0001T', TargetOnDemandCapacity: 2, TargetSpotCapacity: 8 } },
    ]);
    expect(standbyView(result).instanceFleets.filter((f) => f.type !== 'MASTER').map((f) => [f.targetOnDemand, f.targetSpot])).toEqual([[6, 0], [2, 8]]);
    expect(report(result)?.warnings).toEqual([]);

    // The next standby: the source's fleets at this standby's targets (1 core, 1 task), EMR choosing among the zones left.
    const rearm = calls(result, 'RunJobFlow')[0]!.input as { Instances: { Ec2SubnetIds: string[]; InstanceFleets: Array<{ InstanceFleetType: string; TargetOnDemandCapacity: number; TargetSpotCapacity: number }> } };
    expect(rearm.Instances.Ec2SubnetIds).toEqual(['subnet-0ccc3333']);
    expect(rearm.Instances.InstanceFleets.map((f) => [f.InstanceFleetType, f.TargetOnDemandCapacity, f.TargetSpotCapacity])).toEqual([['MASTER', 1, 0], ['CORE', 1, 0], ['TASK', 1, 0]]);
  });

  it('the load balancer\'s registration time counts in the restore: service is back only once the group checks the standby', async () => {
    const slow = await run(scenario({ ...THREE_ZONES, targetGroups: scenario().targetGroups.map((g) => ({ ...g, registrationSeconds: 180 })) }, cluster()));
    const fast = await run(scenario(THREE_ZONES, cluster()));
    const restored = (r: FailoverResult) => report(r)!.phases.register + report(r)!.phases.healthy;
    expect(report(slow)?.path).toBe('standby');
    expect(restored(slow) - restored(fast)).toBeGreaterThanOrEqual(180);
    expectNeverWithoutHealthyTarget(slow);
  });

  it('a second outage, of the cluster the standby became, fails over to the standby the first one started', async () => {
    const result = await run(
      scenario(
        {
          ...THREE_ZONES,
          impairedZones: [],
          // The rearmed standby (the first cluster this run creates) stays healthy.
          emr: { provisioningSeconds: 600, replacements: [{ health: [] }] },
          triggers: [{ at: 10, mode: 'failover' }, { at: 1500, mode: 'failover' }],
        },
        cluster({ rearm: true, health: [{ at: 1400, ...outage }] }),
      ),
    );
    expect(result.executions.map((e) => e.outcome)).toEqual(['FailoverCompleted', 'FailoverCompleted']);
    const second = result.executions[1]!.output as { report: RtoReport };
    const rearmed = report(result)!.standby!.rearmed!.clusterId;
    expect(second.report).toMatchObject({ path: 'standby', oldClusterId: STANDBY_ID, newClusterId: rearmed });
    expect(result.clusters[rearmed]!.zone).toBe('us-east-1c');
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([result.clusters[rearmed]!.masterIp]);
    expectNeverWithoutHealthyTarget(result);
  });
});
