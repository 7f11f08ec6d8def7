import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type DescribeAvailabilityZonesCommandOutput,
  type DescribeInstanceTypeOfferingsCommandInput,
  type DescribeInstanceTypeOfferingsCommandOutput,
  type _InstanceType,
  type DescribeSubnetsCommandOutput,
  type Subnet,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
  type DescribeTargetGroupsCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeClusterCommand,
  EMRClient,
  GetAutoTerminationPolicyCommand,
  GetManagedScalingPolicyCommand,
  InvalidRequestException,
  ListBootstrapActionsCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  RunJobFlowCommand,
  type DescribeClusterCommandOutput,
  type ListInstancesCommandOutput,
  type RunJobFlowCommandInput,
} from '@aws-sdk/client-emr';
import { drConfigSchema, type DrConfig } from '../../../lib/config/dr.ts';
import { planFailover, PlanError, replacementName, type TypedFailoverPlan } from '../../../lib/dr/plan.ts';
import type { FailoverPlan } from '../../../lib/dr/types.ts';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../fixtures/emr/${name}.json`, import.meta.url), 'utf8')) as T;

const NOW = Date.parse('2026-03-01T12:00:00Z');
const LIVY_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-analytics-livy/73e2d6bc24d8a067';
const RM_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-analytics-rm/0a1b2c3d4e5f6a7b';
const SUBNET_A = 'subnet-0a1a1a1a1a1a1a1a1'; // us-east-1a (the analytics cluster's zone; impaired)
const SUBNET_B = 'subnet-0b1b1b1b1b1b1b1b1'; // us-east-1b (the streaming cluster's zone)
const SUBNET_C = 'subnet-0c1c1c1c1c1c1c1c1'; // us-east-1c
const SUBNET_OTHER_VPC = 'subnet-0e1e1e1e1e1e1e1e1';

// Instances, not classes, are mocked: serializeRunJobFlow below needs an unmocked EMRClient.
const clients = { emr: new EMRClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }), elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }) };
const emr = mockClient(clients.emr);
const ec2 = mockClient(clients.ec2);
const elbv2 = mockClient(clients.elbv2);

let config: DrConfig;
let zoneStates: Record<string, string>;
let clusters: Record<string, DescribeClusterCommandOutput>;
let masters: Record<string, ListInstancesCommandOutput>;
/** Zones the analytics NLB has enabled. */
let nlbZones: string[];
/** Instance types EC2 does not offer, by zone (every other type is offered everywhere). */
let notOffered: Record<string, string[]>;
const NLB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/emr-analytics/50dc6c495c0c9188';

function baseConfig(overrides: Record<string, unknown> = {}, streaming: Record<string, unknown> = {}): DrConfig {
  return drConfigSchema.parse({
    clusters: [
      {
        name: 'analytics',
        clusterId: 'j-2AXXXXXXGAPLF',
        probe: { address: 'emr-analytics-50dc6c495c0c9188.elb.us-east-1.amazonaws.com' },
        targetGroups: [{ arn: LIVY_TG, port: 8998 }, { arn: RM_TG }],
        placement: { candidateSubnetIds: [SUBNET_A, SUBNET_OTHER_VPC, SUBNET_B, SUBNET_C] },
        roles: {
          service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2',
          instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole',
          autoScaling: 'arn:aws:iam::123456789012:role/EMR_AutoScaling_DefaultRole',
        },
        ...overrides,
      },
      {
        name: 'streaming',
        clusterId: 'j-3FLEETXXXXXXX',
        probe: { address: 'emr-streaming.internal' },
        placement: { subnetTags: { 'lifeguard:dr': 'true' } },
        roles: {
          service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2',
          instance: 'arn:aws:iam::123456789012:role/streaming/EMR_EC2_StreamingRole',
        },
        ...streaming,
      },
    ],
  });
}

/** DescribeSubnets with EC2's filter semantics for the filters the planner uses. */
function describeSubnets(input: { Filters?: Array<{ Name?: string; Values?: string[] }> }): DescribeSubnetsCommandOutput {
  const all = fixture<{ Subnets: Subnet[] }>('describe-subnets').Subnets;
  const matches = (s: Subnet) =>
    (input.Filters ?? []).every(({ Name = '', Values = [] }) => {
      if (Name === 'subnet-id') return Values.includes(s.SubnetId ?? '');
      if (Name === 'vpc-id') return Values.includes(s.VpcId ?? '');
      if (Name.startsWith('tag:')) return (s.Tags ?? []).some((t) => t.Key === Name.slice(4) && Values.includes(t.Value ?? ''));
      throw new Error(`unexpected filter ${Name}`);
    });
  return { Subnets: all.filter(matches), $metadata: {} };
}

beforeEach(() => {
  emr.reset();
  ec2.reset();
  elbv2.reset();
  config = baseConfig();
  zoneStates = {};
  nlbZones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  notOffered = {};
  clusters = {
    'j-2AXXXXXXGAPLF': fixture('describe-cluster-groups'),
    'j-3FLEETXXXXXXX': fixture('describe-cluster-fleets'),
  };
  masters = {
    'j-2AXXXXXXGAPLF': fixture('list-instances-master-groups'),
    'j-3FLEETXXXXXXX': fixture('list-instances-master-fleets'),
  };
  const policies = fixture<Record<string, object>>('policies');

  emr.on(DescribeClusterCommand).callsFake(({ ClusterId }: { ClusterId: string }) => {
    const found = clusters[ClusterId];
    if (!found) throw new InvalidRequestException({ message: `Cluster id '${ClusterId}' is not valid.`, $metadata: {} });
    return found;
  });
  emr.on(ListInstanceGroupsCommand, { ClusterId: 'j-2AXXXXXXGAPLF' }).resolves(fixture('list-instance-groups'));
  emr.on(ListInstanceFleetsCommand, { ClusterId: 'j-3FLEETXXXXXXX' }).resolves(fixture('list-instance-fleets'));
  emr.on(ListBootstrapActionsCommand, { ClusterId: 'j-2AXXXXXXGAPLF' }).resolves(fixture('list-bootstrap-actions'));
  emr.on(ListBootstrapActionsCommand, { ClusterId: 'j-3FLEETXXXXXXX' }).resolves({ BootstrapActions: [] });
  emr.on(GetAutoTerminationPolicyCommand, { ClusterId: 'j-2AXXXXXXGAPLF' }).resolves(policies.GetAutoTerminationPolicy!);
  emr.on(GetAutoTerminationPolicyCommand, { ClusterId: 'j-3FLEETXXXXXXX' }).resolves({});
  emr.on(GetManagedScalingPolicyCommand, { ClusterId: 'j-2AXXXXXXGAPLF' }).resolves({});
  emr.on(GetManagedScalingPolicyCommand, { ClusterId: 'j-3FLEETXXXXXXX' }).resolves(policies.GetManagedScalingPolicy!);
  emr.on(ListInstancesCommand).callsFake(({ ClusterId, InstanceStates }: { ClusterId: string; InstanceStates?: string[] }) => {
    const instances = masters[ClusterId]?.Instances ?? [];
    return { Instances: instances.filter((i) => !InstanceStates || InstanceStates.includes(i.Status?.State ?? '')) };
  });

  ec2.on(DescribeSubnetsCommand).callsFake(describeSubnets);
  ec2.on(DescribeInstanceTypeOfferingsCommand).callsFake(({ LocationType, Filters = [] }: DescribeInstanceTypeOfferingsCommandInput): DescribeInstanceTypeOfferingsCommandOutput => {
    if (LocationType !== 'availability-zone') throw new Error(`unexpected LocationType ${LocationType}`);
    const values = (name: string) => Filters.find((f) => f.Name === name)?.Values ?? [];
    return {
      InstanceTypeOfferings: values('location').flatMap((Location) =>
        values('instance-type').filter((t) => !notOffered[Location]?.includes(t)).map((t) => ({ InstanceType: t as _InstanceType, Location, LocationType })),
      ),
      $metadata: {},
    };
  });
  ec2.on(DescribeAvailabilityZonesCommand).callsFake(({ ZoneNames = [] }: { ZoneNames?: string[] }): DescribeAvailabilityZonesCommandOutput => {
    const zones = fixture<DescribeAvailabilityZonesCommandOutput>('describe-availability-zones').AvailabilityZones ?? [];
    return {
      AvailabilityZones: zones
        .filter((z) => ZoneNames.includes(z.ZoneName ?? ''))
        .map((z) => ({ ...z, State: (zoneStates[z.ZoneName ?? ''] ?? z.State) as typeof z.State })),
      $metadata: {},
    };
  });

  elbv2.on(DescribeTargetGroupsCommand).callsFake(({ TargetGroupArns = [] }: { TargetGroupArns?: string[] }): DescribeTargetGroupsCommandOutput => {
    const groups = fixture<DescribeTargetGroupsCommandOutput>('describe-target-groups').TargetGroups ?? [];
    const found = groups.filter((g) => TargetGroupArns.includes(g.TargetGroupArn ?? ''));
    if (found.length !== TargetGroupArns.length) {
      throw new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} });
    }
    return { TargetGroups: found, $metadata: {} };
  });
  elbv2.on(DescribeLoadBalancersCommand).callsFake(({ LoadBalancerArns = [] }: { LoadBalancerArns?: string[] }) => ({
    LoadBalancers: LoadBalancerArns.filter((arn) => arn === NLB).map((arn) => ({
      LoadBalancerArn: arn,
      Type: 'network',
      AvailabilityZones: nlbZones.map((ZoneName) => ({ ZoneName, SubnetId: `subnet-nlb-${ZoneName}` })),
    })),
    $metadata: {},
  }));
});

const deps = () => ({ config, ...clients, now: () => NOW });
const planFor = (cluster: string, extra: Partial<Parameters<typeof planFailover>[0]> = {}) =>
  planFailover({ cluster, mode: 'failover', ...extra }, deps());

/**
 * Serializes the request exactly as the SDK would send it to EMR (a real client with a request
 * handler that captures instead of sending). The awsJson serializer keeps only members EMR's model
 * knows, so a round trip that changes nothing proves every key and nesting is a real RunJobFlow member.
 */
async function serializeRunJobFlow(request: RunJobFlowCommandInput): Promise<{ target: string; body: unknown }> {
  let captured: { target: string; body: unknown } | undefined;
  const client = new EMRClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    requestHandler: {
      handle: async (httpRequest: { headers: Record<string, string>; body: string | Uint8Array }) => {
        const text = typeof httpRequest.body === 'string' ? httpRequest.body : new TextDecoder().decode(httpRequest.body);
        captured = { target: httpRequest.headers['x-amz-target'] ?? '', body: JSON.parse(text) };
        return {
          response: {
            statusCode: 200,
            reason: 'OK',
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(JSON.stringify({ JobFlowId: 'j-NEWCLUSTER001' }))]),
          },
        };
      },
    } as never,
  });
  const out = await client.send(new RunJobFlowCommand(request));
  expect(out.JobFlowId).toBe('j-NEWCLUSTER001');
  return captured!;
}

/** Leaf paths where two JSON values differ (arrays of tags compared whole). */
function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (path === 'Tags' || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
  );
}

/** The analytics cluster as the RunJobFlow request that created it (written from the fixtures by hand). */
const analyticsAsCreated: RunJobFlowCommandInput = {
  Name: 'analytics',
  LogUri: 's3n://acme-emr-logs/analytics/',
  ReleaseLabel: 'emr-7.2.0',
  OSReleaseLabel: '2.0.20240610.1',
  Applications: [{ Name: 'Hadoop' }, { Name: 'Spark' }, { Name: 'Livy' }, { Name: 'Hive' }],
  Configurations: [
    { Classification: 'spark-defaults', Properties: { 'spark.decommission.enabled': 'true', 'spark.dynamicAllocation.enabled': 'true' } },
    { Classification: 'spark-env', Properties: {}, Configurations: [{ Classification: 'export', Properties: { PYSPARK_PYTHON: '/usr/bin/python3' } }] },
    { Classification: 'livy-conf', Properties: { 'livy.server.session.timeout': '4h' } },
  ],
  BootstrapActions: [
    {
      Name: 'install-python-deps',
      ScriptBootstrapAction: { Path: 's3://acme-emr-artifacts/bootstrap/install-deps.sh', Args: ['--requirements', 's3://acme-emr-artifacts/requirements.txt'] },
    },
    { Name: 'configure-cloudwatch-agent', ScriptBootstrapAction: { Path: 's3://acme-emr-artifacts/bootstrap/cw-agent.sh', Args: [] } },
  ],
  ServiceRole: 'EMR_DefaultRole_V2',
  JobFlowRole: 'EMR_EC2_DefaultRole',
  AutoScalingRole: 'EMR_AutoScaling_DefaultRole',
  SecurityConfiguration: 'analytics-at-rest-encryption',
  ScaleDownBehavior: 'TERMINATE_AT_TASK_COMPLETION',
  CustomAmiId: 'ami-0c0ffee1234567890',
  EbsRootVolumeSize: 64,
  EbsRootVolumeIops: 3000,
  EbsRootVolumeThroughput: 125,
  RepoUpgradeOnBoot: 'SECURITY',
  StepConcurrencyLevel: 4,
  VisibleToAllUsers: true,
  PlacementGroupConfigs: [],
  AutoTerminationPolicy: { IdleTimeout: 14400 },
  Tags: [
    { Key: 'team', Value: 'data-platform' },
    { Key: 'cost-center', Value: 'cc-4410' },
  ],
  Instances: {
    Ec2KeyName: 'emr-ops',
    Ec2SubnetId: SUBNET_A,
    EmrManagedMasterSecurityGroup: 'sg-0m0000000000000a1',
    EmrManagedSlaveSecurityGroup: 'sg-0s0000000000000a2',
    ServiceAccessSecurityGroup: 'sg-0sa000000000000a3',
    AdditionalMasterSecurityGroups: ['sg-0livy00000000nlb4'],
    KeepJobFlowAliveWhenNoSteps: true,
    TerminationProtected: true,
    UnhealthyNodeReplacement: true,
    InstanceGroups: [
      {
        Name: 'Primary',
        InstanceRole: 'MASTER',
        Market: 'ON_DEMAND',
        InstanceType: 'm5.xlarge',
        InstanceCount: 1,
        EbsConfiguration: {
          EbsBlockDeviceConfigs: [{ VolumeSpecification: { VolumeType: 'gp3', SizeInGB: 32, Iops: 3000, Throughput: 125 }, VolumesPerInstance: 2 }],
          EbsOptimized: true,
        },
      },
      {
        Name: 'Core',
        InstanceRole: 'CORE',
        Market: 'ON_DEMAND',
        InstanceType: 'r5.2xlarge',
        InstanceCount: 3,
        Configurations: [{ Classification: 'yarn-site', Properties: { 'yarn.nodemanager.resource.memory-mb': '57344' } }],
        EbsConfiguration: {
          EbsBlockDeviceConfigs: [
            { VolumeSpecification: { VolumeType: 'gp2', SizeInGB: 256 }, VolumesPerInstance: 2 },
            { VolumeSpecification: { VolumeType: 'io1', SizeInGB: 100, Iops: 5000 }, VolumesPerInstance: 1 },
          ],
          EbsOptimized: true,
        },
      },
      {
        Name: 'Task - spot',
        InstanceRole: 'TASK',
        Market: 'SPOT',
        BidPrice: '0.252',
        InstanceType: 'r5.2xlarge',
        InstanceCount: 4,
        EbsConfiguration: { EbsOptimized: false },
        AutoScalingPolicy: {
          Constraints: { MinCapacity: 2, MaxCapacity: 20 },
          Rules: [
            {
              Name: 'ScaleOutMemoryPercentage',
              Description: 'Scale out if YARNMemoryAvailablePercentage is less than 15',
              Action: { SimpleScalingPolicyConfiguration: { AdjustmentType: 'CHANGE_IN_CAPACITY', ScalingAdjustment: 2, CoolDown: 300 } },
              Trigger: {
                CloudWatchAlarmDefinition: {
                  ComparisonOperator: 'LESS_THAN',
                  EvaluationPeriods: 1,
                  MetricName: 'YARNMemoryAvailablePercentage',
                  Namespace: 'AWS/ElasticMapReduce',
                  Period: 300,
                  Statistic: 'AVERAGE',
                  Threshold: 15,
                  Unit: 'PERCENT',
                  Dimensions: [{ Key: 'JobFlowId', Value: '${emr.clusterId}' }],
                },
              },
            },
          ],
        },
      },
    ],
  },
};

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
      oldMasterIp: '10.0.1.25',
      targetGroups: [
        { arn: LIVY_TG, port: 8998 },
        { arn: RM_TG, port: 8088 },
      ],
      source: 'cloned',
    });
  });

  it('changes only the placement, the name and the tags of the source cluster', () => {
    expect(changedPaths(analyticsAsCreated, plan.runJobFlow).sort()).toEqual(['Instances.Ec2SubnetId', 'Name', 'Tags']);
    expect(plan.runJobFlow.Name).toBe('analytics-dr-20260301T120000Z');
    expect(plan.runJobFlow.Instances?.Ec2SubnetId).toBe(SUBNET_B);
    expect(plan.runJobFlow.Tags).toEqual([
      { Key: 'team', Value: 'data-platform' },
      { Key: 'cost-center', Value: 'cc-4410' },
      { Key: 'lifeguard:replaces', Value: 'j-2AXXXXXXGAPLF' },
      { Key: 'lifeguard:cluster', Value: 'analytics' },
    ]);
  });

  it('builds a request the SDK serializes unchanged (every member is a real RunJobFlow member)', async () => {
    const request: RunJobFlowCommandInput = plan.runJobFlow;
    const sent = await serializeRunJobFlow(request);
    expect(sent.target).toBe('ElasticMapReduce.RunJobFlow');
    expect(sent.body).toEqual(JSON.parse(JSON.stringify(request)));
  });

  it('is plain JSON (it travels through Step Functions)', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('reads the describe calls with the right filters', () => {
    expect(emr.commandCalls(ListInstancesCommand)[0]?.args[0].input).toEqual({
      ClusterId: 'j-2AXXXXXXGAPLF',
      InstanceGroupTypes: ['MASTER'],
      InstanceStates: ['RUNNING'],
      Marker: undefined,
    });
    expect(emr.commandCalls(ListInstanceFleetsCommand)).toHaveLength(0);
    expect(emr.commandCalls(RunJobFlowCommand)).toHaveLength(0);
  });
});

describe('planFailover: instance fleets, cloned', () => {
  it('maps fleets to InstanceFleetConfigs and places them with Ec2SubnetIds', async () => {
    const plan = await planFor('j-3FLEETXXXXXXX');
    const { Instances } = plan.runJobFlow;
    expect(plan).toMatchObject({ cluster: 'streaming', sourceAvailabilityZone: 'us-east-1b', targetSubnetId: SUBNET_C, oldMasterIp: '10.0.2.40' });
    expect(Instances?.Ec2SubnetIds).toEqual([SUBNET_C]);
    expect(Instances?.Ec2SubnetId).toBeUndefined();
    expect(Instances?.InstanceGroups).toBeUndefined();
    expect(Instances?.AdditionalSlaveSecurityGroups).toEqual(['sg-0extra000000000b4']);
    expect(Instances?.AdditionalMasterSecurityGroups).toBeUndefined();
    expect(Instances?.InstanceFleets).toEqual([
      {
        Name: 'Primary',
        InstanceFleetType: 'MASTER',
        TargetOnDemandCapacity: 1,
        TargetSpotCapacity: 0,
        InstanceTypeConfigs: [
          {
            InstanceType: 'm5.xlarge',
            WeightedCapacity: 1,
            BidPriceAsPercentageOfOnDemandPrice: 100,
            EbsConfiguration: { EbsBlockDeviceConfigs: [{ VolumeSpecification: { VolumeType: 'gp2', SizeInGB: 32 }, VolumesPerInstance: 1 }], EbsOptimized: true },
          },
          {
            InstanceType: 'm6i.xlarge',
            WeightedCapacity: 1,
            BidPriceAsPercentageOfOnDemandPrice: 100,
            EbsConfiguration: { EbsBlockDeviceConfigs: [{ VolumeSpecification: { VolumeType: 'gp2', SizeInGB: 32 }, VolumesPerInstance: 1 }], EbsOptimized: true },
          },
        ],
        LaunchSpecifications: { OnDemandSpecification: { AllocationStrategy: 'lowest-price' } },
      },
      {
        Name: 'Core',
        InstanceFleetType: 'CORE',
        TargetOnDemandCapacity: 8,
        TargetSpotCapacity: 8,
        InstanceTypeConfigs: [
          {
            InstanceType: 'r5.2xlarge',
            WeightedCapacity: 4,
            BidPrice: '0.3',
            Configurations: [{ Classification: 'yarn-site', Properties: { 'yarn.nodemanager.resource.memory-mb': '57344' } }],
            EbsConfiguration: {
              EbsBlockDeviceConfigs: [{ VolumeSpecification: { VolumeType: 'gp3', SizeInGB: 128, Iops: 3000, Throughput: 125 }, VolumesPerInstance: 2 }],
              EbsOptimized: true,
            },
            Priority: 0,
          },
          {
            InstanceType: 'r6i.2xlarge',
            WeightedCapacity: 4,
            BidPriceAsPercentageOfOnDemandPrice: 80,
            EbsConfiguration: {
              EbsBlockDeviceConfigs: [{ VolumeSpecification: { VolumeType: 'gp3', SizeInGB: 128, Iops: 3000, Throughput: 125 }, VolumesPerInstance: 2 }],
              EbsOptimized: true,
            },
            Priority: 1,
          },
        ],
        LaunchSpecifications: {
          SpotSpecification: { TimeoutDurationMinutes: 20, TimeoutAction: 'SWITCH_TO_ON_DEMAND', AllocationStrategy: 'price-capacity-optimized' },
          OnDemandSpecification: { AllocationStrategy: 'lowest-price' },
        },
        ResizeSpecifications: {
          SpotResizeSpecification: { TimeoutDurationMinutes: 60, AllocationStrategy: 'price-capacity-optimized' },
          OnDemandResizeSpecification: { TimeoutDurationMinutes: 60, AllocationStrategy: 'lowest-price' },
        },
      },
    ]);
    expect(plan.runJobFlow).toMatchObject({
      Name: 'streaming-dr-20260301T120000Z',
      JobFlowRole: 'EMR_EC2_StreamingRole',
      ManagedScalingPolicy: { ComputeLimits: { UnitType: 'InstanceFleetUnits', MinimumCapacityUnits: 16, MaximumCapacityUnits: 64 } },
      Tags: [
        { Key: 'team', Value: 'streaming' },
        { Key: 'lifeguard:replaces', Value: 'j-3FLEETXXXXXXX' },
        { Key: 'lifeguard:cluster', Value: 'streaming' },
      ],
    });
    expect(plan.runJobFlow.AutoTerminationPolicy).toBeUndefined();
    expect(plan.runJobFlow.BootstrapActions).toEqual([]);
    expect(emr.commandCalls(ListInstancesCommand)[0]?.args[0].input).toMatchObject({ InstanceFleetType: 'MASTER', InstanceStates: ['RUNNING'] });
    const sent = await serializeRunJobFlow(plan.runJobFlow);
    expect(sent.body).toEqual(JSON.parse(JSON.stringify(plan.runJobFlow)));
  });
});

describe('planFailover: placement', () => {
  it('never chooses the failed zone, even when it is the only candidate', async () => {
    config = baseConfig({ placement: { candidateSubnetIds: [SUBNET_A] } });
    zoneStates = { 'us-east-1a': 'available' }; // the zone looks fine to EC2: still the failed one
    await expect(planFor('analytics')).rejects.toThrow(
      /no zone fits the replacement \(failed zone us-east-1a, VPC vpc-0d1d1d1d1d1d1d1d1, needs .*\): us-east-1a \(subnet-0a1a1a1a1a1a1a1a1\): the failed zone$/,
    );
  });

  it('skips a zone EC2 does not report available', async () => {
    zoneStates = { 'us-east-1b': 'impaired' };
    const plan = await planFor('analytics');
    expect(plan.targetSubnetId).toBe(SUBNET_C);
    expect(plan.targetAvailabilityZone).toBe('us-east-1c');
  });

  it('names every rejected candidate and why', async () => {
    config = baseConfig({ placement: { candidateSubnetIds: [SUBNET_A, SUBNET_OTHER_VPC, SUBNET_B, 'subnet-0999999999999999f'] } });
    zoneStates = { 'us-east-1b': 'unavailable' };
    const error = await planFor('analytics').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain("cannot plan a failover of 'analytics'");
    expect(message).toContain('subnet-0999999999999999f: not found');
    expect(message).toContain(`${SUBNET_OTHER_VPC}: in VPC vpc-0f0f0f0f0f0f0f0f0, not the cluster's vpc-0d1d1d1d1d1d1d1d1`);
    expect(message).toContain(`us-east-1b (${SUBNET_B}): zone is unavailable`);
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
      ServiceRole: 'EMR_DefaultRole_V2',
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
    expect(emr.commandCalls(ListInstanceGroupsCommand)).toHaveLength(0);
    expect(emr.commandCalls(ListBootstrapActionsCommand)).toHaveLength(0);
    expect(template.Instances.Ec2SubnetId).toBe(SUBNET_A); // the stored template itself is untouched
  });
  it('keeps a replacement from a template alive with no steps (its Steps stay: RunJobFlow takes them)', async () => {
    const template = {
      Name: 'analytics',
      ReleaseLabel: 'emr-7.2.0',
      ServiceRole: 'EMR_DefaultRole_V2',
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
        ServiceRole: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2',
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
    config = baseConfig({ runJobFlowTemplate: template({ ServiceRole: 'arn:aws:iam::999999999999:role/EMR_DefaultRole_V2', JobFlowRole: 'EMR_EC2_DefaultRole' }) });
    await expect(planFor('analytics')).rejects.toThrow(/ServiceRole 'arn:aws:iam::999999999999:role\/EMR_DefaultRole_V2' is not/);
  });

  it('refuses an AutoScalingRole when the configuration names none, and a missing service role', async () => {
    config = baseConfig({ roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' } });
    await expect(planFor('analytics')).rejects.toThrow(/AutoScalingRole 'EMR_AutoScaling_DefaultRole' is set but dr\.clusters\[analytics\]\.roles\.autoScaling is not configured/);
    config = baseConfig({ runJobFlowTemplate: template({ JobFlowRole: 'EMR_EC2_DefaultRole' }) });
    await expect(planFor('analytics')).rejects.toThrow(/ServiceRole is missing/);
  });

  it('checks the instance profile name when it differs from the role name', async () => {
    const roles = { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/streaming-instances' };
    config = baseConfig({}, { roles });
    await expect(planFor('streaming')).rejects.toThrow(/JobFlowRole 'EMR_EC2_StreamingRole' is not the instance profile of dr.clusters\[streaming\].roles.instance \(streaming-instances\)/);
    config = baseConfig({}, { roles: { ...roles, instanceProfile: 'EMR_EC2_StreamingRole' } });
    await expect(planFor('streaming')).resolves.toMatchObject({ cluster: 'streaming' });
  });
});

describe('planFailover: load balancer zones', () => {
  it('places the replacement only in a zone the NLB serves', async () => {
    nlbZones = ['us-east-1a', 'us-east-1c'];
    const plan = await planFor('analytics');
    expect(plan.targetAvailabilityZone).toBe('us-east-1c');
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)[0]?.args[0].input).toEqual({ LoadBalancerArns: [NLB] });
  });

  it('names the NLB zones when no candidate is in one of them', async () => {
    nlbZones = ['us-east-1a'];
    await expect(planFor('analytics')).rejects.toThrow(`us-east-1b (${SUBNET_B}): not enabled on the load balancer (it serves us-east-1a)`);
  });
});

