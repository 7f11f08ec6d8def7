import type { LifeguardConfig } from '../lib/config/schema.ts';
import { CLUSTER_DIMENSION, CLUSTER_HEALTHY_METRIC, HEALTH_NAMESPACE, PROBE_SERVICE_NAME } from '../lib/dr/health-report.ts';
import { failoverDefinition } from '../statemachines/failover.ts';
import { eventBridgeDeadLetterQueue, getAtt, lambdaRole, ref, serviceRole, sub, type IamStatement } from './cfn.ts';

/**
 * The disaster-recovery part of the stack: the scheduled probe and its per-cluster alarms, the
 * EventBridge rule that turns an alarm into a failover execution (retry policy + DLQ), the
 * failover state machine with its own hand-written role, its Lambdas and the lock table.
 */

export interface DrStackOptions {
  service?: string;
  stage?: string;
}

const LAMBDAS = {
  drValidate: { logicalId: 'DrValidateLambdaFunction', handler: 'functions/dr-validate.handler', description: 'Failover: validates the input and sets up the execution' },
  drConfirm: { logicalId: 'DrConfirmLambdaFunction', handler: 'functions/dr-probe.confirmHandler', description: 'Failover: one health probe of an EMR cluster' },
  drPlan: { logicalId: 'DrPlanLambdaFunction', handler: 'functions/dr-plan.handler', description: 'Failover: plans the replacement cluster (read-only)' },
  drReport: { logicalId: 'DrReportLambdaFunction', handler: 'functions/dr-report.handler', description: 'Failover: RTO breakdown per phase' },
} as const;

export const FAILOVER_STATE_MACHINE_ID = 'FailoverStateMachine';
export const FAILOVER_ROLE_ID = 'FailoverStateMachineRole';
export const LOCK_TABLE_ID = 'FailoverLockTable';

export function alarmName(service: string, stage: string, cluster: string): string {
  return `${service}-${stage}-emr-${cluster}-unhealthy`;
}

export function failoverStateMachineDefinition(config: LifeguardConfig) {
  return failoverDefinition({
    validateFunction: getAtt(LAMBDAS.drValidate.logicalId, 'Arn'),
    confirmFunction: getAtt(LAMBDAS.drConfirm.logicalId, 'Arn'),
    planFunction: getAtt(LAMBDAS.drPlan.logicalId, 'Arn'),
    reportFunction: getAtt(LAMBDAS.drReport.logicalId, 'Arn'),
    lockTable: ref(LOCK_TABLE_ID),
    eventSource: config.eventSource,
  });
}

