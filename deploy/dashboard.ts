import type { LifeguardConfig } from '../lib/config/schema.ts';
import { sub } from './cfn.ts';
import { failoverMetric, graph, grid, interruptionGraph, percentilesGraph, probeMetric, queueDepth, queueMetric, stat, type UnplacedWidget } from './dashboard-widgets.ts';
import { DEADLINE_ALARM_ID } from './deadline-alarm.ts';
import { CLUSTER_HEALTHY_METRIC } from './metric-names.ts';
import { NOTICE_QUEUE_ID } from './notice-queue.ts';

export const DASHBOARD_ID = 'LifeguardDashboard';

const PROBE_LATENCIES = ['ResourceManagerLatency', 'NameNodeLatency', 'LivyLatency'];

/**
 * One CloudWatch dashboard for the whole stack: how fast nodes are cordoned and drained, deadline
 * misses, Spark executors that did or did not decommission, pods forced or left behind, the dead
 * letters waiting for a redrive (in each of `deadLetterQueues`, logical ids), and per protected EMR
 * cluster its health and failover executions.
 */
export function lifeguardDashboard(config: LifeguardConfig, service: string, stage: string, deadLetterQueues: string[]): Record<string, unknown> {
  const widgets: UnplacedWidget[] = [
    {
      type: 'text',
      full: true,
      properties: {
        markdown:
          `## Lifeguard (${stage})\nInterruptions: time in ms from the event's arrival. A deadline miss means pods died with their instance. ` +
          "Every metric is explained in Lifeguard's docs/operations.md (Metrics, dashboard and alarm).",
      },
    },
    percentilesGraph('Time to cordon (ms after receipt)', 'TimeToCordon'),
    percentilesGraph('Time to drained (ms after receipt)', 'TimeToDrained'),
    { type: 'alarm', properties: { title: 'Deadline misses', alarms: [`\${${DEADLINE_ALARM_ID}.Arn}`] } },
    interruptionGraph('Deadline misses (nodes)', [['DeadlineMisses', 'Sum', 'nodes not drained by their deadline']], {
      annotations: { horizontal: [{ value: 1, label: 'alarm' }] },
    }),
    interruptionGraph('Spark executors', [
      ['SparkExecutorsDrained', 'Sum', 'decommissioned and gone'],
      ['SparkExecutorsNotDrained', 'Sum', 'still running at the end (blocks lost)'],
      ['SparkDriversAtRisk', 'Sum', 'drivers on an interrupted node'],
    ]),
    interruptionGraph('Pods', [
      ['PodsEvicted', 'Sum', 'evicted'],
      ['PodsForceDeleted', 'Sum', 'force-deleted (budget or grace beaten by the deadline)'],
      ['PodsFailed', 'Sum', 'failed or still pending (PDB-blocked among them)'],
    ]),
    interruptionGraph('Events', [
      ['EventAgeAtReceipt', 'Maximum', 'max age at receipt (ms)'],
      ['EventsIgnored', 'Sum', 'ignored (malformed or unsupported)'],
      ['UnknownEventTypes', 'Sum', 'Health event types not recognised (handled as retirements)'],
      ['UnknownInstances', 'Sum', 'instances of no configured cluster'],
      ['DuplicateDeliveries', 'Sum', 'duplicate deliveries'],
    ]),
    graph('Notice queue', [
      queueMetric(NOTICE_QUEUE_ID, 'ApproximateNumberOfMessagesVisible', 'Maximum', 'waiting'),
      queueMetric(NOTICE_QUEUE_ID, 'ApproximateNumberOfMessagesNotVisible', 'Maximum', 'being handled, or failed and waiting to come back'),
      queueMetric(NOTICE_QUEUE_ID, 'ApproximateAgeOfOldestMessage', 'Maximum', 'oldest (s)'),
    ]),
    interruptionGraph('Notices failed and retried', [['NoticesFailed', 'Sum', 'notices that come back to be tried again']]),
    graph('Dead letters waiting for a redrive', deadLetterQueues.map(queueDepth)),
  ];

  const clusters = config.dr.clusters;
  if (clusters.length) {
    widgets.push(
      graph(
        'EMR cluster health (1 healthy, 0 down)',
        clusters.map((c) => stat(probeMetric(CLUSTER_HEALTHY_METRIC, c.name), 'Minimum', c.name)),
        { yAxis: { left: { min: 0, max: 1 } } },
      ),
      graph(
        'Failover executions',
        [
          stat(failoverMetric('ExecutionsSucceeded'), 'Sum', 'succeeded'),
          stat(failoverMetric('ExecutionsFailed'), 'Sum', 'failed'),
          stat(failoverMetric('ExecutionTime'), 'Maximum', 'longest execution (ms)'),
        ],
        { period: 300 },
      ),
      graph(
        'Probe latency (ms)',
        clusters.flatMap((c) => PROBE_LATENCIES.map((m) => stat(probeMetric(m, c.name), 'Maximum', `${c.name} ${m.replace('Latency', '')}`))),
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