describe('planFailover: zones that fit the cluster', () => {
  it('drops a zone that does not offer one of the instance types, and says why for every candidate zone', async () => {
    notOffered = { 'us-east-1b': ['r5.2xlarge'] };
    const plan = await planFor('analytics');
    expect(plan.zones).toEqual([
      { zone: 'us-east-1a', kept: false, why: 'the failed zone', subnetIds: [SUBNET_A] },
      { zone: 'us-east-1b', kept: false, why: 'EC2 offers no r5.2xlarge (core), r5.2xlarge (task) there', subnetIds: [SUBNET_B] },
      { zone: 'us-east-1c', kept: true, why: 'offers m5.xlarge, r5.2xlarge; 1 usable subnet(s)', subnetIds: [SUBNET_C] },
    ]);
    expect(plan.placements).toEqual([{ zone: 'us-east-1c', subnetIds: [SUBNET_C], instances: { Ec2SubnetId: SUBNET_C } }]);
    expect(plan.runJobFlow.Instances?.Ec2SubnetId).toBe(SUBNET_C);
    // One read of the offerings, for the zones nothing else ruled out.
    const asked = ec2.commandCalls(DescribeInstanceTypeOfferingsCommand).map((c) => c.args[0].input);
    expect(asked).toEqual([
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
    notOffered = { 'us-east-1b': ['r5.2xlarge'], 'us-east-1c': ['m5.xlarge', 'r5.2xlarge'] };
    const error = await planFor('analytics').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain('no zone fits the replacement (failed zone us-east-1a');
    expect(message).toContain(`us-east-1b (${SUBNET_B}): EC2 offers no r5.2xlarge (core), r5.2xlarge (task) there`);
    expect(message).toContain(`us-east-1c (${SUBNET_C}): EC2 offers no m5.xlarge (master), r5.2xlarge (core), r5.2xlarge (task) there`);
    expect(emr.commandCalls(RunJobFlowCommand)).toEqual([]);
  });

  it('keeps a zone for an instance fleet that offers one type of each fleet, and drops one that offers none of a fleet', async () => {
    config = baseConfig({}, { placement: { subnetTags: { 'lifeguard:dr': 'true' } } });
    notOffered = { 'us-east-1c': ['m5.xlarge', 'r5.2xlarge'] };
    const plan = await planFor('j-3FLEETXXXXXXX');
    expect(plan.zones.find((z) => z.zone === 'us-east-1c')).toMatchObject({ kept: true });
    notOffered = { 'us-east-1a': ['m5.xlarge', 'm6i.xlarge'], 'us-east-1c': ['m5.xlarge', 'm6i.xlarge'] };
    await expect(planFor('j-3FLEETXXXXXXX')).rejects.toThrow(`EC2 offers no m5.xlarge or m6i.xlarge (master fleet) there`);
  });

  it('passes every fitting subnet of an instance fleet in one attempt: EMR chooses the zone', async () => {
    const plan = await planFor('j-3FLEETXXXXXXX');
    const kept = plan.zones.filter((z) => z.kept);
    const subnets = kept.flatMap((z) => z.subnetIds);
    expect(plan.placements).toEqual([{ zone: kept.map((z) => z.zone).join(', '), subnetIds: subnets, instances: { Ec2SubnetIds: subnets } }]);
    expect(plan.runJobFlow.Instances?.Ec2SubnetIds).toEqual(subnets);
  });
});

describe('planFailover: what is missing', () => {
  it('rejects a cluster that is not configured', async () => {
    await expect(planFor('j-UNKNOWN00000')).rejects.toThrow(/'j-UNKNOWN00000' is not configured/);
  });

  it('reports a configured cluster EMR does not know', async () => {
    delete clusters['j-2AXXXXXXGAPLF'];
    await expect(planFor('analytics')).rejects.toThrow(/EMR cluster j-2AXXXXXXGAPLF not found: Cluster id 'j-2AXXXXXXGAPLF' is not valid\./);
  });

  it('falls back to the last master that had an IP when none is running (it is still registered)', async () => {
    masters['j-2AXXXXXXGAPLF'] = {
      Instances: [
        { PrivateIpAddress: '10.0.1.9', Status: { State: 'TERMINATED', Timeline: { CreationDateTime: new Date('2026-01-01T00:00:00Z') } } },
        { PrivateIpAddress: '10.0.1.25', Status: { State: 'TERMINATED', Timeline: { CreationDateTime: new Date('2026-02-10T08:13:20Z') } } },
      ],
      $metadata: {},
    };
    expect((await planFor('analytics')).oldMasterIp).toBe('10.0.1.25');
  });

  it('fails when no master with an IP exists at all', async () => {
    masters['j-2AXXXXXXGAPLF'] = { Instances: [], $metadata: {} };
    await expect(planFor('analytics')).rejects.toThrow(/no running master instance in EMR cluster j-2AXXXXXXGAPLF/);
  });

  it('names target groups that are missing, not IP-typed, or on another port', async () => {
    const missing = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/ffffffffffffffff';
    config = baseConfig({ targetGroups: [{ arn: LIVY_TG, port: 8088 }, { arn: missing }] });
    const message = await planFor('analytics').then(() => '', (e: Error) => e.message);
    expect(message).toContain(`${LIVY_TG}: listens on port 8998 but the configuration says 8088`);
    expect(message).toContain(`${missing}: not found`);
  });

  it('refuses to clone a Kerberized cluster (DescribeCluster hides the KDC password)', async () => {
    const kerberized = fixture<DescribeClusterCommandOutput>('describe-cluster-groups');
    kerberized.Cluster!.KerberosAttributes = { Realm: 'EC2.INTERNAL', KdcAdminPassword: undefined };
    clusters['j-2AXXXXXXGAPLF'] = kerberized;
    await expect(planFor('analytics')).rejects.toThrow(/uses Kerberos.*store a runJobFlowTemplate/);
  });
});

describe('planFailover: after an earlier failover', () => {
  /** The configured cluster (in `oldState`) and an active replacement j-1REPLACEMENT01 (master 10.0.32.7) in us-east-1c. */
  function withReplacement(oldState: string) {
    const old = fixture<DescribeClusterCommandOutput>('describe-cluster-groups');
    old.Cluster!.Status = { State: oldState as 'TERMINATED', StateChangeReason: { Code: 'USER_REQUEST' } };
    const successor = fixture<DescribeClusterCommandOutput>('describe-cluster-groups');
    Object.assign(successor.Cluster!, {
      Id: 'j-1REPLACEMENT01',
      Name: 'analytics-dr-20260215T101500Z',
      Tags: [...successor.Cluster!.Tags!, { Key: 'lifeguard:replaces', Value: 'j-2AXXXXXXGAPLF' }, { Key: 'lifeguard:cluster', Value: 'analytics' }],
    });
    successor.Cluster!.Ec2InstanceAttributes = { ...successor.Cluster!.Ec2InstanceAttributes, Ec2SubnetId: SUBNET_C, Ec2AvailabilityZone: 'us-east-1c' };
    const unrelated = fixture<DescribeClusterCommandOutput>('describe-cluster-fleets');
    clusters = { 'j-2AXXXXXXGAPLF': old, 'j-1REPLACEMENT01': successor, 'j-3FLEETXXXXXXX': unrelated };
    masters['j-1REPLACEMENT01'] = {
      Instances: [{ PrivateIpAddress: '10.0.32.7', Status: { State: 'RUNNING' } }],
      $metadata: {},
    };
    emr.on(ListInstanceGroupsCommand, { ClusterId: 'j-1REPLACEMENT01' }).resolves(fixture('list-instance-groups'));
    emr.on(ListBootstrapActionsCommand, { ClusterId: 'j-1REPLACEMENT01' }).resolves(fixture('list-bootstrap-actions'));
    emr.on(GetAutoTerminationPolicyCommand, { ClusterId: 'j-1REPLACEMENT01' }).resolves({});
    emr.on(GetManagedScalingPolicyCommand, { ClusterId: 'j-1REPLACEMENT01' }).resolves({});
    emr.on(ListClustersCommand).resolves({
      Clusters: [
        { Id: 'j-3FLEETXXXXXXX', Status: { State: 'RUNNING', Timeline: { CreationDateTime: new Date('2026-01-10T03:15:02Z') } } },
        { Id: 'j-1REPLACEMENT01', Status: { State: 'WAITING', Timeline: { CreationDateTime: new Date('2026-02-15T10:15:00Z') } } },
      ],
    });
  }

  it('follows the lifeguard:cluster tag from the terminated configured cluster to its active replacement', async () => {
    withReplacement('TERMINATED');
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: 'j-1REPLACEMENT01', sourceAvailabilityZone: 'us-east-1c', oldMasterIp: '10.0.32.7', targetSubnetId: SUBNET_B });
    expect(plan.runJobFlow.Name).toBe('analytics-dr-20260301T120000Z');
    expect(plan.runJobFlow.Tags?.filter((t) => t.Key?.startsWith('lifeguard:'))).toEqual([
      { Key: 'lifeguard:replaces', Value: 'j-1REPLACEMENT01' },
      { Key: 'lifeguard:cluster', Value: 'analytics' },
    ]);
    expect(emr.commandCalls(ListClustersCommand)[0]?.args[0].input).toMatchObject({ ClusterStates: ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] });
  });

  it('clones the terminated configured cluster when no replacement is active', async () => {
    clusters['j-2AXXXXXXGAPLF']!.Cluster!.Status = { State: 'TERMINATED_WITH_ERRORS' };
    emr.on(ListClustersCommand).resolves({ Clusters: [{ Id: 'j-3FLEETXXXXXXX', Status: { State: 'RUNNING' } }] });
    const plan = await planFor('analytics');
    expect(plan.sourceClusterId).toBe('j-2AXXXXXXGAPLF');
  });
  it('after a drill that kept the old cluster, fails over the cluster the target groups route to, not the idle configured one', async () => {
    withReplacement('WAITING');
    // The drill moved the targets: the replacement's master is registered (and failing), the kept cluster's is not.
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ Target: { Id: '10.0.32.7', Port: 8998 }, TargetHealth: { State: 'unhealthy' } }],
    });
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: 'j-1REPLACEMENT01', oldMasterIp: '10.0.32.7' });
    expect(plan.runJobFlow.Tags).toContainEqual({ Key: 'lifeguard:replaces', Value: 'j-1REPLACEMENT01' });
  });

  it('keeps the configured cluster as the source while its master is the one registered', async () => {
    withReplacement('WAITING');
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.25', Port: 8998 }, TargetHealth: { State: 'unhealthy' } },
        { Target: { Id: '10.0.32.7', Port: 8998 }, TargetHealth: { State: 'draining' } },
      ],
    });
    const plan = await planFor('analytics');
    expect(plan).toMatchObject({ sourceClusterId: 'j-2AXXXXXXGAPLF', oldMasterIp: '10.0.1.25' });
    expect(emr.commandCalls(ListClustersCommand)).toHaveLength(0);
  });
});

describe('replacementName', () => {
  it('stamps the time and replaces an earlier stamp instead of stacking it', () => {
    expect(replacementName('analytics', NOW)).toBe('analytics-dr-20260301T120000Z');
    expect(replacementName('analytics-dr-20260110T031500Z', NOW)).toBe('analytics-dr-20260301T120000Z');
    expect(replacementName('x'.repeat(300), NOW)).toHaveLength(256);
  });
});
