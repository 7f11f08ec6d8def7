import { describe, expect, it } from 'vitest';
import { drConfigSchema, type DrConfig } from '../../../lib/config/dr.ts';
import { planFailover } from '../../../lib/dr/plan.ts';
import { CLUSTER_TAG, STANDBY_TAG } from '../../../lib/dr/tags.ts';
import type { DrScenarioSpec } from '../../../sandbox/dr/scenario.ts';
import { drSandboxWorld, type DrSandboxWorld } from '../../support/dr-sandbox-world.ts';

/**
 * Which warm standby the plan finds and whether it can take over (lib/dr/standby.ts), against the
 * DR sandbox read through the plan Lambda's SDK clients.
 */

const T0 = Date.parse('2026-03-01T00:00:00Z');
const NOW = T0 + 3_600_000;
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';
const SOURCE = 'j-2AXXXXXXGAPLF';
const STANDBY = 'j-3BSTANDBY0001';
const STANDBY_IP = '10.0.2.20';

function scenario(overrides: Partial<DrScenarioSpec> = {}, standby: Record<string, unknown> = {}): DrScenarioSpec {
  return {
    clusters: [
      {
        name: 'analytics',
        id: SOURCE,
        subnetId: 'subnet-0aaa1111',
        master: { ip: '10.0.1.10', instanceId: 'i-0aaa1111' },
        targetGroups: [TG],
        made: { instanceCounts: { core: 6, task: 4 } },
        standby: { id: STANDBY, subnetId: 'subnet-0bbb2222', master: { ip: STANDBY_IP, instanceId: 'i-0bbb2222' }, instanceCounts: { core: 1, task: 1 }, ...standby },
      },
    ],
    subnets: [
      { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1' },
      { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2' },
      { id: 'subnet-0ccc3333', zone: 'us-east-1c', cidrPrefix: '10.0.3' },
    ],
    impairedZones: ['us-east-1a'],
    targetGroups: [{ arn: TG, port: 8998 }],
    triggers: [{ at: 0 }],
    ...overrides,
  };
}

const config = (rearm = false): DrConfig =>
  drConfigSchema.parse({
    clusters: [
      {
        name: 'analytics',
        clusterId: SOURCE,
        probe: {},
        targetGroups: [{ arn: TG }],
        placement: { candidateSubnetIds: ['subnet-0bbb2222', 'subnet-0ccc3333'] },
        roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
        standby: { clusterId: STANDBY, rearm },
      },
    ],
  });

function world(spec = scenario()): DrSandboxWorld {
  const built = drSandboxWorld(spec, T0);
  built.at(NOW);
  return built;
}

const plan = (w: DrSandboxWorld, rearm = false) => planFailover({ cluster: 'analytics', mode: 'failover' }, { config: config(rearm), ...w.clients, now: () => NOW });

describe('planning the warm standby', () => {
  it('a running, tagged standby in another served zone can take over; its growth and the next standby are planned', async () => {
    const { standby } = await plan(world(), true);
    expect(standby).toMatchObject({
      clusterId: STANDBY,
      zone: 'us-east-1b',
      subnetId: 'subnet-0bbb2222',
      masterIp: STANDBY_IP,
      usable: true,
      grow: { instanceGroups: [{ InstanceGroupId: `ig-${STANDBY}-c`, InstanceCount: 6 }, { InstanceGroupId: `ig-${STANDBY}-t`, InstanceCount: 4 }], managedScaling: null, notGrown: [] },
      rearm: { zone: 'us-east-1c' },
    });
    const next = standby!.rearm!.runJobFlow as { Name: string; Instances: Record<string, unknown>; Tags: Array<{ Key: string; Value: string }>; ManagedScalingPolicy?: unknown };
    expect(next.Name).toBe('analytics-standby-20260301T010000Z');
    expect(next.Instances).toMatchObject({ Ec2SubnetId: 'subnet-0ccc3333', KeepJobFlowAliveWhenNoSteps: true });
    expect(next.Tags).toEqual(expect.arrayContaining([{ Key: CLUSTER_TAG, Value: 'analytics' }, { Key: STANDBY_TAG, Value: 'analytics' }]));
    expect(next.Tags.map((t) => t.Key)).not.toContain('lifeguard:replaces');
  });

  it('a standby with managed scaling of its own: the growth says those limits would undo it', async () => {
    const w = world();
    w.emr.clusters.get(STANDBY)!.managedScalingPolicy = { ComputeLimits: { UnitType: 'Instances', MinimumCapacityUnits: 1, MaximumCapacityUnits: 3 } };
    const { standby } = await plan(w);
    expect(standby?.usable).toBe(true);
    expect(standby?.grow.notGrown).toEqual([
      "its own managed scaling keeps it within 1–3 Instances, which undoes the new capacity: remove the standby's managed scaling policy",
    ]);
  });

  it('an untagged standby cannot take over, and the plan says which tags it needs', async () => {
    const w = world();
    w.emr.clusters.get(STANDBY)!.tags = {};
    const { standby } = await plan(w);
    expect(standby).toMatchObject({ usable: false, masterIp: null, why: `standby ${STANDBY} lacks the tags ${CLUSTER_TAG}=analytics and ${STANDBY_TAG}=analytics, which let Lifeguard grow and later retire it: tag it` });
  });

  it('a standby still bootstrapping cannot take over', async () => {
    const w = world();
    w.emr.clusters.get(STANDBY)!.readyAtMs = NOW + 60_000;
    expect((await plan(w)).standby).toMatchObject({ usable: false, why: `standby ${STANDBY} is BOOTSTRAPPING, not WAITING or RUNNING` });
  });

  it('a standby in a zone the load balancer does not serve cannot take over', async () => {
    const { standby } = await plan(world(scenario({ loadBalancer: { zones: ['us-east-1a', 'us-east-1c'] } })));
    expect(standby).toMatchObject({ usable: false, why: `standby ${STANDBY} is in us-east-1b, which the load balancer does not serve (it serves us-east-1a, us-east-1c)` });
  });

  it('once the standby serves, the next failover plans from it and finds the standby its rearm started, by tag', async () => {
    const w = world();
    // The earlier failover: the standby took over the target group, and a rearm started the next one in us-east-1c.
    w.act('elbv2', 'RegisterTargets', { TargetGroupArn: TG, Targets: [{ Id: STANDBY_IP, Port: 8998 }] });
    w.act('elbv2', 'DeregisterTargets', { TargetGroupArn: TG, Targets: [{ Id: '10.0.1.10', Port: 8998 }] });
    const noneYet = await plan(w);
    expect(noneYet.sourceClusterId).toBe(STANDBY);
    expect(noneYet.standby).toMatchObject({ usable: false, why: `no standby is running: the configured standby ${STANDBY} is the cluster being failed over, and no cluster tagged ${STANDBY_TAG}=analytics is active` });

    const { JobFlowId } = w.act('emr', 'RunJobFlow', {
      Name: 'analytics-standby-20260301T010000Z',
      Instances: { Ec2SubnetId: 'subnet-0ccc3333', KeepJobFlowAliveWhenNoSteps: true },
      Tags: [{ Key: CLUSTER_TAG, Value: 'analytics' }, { Key: STANDBY_TAG, Value: 'analytics' }],
    }) as { JobFlowId: string };
    w.at(NOW + 3_600_000);
    const next = await plan(w);
    expect(next.sourceClusterId).toBe(STANDBY);
    expect(next.standby).toMatchObject({ clusterId: JobFlowId, zone: 'us-east-1c', usable: true });
  });
});
