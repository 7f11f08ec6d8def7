import type { LifeguardConfig } from '../lib/config/schema.ts';
import { CLUSTER_TAG } from '../lib/dr/tags.ts';
import { emrClusterArn, getAtt, sub, type IamStatement } from './cfn.ts';
import { FAILOVER_TASK_LAMBDAS, LOCK_TABLE_ID } from './dr-ids.ts';

/** What the failover state machine's role may do: exactly the calls its Task states make. */
export function failoverStateMachineStatements(config: LifeguardConfig): IamStatement[] {
  const clusters = config.dr.clusters;
  const names = clusters.map((c) => c.name);
  const lifecycle = ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListInstances', 'elasticmapreduce:SetTerminationProtection', 'elasticmapreduce:TerminateJobFlows'];
  const targetGroups = [...new Set(clusters.flatMap((c) => c.targetGroups.map((g) => g.arn)))];
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: Object.values(FAILOVER_TASK_LAMBDAS).flatMap((l) => [getAtt(l.logicalId, 'Arn'), { 'Fn::Join': [':', [getAtt(l.logicalId, 'Arn'), '*']] }]),
    },
    {
      Effect: 'Allow',
      // GetItem: what the last healthy probe saw running (lib/dr/last-seen.ts), for the report.
      Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
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
      Condition: { StringEquals: { [`elasticmapreduce:RequestTag/${CLUSTER_TAG}`]: names } },
    },
    // The configured clusters by ARN (they may predate Lifeguard's tags) ...
    { Effect: 'Allow', Action: lifecycle, Resource: clusters.map((c) => emrClusterArn(c.clusterId)) },
    // ... and the replacements Lifeguard creates, by their tag.
    {
      Effect: 'Allow',
      Action: lifecycle,
      Resource: emrClusterArn('*'),
      Condition: { StringEquals: { [`elasticmapreduce:ResourceTag/${CLUSTER_TAG}`]: names } },
    },
    // Growing a warm standby once it serves: the plan switches only to a standby carrying the tag.
    {
      Effect: 'Allow',
      Action: ['elasticmapreduce:ModifyInstanceGroups', 'elasticmapreduce:ModifyInstanceFleet', 'elasticmapreduce:PutManagedScalingPolicy'],
      Resource: emrClusterArn('*'),
      Condition: { StringEquals: { [`elasticmapreduce:ResourceTag/${CLUSTER_TAG}`]: names } },
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
