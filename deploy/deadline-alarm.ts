import { INTERRUPTION_SERVICE, NAMESPACE } from './metric-names.ts';

export const DEADLINE_ALARM_ID = 'DeadlineMissesAlarm';

/**
 * Fires on the first node not drained by its deadline: its remaining pods died with the instance
 * (Spark executors without migrating their blocks). Missing data is fine: no interruption, no miss.
 */
export function deadlineMissAlarm(service: string, stage: string, alarmTopicArns: unknown[]): Record<string, unknown> {
  return {
    [DEADLINE_ALARM_ID]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${service}-${stage}-deadline-misses`,
        AlarmDescription:
          'Lifeguard could not drain a node before its deadline: pods still on it were killed with the instance. ' +
          'Look at the Node Drain Completed event or the interruption logs for the pods left (PDBs, long grace periods, API throttling).',
        Namespace: NAMESPACE,
        MetricName: 'DeadlineMisses',
        Dimensions: [{ Name: 'service', Value: INTERRUPTION_SERVICE }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...(alarmTopicArns.length ? { AlarmActions: alarmTopicArns } : {}),
      },
    },
  };
}
