import type { EmrClusterConfig } from '../lib/config/dr.ts';
import type { LifeguardConfig } from '../lib/config/schema.ts';
import { CLUSTER_DIMENSION, CLUSTER_HEALTHY_METRIC, HEALTH_NAMESPACE, PROBE_SERVICE_NAME } from '../lib/dr/health-report.ts';
import { eventBridgeDeadLetterQueue, getAtt, ref, serviceRole } from './cfn.ts';
import { FAILOVER_STATE_MACHINE_ID } from './dr-ids.ts';
import { inputTransformer } from './input-transformer.ts';

export function alarmName(service: string, stage: string, cluster: string): string {
  return `${service}-${stage}-emr-${cluster}-unhealthy`;
}

/**
 * What starts a failover on its own: per cluster, an alarm on the probe's health metric and an
 * EventBridge rule from that alarm to the state machine; one role and one DLQ for all the rules.
 */
export function failoverTriggers(config: LifeguardConfig, service: string, stage: string): Record<string, unknown> {
  const clusters = config.dr.clusters;
  const resources: Record<string, unknown> = {};
  for (const cluster of clusters) {
    const id = logicalName(cluster.name);
    const name = alarmName(service, stage, cluster.name);
    resources[`ClusterHealth${id}Alarm`] = clusterHealthAlarm(cluster, name);
    resources[`FailoverTrigger${id}Rule`] = failoverTriggerRule(cluster, name);
  }
  if (clusters.length) {
    // Only this account's rules (confused deputy): EventBridge sends the rule's account as
    // aws:SourceAccount. The rules' ARNs would make a cycle (each rule names this role).
    resources.FailoverTriggerRole = serviceRole(
      'events.amazonaws.com',
      'start-failover',
      [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: ref(FAILOVER_STATE_MACHINE_ID) }],
      { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    );
    Object.assign(
      resources,
      eventBridgeDeadLetterQueue('FailoverTriggerDeadLetterQueue', clusters.map((c) => `FailoverTrigger${logicalName(c.name)}Rule`)),
    );
  }
  return resources;
}

function clusterHealthAlarm(cluster: EmrClusterConfig, name: string) {
  return {
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
}

function failoverTriggerRule(cluster: EmrClusterConfig, alarm: string) {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: `Starts the failover of EMR cluster ${cluster.name} when its health alarm (or another alarm the config names) fires`,
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [alarm, ...cluster.alarm.triggerAlarmNames], state: { value: ['ALARM'] } },
      },
      Targets: [
        {
          Id: 'failover',
          Arn: ref(FAILOVER_STATE_MACHINE_ID),
          RoleArn: getAtt('FailoverTriggerRole', 'Arn'),
          // The alarm's own state-change time, not the event's: the RTO counts from it.
          InputTransformer: inputTransformer(
            { alarmAt: '$.detail.state.timestamp' },
            `{"cluster": ${JSON.stringify(cluster.name)}, "mode": "failover", "dryRun": false, "detectedAt": "<alarmAt>"}`,
          ),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: getAtt('FailoverTriggerDeadLetterQueue', 'Arn') },
        },
      ],
    },
  };
}

/** A CloudFormation logical id may hold only letters and digits. */
function logicalName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
