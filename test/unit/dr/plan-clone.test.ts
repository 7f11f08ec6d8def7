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
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  RunJobFlowCommand,
  type DescribeClusterCommandOutput,
  type ListInstancesCommandOutput,
  type RunJobFlowCommandInput,
} from '@aws-sdk/client-emr';
import { drConfigSchema, type DrConfig } from '../../../lib/config/dr.ts';
import { planFailover, type TypedFailoverPlan } from '../../../lib/dr/plan.ts';

/**
 * What planFailover makes of clusters the DR sandbox cannot describe, answered from recorded EMR
 * responses (test/fixtures/emr) through scripted SDK clients. The sandbox EMR (sandbox/dr/emr.ts)
 * describes every cluster as two instance groups with fixed security groups, no custom AMI, EBS,
 * policies, instance fleets or Kerberos, and exactly one master with an IP: a clone that must carry
 * all of those, and masters it cannot have (several earlier ones, or none with an IP), are checked
 * here. Everything else about the plan is checked against the sandbox in plan.test.ts.
 */

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

describe('planFailover: a clone of a cluster made with everything EMR describes', () => {
  let plan: TypedFailoverPlan;
  beforeEach(async () => {
    plan = await planFor('analytics');
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

describe('planFailover: masters the sandbox EMR cannot describe', () => {
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

  it('refuses to clone a Kerberized cluster (DescribeCluster hides the KDC password)', async () => {
    const kerberized = fixture<DescribeClusterCommandOutput>('describe-cluster-groups');
    kerberized.Cluster!.KerberosAttributes = { Realm: 'EC2.INTERNAL', KdcAdminPassword: undefined };
    clusters['j-2AXXXXXXGAPLF'] = kerberized;
    await expect(planFor('analytics')).rejects.toThrow(/uses Kerberos.*store a runJobFlowTemplate/);
  });
});
