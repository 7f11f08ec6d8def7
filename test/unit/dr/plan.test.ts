import { beforeEach, describe, expect, it } from 'vitest';
import { drConfigSchema, type DrConfig } from '../../../lib/config/dr.ts';
import { planFailover, PlanError, replacementName, type TypedFailoverPlan } from '../../../lib/dr/plan.ts';
import type { FailoverPlan } from '../../../lib/dr/types.ts';
import type { DrScenarioSpec } from '../../../sandbox/dr/scenario.ts';
import { drSandboxWorld, SANDBOX_NLB, type DrSandboxWorld } from '../../support/dr-sandbox-world.ts';

/**
 * planFailover against the DR sandbox: the scenario below is the account (subnets, zones, the EMR
 * clusters, the NLB and its target groups), read through the SDK clients the plan Lambda uses.
 * Clusters the sandbox cannot describe (a full clone, Kerberos, masters without an IP) are planned
 * from recorded responses in plan-clone.test.ts.
 */

const NOW = Date.parse('2026-03-01T12:00:00Z');
/** The scenario starts two weeks earlier, so an earlier failover fits in between. */
const T0 = Date.parse('2026-02-15T00:00:00Z');
const LIVY_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-analytics-livy/73e2d6bc24d8a067';
const RM_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-analytics-rm/0a1b2c3d4e5f6a7b';
const STREAMING_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-streaming/1b2c3d4e5f6a7b8c';
const SUBNET_A = 'subnet-0a1a1a1a1a1a1a1a1'; // us-east-1a (the analytics cluster's zone; impaired)
const SUBNET_B = 'subnet-0b1b1b1b1b1b1b1b1'; // us-east-1b (the streaming cluster's zone)
const SUBNET_C = 'subnet-0c1c1c1c1c1c1c1c1'; // us-east-1c
const SUBNET_OTHER_VPC = 'subnet-0e1e1e1e1e1e1e1e1';
const VPC = 'vpc-0d1d1d1d1d1d1d1d1';
const ANALYTICS_MASTER = '10.0.1.25';

const ROLES = {
  service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole',
  instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole',
};

