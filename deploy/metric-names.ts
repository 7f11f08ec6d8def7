import type { InterruptionMetric } from '../lib/observability/interruption-metrics.ts';
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

export { INTERRUPTION_METRICS, type InterruptionMetric } from '../lib/observability/interruption-metrics.ts';

/** [namespace, metric, dimension, value, …] for one interruption metric, as dashboards write it. */
export const interruptionMetric = (name: InterruptionMetric) => [NAMESPACE, name, 'service', INTERRUPTION_SERVICE];
