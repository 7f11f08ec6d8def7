import type { LifeguardConfig } from '../lib/config/schema.ts';
import { sub } from './cfn.ts';
import { DEADLINE_ALARM_ID } from './deadline-alarm.ts';
import { FAILOVER_STATE_MACHINE_ID } from './dr-ids.ts';
import { CLUSTER_DIMENSION, CLUSTER_HEALTHY_METRIC, interruptionMetric, NAMESPACE, PROBE_SERVICE_NAME } from './metric-names.ts';

export const DASHBOARD_ID = 'LifeguardDashboard';

type Widget = Record<string, unknown>;
type MetricLine = unknown[];

const WIDTH = 12;
const HEIGHT = 6;

/** Lays widgets out two per row, in order. */
function grid(widgets: Array<Omit<Widget, 'x' | 'y' | 'width' | 'height'> & { full?: boolean }>): Widget[] {
  let x = 0;
  let y = 0;
  return widgets.map(({ full, ...widget }) => {
    const width = full ? 24 : WIDTH;
    if (x + width > 24) {
      x = 0;
      y += HEIGHT;
    }
    const placed = { ...widget, x, y, width, height: full ? 2 : HEIGHT };
    x += width;
    if (x >= 24) {
      x = 0;
      y += full ? 2 : HEIGHT;
    }
    return placed;
  });
}

const graph = (title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}) => ({
  type: 'metric',
  properties: { title, view: 'timeSeries', region: '${AWS::Region}', period: 60, metrics, yAxis: { left: { min: 0 } }, ...extra },
});
const stat = (line: MetricLine, s: string, label: string) => [...line, { stat: s, label }];

/**
 * One CloudWatch dashboard for the whole stack: how fast nodes are cordoned and drained, deadline
 * misses, Spark executors that did or did not decommission, pods forced or left behind, the dead
 * letters waiting for a redrive, and per protected EMR cluster its health and failover executions.
 */
export function lifeguardDashboard(config: LifeguardConfig, service: string, stage: string, extraDeadLetterQueues: string[] = []): Record<string, unknown> {
  const widgets: Parameters<typeof grid>[0] = [
    {
      type: 'text',
      full: true,
      properties: {
        markdown:
          `## Lifeguard (${stage})\nInterruptions: time in ms from the event's arrival. A deadline miss means pods died with their instance. ` +
          'Every metric is explained in the Metrics section of the Lifeguard README.',
      },
    },
    graph('Time to cordon (ms after receipt)', [
      stat(interruptionMetric('TimeToCordon'), 'p50', 'p50'),
      stat(interruptionMetric('TimeToCordon'), 'p99', 'p99'),
      stat(interruptionMetric('TimeToCordon'), 'Maximum', 'max'),
    ]),
    graph('Time to drained (ms after receipt)', [
      stat(interruptionMetric('TimeToDrained'), 'p50', 'p50'),
      stat(interruptionMetric('TimeToDrained'), 'p99', 'p99'),
      stat(interruptionMetric('TimeToDrained'), 'Maximum', 'max'),
    ]),
    { type: 'alarm', properties: { title: 'Deadline misses', alarms: [`\${${DEADLINE_ALARM_ID}.Arn}`] } },
    graph('Deadline misses (nodes)', [stat(interruptionMetric('DeadlineMisses'), 'Sum', 'nodes not drained by their deadline')], {
      annotations: { horizontal: [{ value: 1, label: 'alarm' }] },
    }),
    graph('Spark executors', [
      stat(interruptionMetric('SparkExecutorsDrained'), 'Sum', 'decommissioned and gone'),
      stat(interruptionMetric('SparkExecutorsNotDrained'), 'Sum', 'still running at the end (blocks lost)'),
      stat(interruptionMetric('SparkDriversAtRisk'), 'Sum', 'drivers on an interrupted node'),
    ]),
    graph('Pods', [
      stat(interruptionMetric('PodsEvicted'), 'Sum', 'evicted'),
      stat(interruptionMetric('PodsForceDeleted'), 'Sum', 'force-deleted (budget or grace beaten by the deadline)'),
      stat(interruptionMetric('PodsFailed'), 'Sum', 'failed or still pending (PDB-blocked among them)'),
    ]),
    graph('Events', [
      stat(interruptionMetric('EventAgeAtReceipt'), 'Maximum', 'max age at receipt (ms)'),
      stat(interruptionMetric('EventsIgnored'), 'Sum', 'ignored (malformed or unsupported)'),
      stat(interruptionMetric('UnknownInstances'), 'Sum', 'instances of no configured cluster'),
      stat(interruptionMetric('DuplicateDeliveries'), 'Sum', 'duplicate deliveries'),
    ]),
    graph(
      'Dead letters waiting for a redrive',
      ['InterruptionDeadLetterQueue', 'InterruptionFailureQueue', ...extraDeadLetterQueues].map((queue) =>
        stat(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${queue}.QueueName}`], 'Maximum', queue),
      ),
    ),
  ];

  const clusters = config.dr.clusters;
  if (clusters.length) {
    widgets.push(
      graph(
        'EMR cluster health (1 healthy, 0 down)',
        clusters.map((c) => stat([NAMESPACE, CLUSTER_HEALTHY_METRIC, 'service', PROBE_SERVICE_NAME, CLUSTER_DIMENSION, c.name], 'Minimum', c.name)),
        { yAxis: { left: { min: 0, max: 1 } } },
      ),
      graph(
        'Failover executions',
        [
          stat(['AWS/States', 'ExecutionsSucceeded', 'StateMachineArn', `\${${FAILOVER_STATE_MACHINE_ID}}`], 'Sum', 'succeeded'),
          stat(['AWS/States', 'ExecutionsFailed', 'StateMachineArn', `\${${FAILOVER_STATE_MACHINE_ID}}`], 'Sum', 'failed'),
          stat(['AWS/States', 'ExecutionTime', 'StateMachineArn', `\${${FAILOVER_STATE_MACHINE_ID}}`], 'Maximum', 'longest execution (ms)'),
        ],
        { period: 300 },
      ),
      graph(
        'Probe latency (ms)',
        clusters.flatMap((c) =>
          ['ResourceManagerLatency', 'NameNodeLatency', 'LivyLatency'].map((m) =>
            stat([NAMESPACE, m, 'service', PROBE_SERVICE_NAME, CLUSTER_DIMENSION, c.name], 'Maximum', `${c.name} ${m.replace('Latency', '')}`),
          ),
        ),
      ),
    );
  }

  return {
    [DASHBOARD_ID]: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: `${service}-${stage}`,
        // Fn::Sub fills in the region, the alarm, queue and state machine names.
        DashboardBody: sub(JSON.stringify({ widgets: grid(widgets) })),
      },
    },
  };
}
