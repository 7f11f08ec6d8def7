import { FAILOVER_STATE_MACHINE_ID } from './dr-ids.ts';
import { CLUSTER_DIMENSION, interruptionMetric, NAMESPACE, PROBE_SERVICE_NAME, type InterruptionMetric } from './metric-names.ts';

/**
 * The widgets of the Lifeguard dashboard and how they are laid out. Dashboard bodies go through
 * Fn::Sub, so `${…}` in a widget names the region or a resource of the stack.
 */

export type Widget = Record<string, unknown>;
/** A widget before layout; a full one spans the row as a thin banner. */
export type UnplacedWidget = Omit<Widget, 'x' | 'y' | 'width' | 'height'> & { full?: boolean };
type MetricLine = unknown[];

const WIDTH = 12;
const HEIGHT = 6;

/** Lays widgets out two per row, in order. */
export function grid(widgets: UnplacedWidget[]): Widget[] {
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

export const graph = (title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}) => ({
  type: 'metric',
  properties: { title, view: 'timeSeries', region: '${AWS::Region}', period: 60, metrics, yAxis: { left: { min: 0 } }, ...extra },
});
export const stat = (line: MetricLine, s: string, label: string) => [...line, { stat: s, label }];

/** A graph of interruption metrics: one line per [metric, statistic, label]. */
export const interruptionGraph = (title: string, lines: Array<[InterruptionMetric, string, string]>, extra: Record<string, unknown> = {}) =>
  graph(title, lines.map(([metric, s, label]) => stat(interruptionMetric(metric), s, label)), extra);

/** How an interruption duration is spread: the median, the 99th percentile and the worst. */
export const percentilesGraph = (title: string, metric: InterruptionMetric) =>
  interruptionGraph(title, [
    [metric, 'p50', 'p50'],
    [metric, 'p99', 'p99'],
    [metric, 'Maximum', 'max'],
  ]);

/** One metric the health probe publishes for one protected EMR cluster. */
export const probeMetric = (metric: string, cluster: string) => [NAMESPACE, metric, 'service', PROBE_SERVICE_NAME, CLUSTER_DIMENSION, cluster];

/** One metric Step Functions publishes for the failover state machine. */
export const failoverMetric = (metric: string) => ['AWS/States', metric, 'StateMachineArn', `\${${FAILOVER_STATE_MACHINE_ID}}`];

/** One SQS metric of one queue of the stack. */
export const queueMetric = (queue: string, metric: string, s: string, label: string) => stat(['AWS/SQS', metric, 'QueueName', `\${${queue}.QueueName}`], s, label);

/** The visible messages of one queue of the stack. */
export const queueDepth = (queue: string) => stat(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${queue}.QueueName}`], 'Maximum', queue);
