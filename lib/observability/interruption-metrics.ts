import type { DrainReport } from '../drain/drain.ts';
import { DrainFailedError } from '../drain/errors.ts';
import type { InterruptionReport } from '../interruption/report.ts';

/** Where the numbers go: Powertools Metrics (EMF) in Lambda, an array in tests. */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/** Every metric the interruption path emits: the only names `emit` takes, and what the dashboard and docs/operations.md name. */
export const INTERRUPTION_METRICS = [
  'EventAgeAtReceipt',
  'TimeToCordon',
  'TimeToDrained',
  'DeadlineMisses',
  'PodsEvicted',
  'PodsForceDeleted',
  'PodsFailed',
  'SparkExecutorsDrained',
  'SparkExecutorsNotDrained',
  'SparkDriversAtRisk',
  'EventsIgnored',
  'UnknownEventTypes',
  'UnknownInstances',
  'DuplicateDeliveries',
  'WorkScheduled',
  'DrainsHandedOver',
  'NodesReverted',
  'InvocationsFailed',
  'NoticesFailed',
] as const;

export type InterruptionMetric = (typeof INTERRUPTION_METRICS)[number];

const emit = (sink: MetricsSink, name: InterruptionMetric, unit: 'Count' | 'Milliseconds', value: number): void => sink.addMetric(name, unit, value);

/**
 * The interruption path's CloudWatch metrics, from one invocation's report: how stale the event
 * was, how fast the node was cordoned and drained, what happened to each pod, and deadline misses.
 */
export function recordInterruptionMetrics(report: InterruptionReport, sink: MetricsSink): void {
  if (report.ignored) {
    emit(sink, 'EventsIgnored', 'Count', 1);
    return;
  }
  if (report.eventAgeMs !== undefined) emit(sink, 'EventAgeAtReceipt', 'Milliseconds', Math.max(0, report.eventAgeMs));
  // Acted on with the safe default, yet input Lifeguard does not recognise: counted beside EventsIgnored, where the dashboard shows both.
  if (report.unknownEventType !== undefined) emit(sink, 'UnknownEventTypes', 'Count', 1);
  for (const instance of report.instances) {
    if (instance.status === 'ignored') emit(sink, 'UnknownInstances', 'Count', 1);
    if (instance.status === 'duplicate') emit(sink, 'DuplicateDeliveries', 'Count', 1);
    if (instance.status === 'scheduled') emit(sink, 'WorkScheduled', 'Count', 1);
    if (instance.status === 'handed-over') emit(sink, 'DrainsHandedOver', 'Count', 1);
    if (instance.status === 'reverted' || instance.status === 'cancelled') emit(sink, 'NodesReverted', 'Count', 1);
    const cordonedAt = instance.cordon?.cordonedAt;
    if (cordonedAt !== undefined && instance.cordon?.patched) emit(sink, 'TimeToCordon', 'Milliseconds', cordonedAt - report.receivedAt);
    if (instance.drain) recordDrain(instance.drain, sink, report.receivedAt);
  }
}

function recordDrain(drain: DrainReport, sink: MetricsSink, receivedAt: number): void {
  if (drain.drainedAt !== null) emit(sink, 'TimeToDrained', 'Milliseconds', drain.drainedAt - receivedAt);
  if (drain.deadlineMet === false) emit(sink, 'DeadlineMisses', 'Count', 1);
  const pods = drain.pods;
  const count = (predicate: (p: (typeof pods)[number]) => boolean) => pods.filter(predicate).length;
  emit(sink, 'PodsEvicted', 'Count', count((p) => p.outcome === 'evicted'));
  emit(sink, 'PodsForceDeleted', 'Count', count((p) => p.forced));
  emit(sink, 'PodsFailed', 'Count', count((p) => p.outcome === 'failed' || p.outcome === 'pending'));
  emit(sink, 'SparkExecutorsDrained', 'Count', count((p) => p.sparkRole === 'executor' && p.goneAt !== undefined));
  emit(sink, 'SparkExecutorsNotDrained', 'Count', count((p) => p.sparkRole === 'executor' && p.goneAt === undefined && p.outcome !== 'skipped'));
  emit(sink, 'SparkDriversAtRisk', 'Count', drain.applications.filter((a) => a.driverOnNode).length);
}

/**
 * An invocation (a direct one), or a notice of a batch, that failed still says what it knows: it
 * failed, and when a drain ended in permanent API errors, that drain's figures (the failures that
 * matter most).
 */
export function recordFailureMetrics(error: unknown, receivedAt: number, sink: MetricsSink, counted: 'InvocationsFailed' | 'NoticesFailed' = 'InvocationsFailed'): void {
  if (counted === 'NoticesFailed') emit(sink, 'NoticesFailed', 'Count', 1);
  else emit(sink, 'InvocationsFailed', 'Count', 1);
  const failures = error instanceof AggregateError ? error.errors : [error];
  for (const failure of failures) if (failure instanceof DrainFailedError) recordDrain(failure.drain, sink, receivedAt);
}