/** What the failover state machine's role may do: exactly the calls its Task states make. */
export function failoverStateMachineStatements(config: LifeguardConfig): IamStatement[] {
  const clusters = config.dr.clusters;
  const names = clusters.map((c) => c.name);
  const clusterArn = (id: string) => sub(`arn:\${AWS::Partition}:elasticmapreduce:\${AWS::Region}:\${AWS::AccountId}:cluster/${id}`);
  const lifecycle = ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListInstances', 'elasticmapreduce:SetTerminationProtection', 'elasticmapreduce:TerminateJobFlows'];
  const targetGroups = [...new Set(clusters.flatMap((c) => c.targetGroups.map((g) => g.arn)))];
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: Object.values(LAMBDAS).flatMap((l) => [getAtt(l.logicalId, 'Arn'), { 'Fn::Join': [':', [getAtt(l.logicalId, 'Arn'), '*']] }]),
    },
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: getAtt(LOCK_TABLE_ID, 'Arn'),
    },
    {
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'),
    },
  ];
  if (!clusters.length) return statements;
  statements.push(
    // Only replacements of configured clusters: the plan tags every request lifeguard:cluster=<name>.
    {
      Effect: 'Allow',
      Action: ['elasticmapreduce:RunJobFlow'],
      Resource: '*',
      Condition: { StringEquals: { 'elasticmapreduce:RequestTag/lifeguard:cluster': names } },
    },
    // The configured clusters by ARN (they may predate Lifeguard's tags) ...
    { Effect: 'Allow', Action: lifecycle, Resource: clusters.map((c) => clusterArn(c.clusterId)) },
    // ... and the replacements Lifeguard creates, by their tag.
    {
      Effect: 'Allow',
      Action: lifecycle,
      Resource: clusterArn('*'),
      Condition: { StringEquals: { 'elasticmapreduce:ResourceTag/lifeguard:cluster': names } },
    },
    // RunJobFlow passes the configured roles, each only to the service that uses it.
    ...passRoleStatements(clusters),
    // RunJobFlow needs EMR's cleanup service-linked role, created on first use.
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/elasticmapreduce.amazonaws.com*/AWSServiceRoleForEMRCleanup*'),
      Condition: { StringLike: { 'iam:AWSServiceName': 'elasticmapreduce.amazonaws.com*' } },
    },
  );
  if (targetGroups.length) {
    statements.push({ Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], Resource: targetGroups });
  }
  // DescribeTargetHealth has no resource-level permissions.
  statements.push({ Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth'], Resource: '*' });
  return statements;
}

export function drResources(config: LifeguardConfig, options: DrStackOptions = {}) {
  const service = options.service ?? 'lifeguard';
  const stage = options.stage ?? 'dev';
  const clusters = config.dr.clusters;
  const fn = (key: string) => `${service}-${stage}-${key}`;
  const resources: Record<string, unknown> = {};

  // Without a probe address the probes ask the target groups which master serves (lib/dr/serving-master.ts).
  const findsMaster: IamStatement[] = clusters.some((c) => !c.probe.address)
    ? [{ Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth'], Resource: '*' }]
    : [];
  resources.DrProbeRole = lambdaRole(fn('drProbe'), findsMaster);
  resources.DrConfirmRole = lambdaRole(fn('drConfirm'), findsMaster);
  resources.DrValidateRole = lambdaRole(fn('drValidate'), []);
  resources.DrReportRole = lambdaRole(fn('drReport'), []);
  resources.DrPlanRole = lambdaRole(fn('drPlan'), planStatements(config));

  const functions: Record<string, unknown> = {
    drProbe: {
      handler: 'functions/dr-probe.handler',
      description: 'Probes every protected EMR cluster and publishes Lifeguard/ClusterHealthy',
      role: 'DrProbeRole',
      timeout: 50,
      memorySize: 256,
      // A missed minute is covered by the next run; retries would only pile up.
      maximumRetryAttempts: 0,
      events: clusters.length ? [{ schedule: { rate: ['rate(1 minute)'], enabled: true } }] : [],
    },
    ...Object.fromEntries(
      Object.entries(LAMBDAS).map(([key, l]) => [
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

  for (const cluster of clusters) {
    const id = logicalName(cluster.name);
    const name = alarmName(service, stage, cluster.name);
    resources[`ClusterHealth${id}Alarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: name,
        AlarmDescription: `EMR cluster ${cluster.name}: ResourceManager, NameNode or Livy failing (starts the failover state machine)`,
        Namespace: HEALTH_NAMESPACE,
        MetricName: CLUSTER_HEALTHY_METRIC,
        Dimensions: [
          { Name: 'service', Value: PROBE_SERVICE_NAME },
          { Name: CLUSTER_DIMENSION, Value: cluster.name },
        ],
        // Any healthy probe in a period keeps it from breaching.
        Statistic: 'Maximum',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        Period: cluster.alarm.periodSeconds,
        EvaluationPeriods: cluster.alarm.evaluationPeriods,
        DatapointsToAlarm: cluster.alarm.datapointsToAlarm,
        // A probe that stops reporting (the cluster's network is gone) must not look healthy.
        TreatMissingData: 'breaching',
      },
    };
    resources[`FailoverTrigger${id}Rule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Starts the failover of EMR cluster ${cluster.name} when its health alarm (or another alarm the config names) fires`,
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: [name, ...cluster.alarm.triggerAlarmNames], state: { value: ['ALARM'] } },
        },
        Targets: [
          {
            Id: 'failover',
            Arn: ref(FAILOVER_STATE_MACHINE_ID),
            RoleArn: getAtt('FailoverTriggerRole', 'Arn'),
            InputTransformer: {
              // The alarm's own state-change time, not the event's: the RTO counts from it.
              InputPathsMap: { alarmAt: '$.detail.state.timestamp' },
              InputTemplate: `{"cluster": ${JSON.stringify(cluster.name)}, "mode": "failover", "dryRun": false, "detectedAt": "<alarmAt>"}`,
            },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: getAtt('FailoverTriggerDeadLetterQueue', 'Arn') },
          },
        ],
      },
    };
  }

  if (clusters.length) {
    resources.FailoverTriggerRole = serviceRole('events.amazonaws.com', 'start-failover', [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: ref(FAILOVER_STATE_MACHINE_ID) }]);
    Object.assign(
      resources,
      eventBridgeDeadLetterQueue('FailoverTriggerDeadLetterQueue', clusters.map((c) => `FailoverTrigger${logicalName(c.name)}Rule`)),
    );
  }

  resources[LOCK_TABLE_ID] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'lockKey', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }],
      // TTL deletion lags; the state machine's condition also treats an expired lock as free.
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
  resources[FAILOVER_ROLE_ID] = serviceRole('states.amazonaws.com', 'failover', failoverStateMachineStatements(config), {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  });

  const stepFunctions = {
    stateMachines: {
      failover: {
        id: FAILOVER_STATE_MACHINE_ID,
        name: `${service}-${stage}-failover`,
        type: 'STANDARD',
        role: getAtt(FAILOVER_ROLE_ID, 'Arn'),
        definition: failoverStateMachineDefinition(config),
      },
    },
  };

  const outputs = {
    FailoverStateMachineArn: {
      Description: 'Set LIFEGUARD_STATE_MACHINE_ARN to this for `lifeguard drill`',
      Value: ref(FAILOVER_STATE_MACHINE_ID),
    },
  };

  return { functions, stepFunctions, resources, outputs };
}

/**
 * `iam:PassRole` for exactly the role ARNs the configuration names, each to its own service
 * principal (StringLike: the `.com.cn` principals of the China partition match too). The plan
 * refuses a request naming any other role (lib/dr/passed-roles.ts).
 */
export function passRoleStatements(clusters: LifeguardConfig['dr']['clusters']): IamStatement[] {
  const byPrincipal: Array<[string, string[]]> = [
    ['elasticmapreduce.amazonaws.com*', clusters.map((c) => c.roles.service)],
    ['ec2.amazonaws.com*', clusters.map((c) => c.roles.instance)],
    ['application-autoscaling.amazonaws.com*', clusters.flatMap((c) => (c.roles.autoScaling ? [c.roles.autoScaling] : []))],
  ];
  return byPrincipal
    .filter(([, arns]) => arns.length)
    .map(([principal, arns]) => ({
      Effect: 'Allow' as const,
      Action: ['iam:PassRole'],
      Resource: [...new Set(arns)],
      Condition: { StringLike: { 'iam:PassedToService': principal } },
    }));
}

/** The planner reads the source cluster, subnets/zones and target groups; it changes nothing. */
function planStatements(config: LifeguardConfig): IamStatement[] {
  const clusters = config.dr.clusters;
  const names = clusters.map((c) => c.name);
  if (!clusters.length) return [];
  const clusterArn = (id: string) => sub(`arn:\${AWS::Partition}:elasticmapreduce:\${AWS::Region}:\${AWS::AccountId}:cluster/${id}`);
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
    { Effect: 'Allow', Action: reads, Resource: clusters.map((c) => clusterArn(c.clusterId)) },
    { Effect: 'Allow', Action: reads, Resource: clusterArn('*'), Condition: { StringEquals: { 'elasticmapreduce:ResourceTag/lifeguard:cluster': names } } },
    // These calls support no resource-level permissions. ListClusters and DescribeTargetHealth find
    // the cluster that serves now (a replacement, after a failover or a drill: lib/dr/emr-source.ts);
    // DescribeLoadBalancers gives the zones the load balancer serves (lib/dr/target-groups.ts).
    {
      Effect: 'Allow',
      Action: [
        'elasticmapreduce:ListClusters',
        'ec2:DescribeSubnets',
        'ec2:DescribeAvailabilityZones',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeLoadBalancers',
      ],
      Resource: '*',
    },
  ];
}

function logicalName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
