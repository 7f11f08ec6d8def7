import type { DrainReport } from '../drain/drain.ts';
import { DrainFailedError } from '../drain/errors.ts';
import type { InterruptionReport } from '../interruption/report.ts';

/** Where the numbers go: Powertools Metrics (EMF) in Lambda, an array in tests. */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/**
 * The interruption path's CloudWatch metrics, from one invocation's report: how stale the event
 * was, how fast the node was cordoned and drained, what happened to each pod, and deadline misses.
 */
export function recordInterruptionMetrics(report: InterruptionReport, sink: MetricsSink): void {
  if (report.ignored) {
    sink.addMetric('EventsIgnored', 'Count', 1);
    return;
  }
  if (report.eventAgeMs !== undefined) sink.addMetric('EventAgeAtReceipt', 'Milliseconds', Math.max(0, report.eventAgeMs));
  // Acted on with the safe default, yet input Lifeguard does not recognise: counted beside EventsIgnored, where the dashboard shows both.
  if (report.unknownEventType !== undefined) sink.addMetric('UnknownEventTypes', 'Count', 1);
  for (const instance of report.instances) {
    if (instance.status === 'ignored') sink.addMetric('UnknownInstances', 'Count', 1);
    if (instance.status === 'duplicate') sink.addMetric('DuplicateDeliveries', 'Count', 1);
    if (instance.status === 'scheduled') sink.addMetric('WorkScheduled', 'Count', 1);
    if (instance.status === 'handed-over') sink.addMetric('DrainsHandedOver', 'Count', 1);
    if (instance.status === 'reverted' || instance.status === 'cancelled') sink.addMetric('NodesReverted', 'Count', 1);
    const cordonedAt = instance.cordon?.cordonedAt;
    if (cordonedAt !== undefined && instance.cordon?.patched) sink.addMetric('TimeToCordon', 'Milliseconds', cordonedAt - report.receivedAt);
    if (instance.drain) recordDrain(instance.drain, sink, report.receivedAt);
  }
}

function recordDrain(drain: DrainReport, sink: MetricsSink, receivedAt: number): void {
  if (drain.drainedAt !== null) sink.addMetric('TimeToDrained', 'Milliseconds', drain.drainedAt - receivedAt);
  if (drain.deadlineMet === false) sink.addMetric('DeadlineMisses', 'Count', 1);
  const pods = drain.pods;
  const count = (predicate: (p: (typeof pods)[number]) => boolean) => pods.filter(predicate).length;
  sink.addMetric('PodsEvicted', 'Count', count((p) => p.outcome === 'evicted'));
  sink.addMetric('PodsForceDeleted', 'Count', count((p) => p.forced));
  sink.addMetric('PodsFailed', 'Count', count((p) => p.outcome === 'failed' || p.outcome === 'pending'));
  sink.addMetric('SparkExecutorsDrained', 'Count', count((p) => p.sparkRole === 'executor' && p.goneAt !== undefined));
  sink.addMetric('SparkExecutorsNotDrained', 'Count', count((p) => p.sparkRole === 'executor' && p.goneAt === undefined && p.outcome !== 'skipped'));
  sink.addMetric('SparkDriversAtRisk', 'Count', drain.applications.filter((a) => a.driverOnNode).length);
}

/**
 * An invocation (a direct one), or a notice of a batch, that failed still says what it knows: it
 * failed, and when a drain ended in permanent API errors, that drain's figures (the failures that
 * matter most).
 */
export function recordFailureMetrics(error: unknown, receivedAt: number, sink: MetricsSink, counted: 'InvocationsFailed' | 'NoticesFailed' = 'InvocationsFailed'): void {
  if (counted === 'NoticesFailed') sink.addMetric('NoticesFailed', 'Count', 1);
  else sink.addMetric('InvocationsFailed', 'Count', 1);
  const failures = error instanceof AggregateError ? error.errors : [error];
  for (const failure of failures) if (failure instanceof DrainFailedError) recordDrain(failure.drain, sink, receivedAt);
}
