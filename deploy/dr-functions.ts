import type { LifeguardConfig } from '../lib/config/schema.ts';
import { CLUSTER_TAG } from '../lib/dr/tags.ts';
import { LOCK_TABLE_ENV } from '../lib/dr/last-seen.ts';
import { emrClusterArn, getAtt, lambdaRole, ref, type IamStatement } from './cfn.ts';
import { FAILOVER_TASK_LAMBDAS, LOCK_TABLE_ID } from './dr-ids.ts';

/**
 * The DR Lambdas: the scheduled probe and the failover's task functions, each with its own role.
 * `functionName` gives a function's deployed name from its key.
 */
export function drFunctions(config: LifeguardConfig, functionName: (key: string) => string) {
  const clusters = config.dr.clusters;
  // Without a probe address the probes ask the target groups which master serves (lib/dr/serving-master.ts).
  const findsMaster: IamStatement[] = clusters.some((c) => !c.probe.address)
    ? [{ Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth'], Resource: '*' }]
    : [];
  const roles = {
    // The scheduled probe keeps what each healthy cluster runs in the lock table (lib/dr/last-seen.ts).
    DrProbeRole: lambdaRole(functionName('drProbe'), [
      ...findsMaster,
      ...(clusters.length ? [{ Effect: 'Allow' as const, Action: ['dynamodb:PutItem'], Resource: getAtt(LOCK_TABLE_ID, 'Arn') }] : []),
    ]),
    DrConfirmRole: lambdaRole(functionName('drConfirm'), findsMaster),
    DrValidateRole: lambdaRole(functionName('drValidate'), []),
    DrReportRole: lambdaRole(functionName('drReport'), []),
    DrAttemptRole: lambdaRole(functionName('drAttempt'), []),
    DrPlanRole: lambdaRole(functionName('drPlan'), planStatements(config)),
    DrStepsRole: lambdaRole(functionName('drSteps'), stepsStatements(config)),
  };

  const functions: Record<string, unknown> = {
    drProbe: {
      handler: 'functions/dr-probe.handler',
      description: 'Probes every protected EMR cluster and publishes Lifeguard/ClusterHealthy',
      role: 'DrProbeRole',
      timeout: 50,
      memorySize: 256,
      // A missed minute is covered by the next run; retries would only pile up.
      maximumRetryAttempts: 0,
      environment: { [LOCK_TABLE_ENV]: ref(LOCK_TABLE_ID) },
      events: clusters.length ? [{ schedule: { rate: ['rate(1 minute)'], enabled: true } }] : [],
    },
    ...Object.fromEntries(
      Object.entries(FAILOVER_TASK_LAMBDAS).map(([key, l]) => [
        key,
        {
          handler: l.handler,
          description: l.description,
          role: `${key.charAt(0).toUpperCase()}${key.slice(1)}Role`,
          // The planner's reads back off when throttled (6 attempts, up to ~30 s each in the worst case).
          timeout: key === 'drPlan' ? 120 : 30,
          memorySize: 256,
        },
      ]),
    ),
  };
  return { roles, functions };
}

/**
 * The steps task reads the steps of the old cluster (a configured one, or a replacement by its tag)
 * and adds steps only to a replacement: a cluster carrying Lifeguard's tag.
 */
function stepsStatements(config: LifeguardConfig): IamStatement[] {
  const clusters = config.dr.clusters;
  if (!clusters.length) return [];
  const tagged = { StringEquals: { [`elasticmapreduce:ResourceTag/${CLUSTER_TAG}`]: clusters.map((c) => c.name) } };
  return [
    { Effect: 'Allow', Action: ['elasticmapreduce:ListSteps'], Resource: clusters.map((c) => emrClusterArn(c.clusterId)) },
    { Effect: 'Allow', Action: ['elasticmapreduce:ListSteps', 'elasticmapreduce:AddJobFlowSteps'], Resource: emrClusterArn('*'), Condition: tagged },
  ];
}

/** The planner reads the source cluster, subnets/zones and target groups; it changes nothing. */
function planStatements(config: LifeguardConfig): IamStatement[] {
  const clusters = config.dr.clusters;
  const names = clusters.map((c) => c.name);
  if (!clusters.length) return [];
  const reads = [
    'elasticmapreduce:DescribeCluster',
    'elasticmapreduce:ListInstances',
    'elasticmapreduce:ListInstanceGroups',
    'elasticmapreduce:ListInstanceFleets',
    'elasticmapreduce:ListBootstrapActions',
    'elasticmapreduce:GetAutoTerminationPolicy',
    'elasticmapreduce:GetManagedScalingPolicy',
  ];
  return [
    // A configured standby by its ARN too: the plan reads an untagged one to say it needs the tags.
    { Effect: 'Allow', Action: reads, Resource: clusters.flatMap((c) => [c.clusterId, ...(c.standby ? [c.standby.clusterId] : [])]).map(emrClusterArn) },
    { Effect: 'Allow', Action: reads, Resource: emrClusterArn('*'), Condition: { StringEquals: { [`elasticmapreduce:ResourceTag/${CLUSTER_TAG}`]: names } } },
    // These calls support no resource-level permissions. ListClusters and DescribeTargetHealth find
    // the cluster that serves now (a replacement, after a failover or a drill: lib/dr/emr-source.ts);
    // DescribeLoadBalancers gives the zones the load balancer serves (lib/dr/target-groups.ts);
    // DescribeInstanceTypeOfferings, the zones that offer the replacement's instance types
    // (lib/dr/instance-type-offerings.ts): a read, like every Describe* of EC2.
    {
      Effect: 'Allow',
      Action: [
        'elasticmapreduce:ListClusters',
        'ec2:DescribeSubnets',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstanceTypeOfferings',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeLoadBalancers',
      ],
      Resource: '*',
    },
  ];
}
