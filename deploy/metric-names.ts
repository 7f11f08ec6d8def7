import { CLUSTER_DIMENSION, CLUSTER_HEALTHY_METRIC, HEALTH_NAMESPACE, PROBE_SERVICE_NAME } from '../lib/dr/health-report.ts';

/** CloudWatch namespace of every metric Lifeguard emits (Powertools EMF). */
export const NAMESPACE = HEALTH_NAMESPACE;

/**
 * Powertools adds the function's service name to every metric as the `service` dimension: a
 * widget or alarm must name it or it sees nothing. Must equal the serviceName in
 * functions/interruption.ts (a test checks it).
 */
export const INTERRUPTION_SERVICE = 'lifeguard-interruption';
export { CLUSTER_DIMENSION, CLUSTER_HEALTHY_METRIC, PROBE_SERVICE_NAME };

/** The interruption metrics, as lib/observability/interruption-metrics.ts emits them. */
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

/** [namespace, metric, dimension, value, …] for one interruption metric, as dashboards write it. */
export const interruptionMetric = (name: InterruptionMetric) => [NAMESPACE, name, 'service', INTERRUPTION_SERVICE];