/** Two clusters: analytics (instance groups, in the impaired us-east-1a) and streaming (us-east-1b). */
function scenario(overrides: Partial<DrScenarioSpec> = {}): DrScenarioSpec {
  const tagged = { Name: 'emr-private', 'lifeguard:dr': 'true' };
  return {
    subnets: [
      { id: SUBNET_A, zone: 'us-east-1a', vpcId: VPC, cidrPrefix: '10.0.1', tags: tagged, freeAddresses: 4011 },
      { id: SUBNET_B, zone: 'us-east-1b', vpcId: VPC, cidrPrefix: '10.0.2', tags: tagged, freeAddresses: 3990 },
      { id: SUBNET_C, zone: 'us-east-1c', vpcId: VPC, cidrPrefix: '10.0.3', tags: tagged, freeAddresses: 4050 },
      { id: SUBNET_OTHER_VPC, zone: 'us-east-1d', vpcId: 'vpc-0f0f0f0f0f0f0f0f0', cidrPrefix: '10.9.0', tags: { Name: 'other-vpc-d' }, freeAddresses: 250 },
    ],
    impairedZones: ['us-east-1a'],
    loadBalancer: { zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
    targetGroups: [
      { arn: LIVY_TG, port: 8998 },
      { arn: RM_TG, port: 8088 },
      { arn: STREAMING_TG, port: 8998 },
    ],
    clusters: [
      {
        name: 'analytics',
        id: 'j-2AXXXXXXGAPLF',
        subnetId: SUBNET_A,
        master: { ip: ANALYTICS_MASTER, instanceId: 'i-0aaa1111bbbb22220' },
        targetGroups: [LIVY_TG, RM_TG],
        made: { instanceTypes: { master: 'm5.xlarge', core: 'r5.2xlarge' }, autoScalingRole: 'EMR_AutoScaling_DefaultRole' },
      },
      {
        name: 'streaming',
        id: 'j-3FLEETXXXXXXX',
        subnetId: SUBNET_B,
        master: { ip: '10.0.2.40', instanceId: 'i-0bbb1111bbbb22220' },
        targetGroups: [STREAMING_TG],
        made: { instanceProfile: 'EMR_EC2_StreamingRole' },
      },
    ],
    triggers: [{ at: 0 }],
    ...overrides,
  };
}

function baseConfig(overrides: Record<string, unknown> = {}, streaming: Record<string, unknown> = {}): DrConfig {
  return drConfigSchema.parse({
    clusters: [
      {
        name: 'analytics',
        clusterId: 'j-2AXXXXXXGAPLF',
        probe: { address: 'emr-analytics-50dc6c495c0c9188.elb.us-east-1.amazonaws.com' },
        targetGroups: [{ arn: LIVY_TG, port: 8998 }, { arn: RM_TG }],
        placement: { candidateSubnetIds: [SUBNET_A, SUBNET_OTHER_VPC, SUBNET_B, SUBNET_C] },
        roles: { ...ROLES, autoScaling: 'arn:aws:iam::123456789012:role/EMR_AutoScaling_DefaultRole' },
        ...overrides,
      },
      {
        name: 'streaming',
        clusterId: 'j-3FLEETXXXXXXX',
        probe: { address: 'emr-streaming.internal' },
        placement: { subnetTags: { 'lifeguard:dr': 'true' } },
        roles: { service: ROLES.service, instance: 'arn:aws:iam::123456789012:role/streaming/EMR_EC2_StreamingRole' },
        ...streaming,
      },
    ],
  });
}

let config: DrConfig;
let world: DrSandboxWorld;

/** The world as the scenario describes it, at NOW. */
function build(spec: DrScenarioSpec = scenario()): DrSandboxWorld {
  world = drSandboxWorld(spec, T0);
  world.at(NOW);
  return world;
}

beforeEach(() => {
  config = baseConfig();
  build();
});

const planFor = (cluster: string, extra: Partial<Parameters<typeof planFailover>[0]> = {}) =>
  planFailover({ cluster, mode: 'failover', ...extra }, { config, ...world.clients, now: () => NOW });

describe('planFailover: instance groups, cloned', () => {
  let plan: TypedFailoverPlan;
  beforeEach(async () => {
    plan = await planFor('analytics');
  });

  it('plans the move out of the failed zone to the first usable candidate', () => {
    const untyped: FailoverPlan = plan; // the Step Functions contract still holds
    expect(untyped).toMatchObject({
      cluster: 'analytics',
      sourceClusterId: 'j-2AXXXXXXGAPLF',
      sourceAvailabilityZone: 'us-east-1a',
      targetAvailabilityZone: 'us-east-1b',
      targetSubnetId: SUBNET_B,
      oldMasterIp: ANALYTICS_MASTER,
      targetGroups: [
        { arn: LIVY_TG, port: 8998 },
        { arn: RM_TG, port: 8088 },
      ],
      source: 'cloned',
    });
  });

  it('is plain JSON (it travels through Step Functions)', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('reads the describe calls with the right filters', () => {
    expect(world.calls('ListInstances')[0]).toEqual({
      ClusterId: 'j-2AXXXXXXGAPLF',
      InstanceGroupTypes: ['MASTER'],
      InstanceStates: ['RUNNING'],
      Marker: undefined,
    });
    expect(world.calls('ListInstanceFleets')).toHaveLength(0);
    expect(world.calls('RunJobFlow')).toHaveLength(0);
  });
});

describe('planFailover: instance fleets, cloned', () => {
  /** The streaming cluster made of fleets: a Spot-backed core of two weighted types and a Spot task fleet. */
  const FLEETS = [
    { type: 'MASTER', name: 'Primary', instanceTypes: ['m5.xlarge', 'm5a.xlarge'], onDemand: 1 },
    { type: 'CORE', name: 'Core', instanceTypes: [{ instanceType: 'r5.2xlarge', weightedCapacity: 2 }, { instanceType: 'r5.4xlarge', weightedCapacity: 4 }], onDemand: 8, spot: 4 },
    { type: 'TASK', name: 'Task', instanceTypes: ['c5.2xlarge'], spot: 6 },
  ] as const;

  it("asks RunJobFlow for the source's fleets (targets, instance types, weights) in every fitting subnet", async () => {
    const base = scenario();
    const streaming = { ...base.clusters[1]!, made: { ...base.clusters[1]!.made, instanceFleets: FLEETS.map((f) => ({ ...f, instanceTypes: [...f.instanceTypes] })) } };
    build({ ...base, clusters: [base.clusters[0]!, streaming] });
    const plan = await planFor('streaming');
    expect(world.calls('ListInstanceFleets')).toEqual([{ ClusterId: 'j-3FLEETXXXXXXX', Marker: undefined }]);
    expect(world.calls('ListInstanceGroups')).toEqual([]);
    expect(plan.runJobFlow.Instances!.InstanceGroups).toBeUndefined();
    expect(plan.runJobFlow.Instances!.InstanceFleets).toEqual(
      FLEETS.map((f) => ({
        Name: f.name,
        InstanceFleetType: f.type,
        TargetOnDemandCapacity: 'onDemand' in f ? f.onDemand : 0,
        TargetSpotCapacity: 'spot' in f ? f.spot : 0,
        InstanceTypeConfigs: f.instanceTypes.map((t) => (typeof t === 'string' ? { InstanceType: t, WeightedCapacity: 1 } : { InstanceType: t.instanceType, WeightedCapacity: t.weightedCapacity })),
      })),
    );
    // us-east-1a is impaired and us-east-1b failed: the tagged subnet left is us-east-1c's.
    expect(plan.runJobFlow.Instances).toMatchObject({ Ec2SubnetIds: [SUBNET_C] });
    expect(plan.runJobFlow.Instances!.Ec2SubnetId).toBeUndefined();
  });
});

describe('planFailover: placement', () => {
  it('never chooses the failed zone, even when it is the only candidate', async () => {
    config = baseConfig({ placement: { candidateSubnetIds: [SUBNET_A] } });
    build(scenario({ impairedZones: [] })); // the zone looks fine to EC2: still the failed one
    await expect(planFor('analytics')).rejects.toThrow(
      /no zone fits the replacement \(failed zone us-east-1a, VPC vpc-0d1d1d1d1d1d1d1d1, needs .*\): us-east-1a \(subnet-0a1a1a1a1a1a1a1a1\): the failed zone$/,
    );
  });

  it('skips a zone EC2 does not report available', async () => {
    build(scenario({ impairedZones: ['us-east-1a', 'us-east-1b'] }));
    const plan = await planFor('analytics');
    expect(plan.targetSubnetId).toBe(SUBNET_C);
    expect(plan.targetAvailabilityZone).toBe('us-east-1c');
  });

  it('names every rejected candidate and why', async () => {
    config = baseConfig({ placement: { candidateSubnetIds: [SUBNET_A, SUBNET_OTHER_VPC, SUBNET_B, 'subnet-0999999999999999f'] } });
    build(scenario({ impairedZones: ['us-east-1a', 'us-east-1b'] }));
    const error = await planFor('analytics').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain("cannot plan a failover of 'analytics'");
    expect(message).toContain('subnet-0999999999999999f: not found');
    expect(message).toContain(`${SUBNET_OTHER_VPC}: in VPC vpc-0f0f0f0f0f0f0f0f0, not the cluster's vpc-0d1d1d1d1d1d1d1d1`);
    expect(message).toContain(`us-east-1b (${SUBNET_B}): zone is impaired`);
  });

  it('uses tagged subnets of the cluster VPC when no candidates are configured', async () => {
    config = baseConfig({ placement: { subnetTags: { 'lifeguard:dr': 'true' } } });
    const plan = await planFor('analytics');
    // b (3990 free) and c (4050 free) qualify; the roomier one wins.
    expect(plan.targetSubnetId).toBe(SUBNET_C);
  });
});

describe('planFailover: stored template', () => {
  it('uses the template and changes only its placement and Lifeguard tags', async () => {
    const template = {
      Name: 'analytics',
      ReleaseLabel: 'emr-7.2.0',
      Applications: [{ Name: 'Spark' }, { Name: 'Livy' }],
      ServiceRole: 'EMR_DefaultRole',
      JobFlowRole: 'EMR_EC2_DefaultRole',
      Tags: [{ Key: 'team', Value: 'data-platform' }, { Key: 'lifeguard:cluster', Value: 'stale' }],
      Instances: {
        Ec2SubnetId: SUBNET_A,
        Placement: { AvailabilityZone: 'us-east-1a' },
        KeepJobFlowAliveWhenNoSteps: true,
        InstanceGroups: [
          { InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 },
          { InstanceRole: 'CORE', InstanceType: 'r5.2xlarge', InstanceCount: 2 },
        ],
      },
    };
    config = baseConfig({ runJobFlowTemplate: template });
    const plan = await planFor('analytics');
    expect(plan.source).toBe('template');
    expect(plan.runJobFlow).toEqual({
      ...template,
      Tags: [
        { Key: 'team', Value: 'data-platform' },
        { Key: 'lifeguard:replaces', Value: 'j-2AXXXXXXGAPLF' },
        { Key: 'lifeguard:cluster', Value: 'analytics' },
      ],
      Instances: { KeepJobFlowAliveWhenNoSteps: true, InstanceGroups: template.Instances.InstanceGroups, Ec2SubnetId: SUBNET_B },
    });
    expect(world.calls('ListInstanceGroups')).toHaveLength(0);
    expect(world.calls('ListBootstrapActions')).toHaveLength(0);
    expect(template.Instances.Ec2SubnetId).toBe(SUBNET_A); // the stored template itself is untouched
  });

  it('keeps a replacement from a template alive with no steps (its Steps stay: RunJobFlow takes them)', async () => {
    const template = {
      Name: 'analytics',
      ReleaseLabel: 'emr-7.2.0',
      ServiceRole: 'EMR_DefaultRole',
      JobFlowRole: 'EMR_EC2_DefaultRole',
      Steps: [{ Name: 'warm-up', HadoopJarStep: { Jar: 'command-runner.jar', Args: ['true'] } }],
      Instances: { KeepJobFlowAliveWhenNoSteps: false, InstanceGroups: [{ InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 }] },
    };
    config = baseConfig({ runJobFlowTemplate: template });
    const plan = await planFor('analytics');
    expect(plan.runJobFlow.Steps).toEqual(template.Steps);
    expect(plan.runJobFlow.Instances?.KeepJobFlowAliveWhenNoSteps).toBe(true);
  });
});

describe('planFailover: roles the state machine may pass', () => {
  const template = (roles: Record<string, string>) => ({
    Name: 'analytics',
    ReleaseLabel: 'emr-7.2.0',
    ...roles,
    Instances: { InstanceGroups: [{ InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 }] },
  });

  it('accepts the configured roles by name or ARN, the AutoScalingRole included (a clone copies it)', async () => {
    await expect(planFor('analytics')).resolves.toMatchObject({ runJobFlow: { AutoScalingRole: 'EMR_AutoScaling_DefaultRole' } });
    config = baseConfig({
      runJobFlowTemplate: template({
        ServiceRole: 'arn:aws:iam::123456789012:role/EMR_DefaultRole',
        JobFlowRole: 'arn:aws:iam::123456789012:instance-profile/EMR_EC2_DefaultRole',
      }),
    });
    await expect(planFor('analytics')).resolves.toMatchObject({ source: 'template' });
  });

  it('refuses a request that passes any other role, naming each one', async () => {
    config = baseConfig({
      runJobFlowTemplate: template({ ServiceRole: 'AdminRole', JobFlowRole: 'EMR_EC2_DefaultRole', AutoScalingRole: 'arn:aws:iam::123456789012:role/Other' }),
    });
    const error = (await planFor('analytics').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PlanError);
    expect(error.message).toContain("ServiceRole 'AdminRole' is not dr.clusters[analytics].roles.service");
    expect(error.message).toContain("AutoScalingRole 'arn:aws:iam::123456789012:role/Other' is not dr.clusters[analytics].roles.autoScaling");
    expect(error.message).not.toContain('JobFlowRole');
    // The same role name in another account is another role.
    config = baseConfig({ runJobFlowTemplate: template({ ServiceRole: 'arn:aws:iam::999999999999:role/EMR_DefaultRole', JobFlowRole: 'EMR_EC2_DefaultRole' }) });
    await expect(planFor('analytics')).rejects.toThrow(/ServiceRole 'arn:aws:iam::999999999999:role\/EMR_DefaultRole' is not/);
  });

  it('refuses an AutoScalingRole when the configuration names none, and a missing service role', async () => {
    config = baseConfig({ roles: ROLES });
    await expect(planFor('analytics')).rejects.toThrow(/AutoScalingRole 'EMR_AutoScaling_DefaultRole' is set but dr\.clusters\[analytics\]\.roles\.autoScaling is not configured/);
    config = baseConfig({ runJobFlowTemplate: template({ JobFlowRole: 'EMR_EC2_DefaultRole' }) });
    await expect(planFor('analytics')).rejects.toThrow(/ServiceRole is missing/);
  });

  it('checks the instance profile name when it differs from the role name', async () => {
    const roles = { service: ROLES.service, instance: 'arn:aws:iam::123456789012:role/streaming-instances' };
    config = baseConfig({}, { roles });
    await expect(planFor('streaming')).rejects.toThrow(/JobFlowRole 'EMR_EC2_StreamingRole' is not the instance profile of dr.clusters\[streaming\].roles.instance \(streaming-instances\)/);
    config = baseConfig({}, { roles: { ...roles, instanceProfile: 'EMR_EC2_StreamingRole' } });
    await expect(planFor('streaming')).resolves.toMatchObject({ cluster: 'streaming' });
  });
});

describe('planFailover: load balancer zones', () => {
  it('places the replacement only in a zone the NLB serves', async () => {
    build(scenario({ loadBalancer: { zones: ['us-east-1a', 'us-east-1c'] } }));
    const plan = await planFor('analytics');
    expect(plan.targetAvailabilityZone).toBe('us-east-1c');
    expect(world.calls('DescribeLoadBalancers')[0]).toEqual({ LoadBalancerArns: [SANDBOX_NLB] });
  });

  it('names the NLB zones when no candidate is in one of them', async () => {
    build(scenario({ loadBalancer: { zones: ['us-east-1a'] } }));
    await expect(planFor('analytics')).rejects.toThrow(`us-east-1b (${SUBNET_B}): not enabled on the load balancer (it serves us-east-1a)`);
  });
});

describe('planFailover: zones that fit the cluster', () => {
  /** The streaming cluster's replacement as a stored request of two instance fleets. */
  const fleets = {
    Name: 'streaming',
    ReleaseLabel: 'emr-7.2.0',
    ServiceRole: 'EMR_DefaultRole',
    JobFlowRole: 'EMR_EC2_StreamingRole',
    Instances: {
      InstanceFleets: [
        { Name: 'Primary', InstanceFleetType: 'MASTER', TargetOnDemandCapacity: 1, InstanceTypeConfigs: [{ InstanceType: 'm5.xlarge' }, { InstanceType: 'm6i.xlarge' }] },
        {
          Name: 'Core',
          InstanceFleetType: 'CORE',
          TargetOnDemandCapacity: 8,
          TargetSpotCapacity: 8,
          InstanceTypeConfigs: [
            { InstanceType: 'r5.2xlarge', WeightedCapacity: 4 },
            { InstanceType: 'r6i.2xlarge', WeightedCapacity: 4 },
          ],
        },
      ],
    },
  };

  it('drops a zone that does not offer one of the instance types, and says why for every candidate zone', async () => {
    build(scenario({ instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'] } }));
    const plan = await planFor('analytics');
    expect(plan.zones).toEqual([
      { zone: 'us-east-1a', kept: false, why: 'the failed zone', subnetIds: [SUBNET_A] },
      { zone: 'us-east-1b', kept: false, why: 'EC2 offers no r5.2xlarge (core) there', subnetIds: [SUBNET_B] },
      { zone: 'us-east-1c', kept: true, why: 'offers m5.xlarge, r5.2xlarge; 1 usable subnet(s)', subnetIds: [SUBNET_C] },
    ]);
    expect(plan.placements).toEqual([{ zone: 'us-east-1c', subnetIds: [SUBNET_C], instances: { Ec2SubnetId: SUBNET_C } }]);
    expect(plan.runJobFlow.Instances?.Ec2SubnetId).toBe(SUBNET_C);
    // One read of the offerings, for the zones nothing else ruled out.
    expect(world.calls('DescribeInstanceTypeOfferings')).toEqual([
      {
        LocationType: 'availability-zone',
        Filters: [
          { Name: 'instance-type', Values: ['m5.xlarge', 'r5.2xlarge'] },
          { Name: 'location', Values: ['us-east-1b', 'us-east-1c'] },
        ],
      },
    ]);
  });

  it('lists every fitting zone as an attempt, in the order of the candidates; the request is placed in the first', async () => {
    const plan = await planFor('analytics');
    expect(plan.placements.map((p) => p.zone)).toEqual(['us-east-1b', 'us-east-1c']);
    expect(plan.placements[1]).toEqual({ zone: 'us-east-1c', subnetIds: [SUBNET_C], instances: { Ec2SubnetId: SUBNET_C } });
    expect(plan.runJobFlow.Instances?.Ec2SubnetId).toBe(SUBNET_B);
  });

  it('fails before anything is created when no zone offers every type, naming the missing types by zone', async () => {
    build(scenario({ instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'], 'us-east-1c': [] } }));
    const error = await planFor('analytics').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain('no zone fits the replacement (failed zone us-east-1a');
    expect(message).toContain(`us-east-1b (${SUBNET_B}): EC2 offers no r5.2xlarge (core) there`);
    expect(message).toContain(`us-east-1c (${SUBNET_C}): EC2 offers no m5.xlarge (master), r5.2xlarge (core) there`);
    expect(world.calls('RunJobFlow')).toEqual([]);
  });

  it('keeps a zone for an instance fleet that offers one type of each fleet, and drops one that offers none of a fleet', async () => {
    config = baseConfig({}, { runJobFlowTemplate: fleets });
    build(scenario({ impairedZones: [], instanceTypeOfferings: { 'us-east-1c': ['m6i.xlarge', 'r6i.2xlarge'] } }));
    const plan = await planFor('j-3FLEETXXXXXXX');
    expect(plan.zones.find((z) => z.zone === 'us-east-1c')).toMatchObject({ kept: true });
    build(scenario({ impairedZones: [], instanceTypeOfferings: { 'us-east-1a': ['r5.2xlarge'], 'us-east-1c': ['r5.2xlarge', 'r6i.2xlarge'] } }));
    await expect(planFor('j-3FLEETXXXXXXX')).rejects.toThrow(`EC2 offers no m5.xlarge or m6i.xlarge (master fleet) there`);
  });

  it('passes every fitting subnet of an instance fleet in one attempt: EMR chooses the zone', async () => {
    config = baseConfig({}, { runJobFlowTemplate: fleets });
    build(scenario({ impairedZones: [] }));
    const plan = await planFor('j-3FLEETXXXXXXX');
    const kept = plan.zones.filter((z) => z.kept);
    const subnets = kept.flatMap((z) => z.subnetIds);
    expect([...subnets].sort()).toEqual([SUBNET_A, SUBNET_C]);
    expect(plan.placements).toEqual([{ zone: kept.map((z) => z.zone).join(', '), subnetIds: subnets, instances: { Ec2SubnetIds: subnets } }]);
    expect(plan.runJobFlow.Instances?.Ec2SubnetIds).toEqual(subnets);
  });
});

describe('planFailover: what is missing', () => {
  it('rejects a cluster that is not configured', async () => {
    await expect(planFor('j-UNKNOWN00000')).rejects.toThrow(/'j-UNKNOWN00000' is not configured/);
  });

  it('reports a configured cluster EMR does not know', async () => {
    const spec = scenario();
    build({ ...spec, clusters: spec.clusters!.filter((c) => c.name !== 'analytics') });
    await expect(planFor('analytics')).rejects.toThrow(/EMR cluster j-2AXXXXXXGAPLF not found: Cluster id 'j-2AXXXXXXGAPLF' is not valid\./);
  });

  it('names target groups that are missing, not IP-typed, or on another port', async () => {
    const missing = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/ffffffffffffffff';
    config = baseConfig({ targetGroups: [{ arn: LIVY_TG, port: 8088 }, { arn: missing }] });
    const message = await planFor('analytics').then(() => '', (e: Error) => e.message);
    expect(message).toContain(`${LIVY_TG}: listens on port 8998 but the configuration says 8088`);
    expect(message).toContain(`${missing}: not found`);
  });
});

describe('planFailover: after an earlier failover', () => {
  const EARLIER = Date.parse('2026-02-15T10:15:00Z');

  /**
   * An earlier failover of analytics, as its state machine made it: a replacement in us-east-1c
   * (tagged as Lifeguard tags it), then `oldState` for the configured cluster: TERMINATED (a
   * failover) or WAITING (a drill that kept it). Returns the replacement.
   */
  function withReplacement(oldState: 'TERMINATED' | 'WAITING') {
    world.at(EARLIER);
    const { JobFlowId } = world.act('emr', 'RunJobFlow', {
      Name: 'analytics-dr-20260215T101500Z',
      ReleaseLabel: 'emr-7.2.0',
      Instances: { Ec2SubnetId: SUBNET_C, KeepJobFlowAliveWhenNoSteps: true },
      Tags: [
        { Key: 'lifeguard:replaces', Value: 'j-2AXXXXXXGAPLF' },
        { Key: 'lifeguard:cluster', Value: 'analytics' },
      ],
    }) as { JobFlowId: string };
    if (oldState === 'TERMINATED') {
      world.act('emr', 'SetTerminationProtection', { JobFlowIds: ['j-2AXXXXXXGAPLF'], TerminationProtected: false });
      world.act('emr', 'TerminateJobFlows', { JobFlowIds: ['j-2AXXXXXXGAPLF'] });
    }
    world.at(NOW);
    return { id: JobFlowId, masterIp: world.emr.clusters.get(JobFlowId)!.masterIp };
  }

  /** Moves the Livy target group's registration from one master to another at `atMs`. */
  function moveTargets(from: string | undefined, to: string | undefined, atMs: number) {
    world.at(atMs);
    if (to) world.act('elbv2', 'RegisterTargets', { TargetGroupArn: LIVY_TG, Targets: [{ Id: to, Port: 8998 }] });
    if (from) world.act('elbv2', 'DeregisterTargets', { TargetGroupArn: LIVY_TG, Targets: [{ Id: from, Port: 8998 }] });
    world.at(NOW);
  }

  beforeEach(() => {
    // Only the Livy target group, where the failovers move the master.
    config = baseConfig({ targetGroups: [{ arn: LIVY_TG, port: 8998 }] });
  });

  it('follows the lifeguard:cluster tag from the terminated configured cluster to its active replacement', async () => {
    const replacement = withReplacement('TERMINATED');
    moveTargets(ANALYTICS_MASTER, replacement.masterIp, EARLIER + 900_000);
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: replacement.id, sourceAvailabilityZone: 'us-east-1c', oldMasterIp: replacement.masterIp, targetSubnetId: SUBNET_B });
    expect(plan.runJobFlow.Name).toBe('analytics-dr-20260301T120000Z');
    expect(plan.runJobFlow.Tags?.filter((t) => t.Key?.startsWith('lifeguard:'))).toEqual([
      { Key: 'lifeguard:replaces', Value: replacement.id },
      { Key: 'lifeguard:cluster', Value: 'analytics' },
    ]);
    expect(world.calls('ListClusters')[0]).toMatchObject({ ClusterStates: ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] });
  });

  it('clones the terminated configured cluster when no replacement is active', async () => {
    // Its zone took it down at the start; nothing replaced it, and its master left the target group.
    build(scenario({ clusters: scenario().clusters!.map((c) => (c.name === 'analytics' ? { ...c, failsAt: 0 } : c)) }));
    moveTargets(ANALYTICS_MASTER, undefined, T0 + 60_000);
    const plan = await planFor('analytics');
    expect(world.calls('ListClusters')).toHaveLength(1);
    expect(plan.sourceClusterId).toBe('j-2AXXXXXXGAPLF');
  });

  it('after a drill that kept the old cluster, fails over the cluster the target groups route to, not the idle configured one', async () => {
    const replacement = withReplacement('WAITING');
    // The drill moved the targets: the replacement's master is registered (and failing), the kept cluster's is not.
    moveTargets(ANALYTICS_MASTER, replacement.masterIp, EARLIER + 900_000);
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: replacement.id, oldMasterIp: replacement.masterIp });
    expect(plan.runJobFlow.Tags).toContainEqual({ Key: 'lifeguard:replaces', Value: replacement.id });
  });

  it('keeps the configured cluster as the source while its master is the one registered', async () => {
    const replacement = withReplacement('WAITING');
    // The replacement's master was registered and is draining now; the configured cluster's stays.
    moveTargets(replacement.masterIp, replacement.masterIp, NOW - 10_000);
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: 'j-2AXXXXXXGAPLF', oldMasterIp: ANALYTICS_MASTER });
    expect(world.calls('ListClusters')).toHaveLength(0);
  });
});

describe('replacementName', () => {
  it('stamps the time and replaces an earlier stamp instead of stacking it', () => {
    expect(replacementName('analytics', NOW)).toBe('analytics-dr-20260301T120000Z');
    expect(replacementName('analytics-dr-20260110T031500Z', NOW)).toBe('analytics-dr-20260301T120000Z');
    expect(replacementName('x'.repeat(300), NOW)).toHaveLength(256);
  });
});
