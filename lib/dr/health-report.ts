import type { EmrClusterConfig } from '../config/dr.ts';
import type { Log } from '../observability/log.ts';
import type { HadoopService, HealthVerdict } from './types.ts';

/** The slice of Powertools Metrics the probe uses (EMF in Lambda, a recorder in tests). */
export interface HealthMetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  publishStoredMetrics(): unknown;
}

export const HEALTH_NAMESPACE = 'Lifeguard';
export const CLUSTER_HEALTHY_METRIC = 'ClusterHealthy';
export const CLUSTER_DIMENSION = 'Cluster';
/** Powertools adds it to every metric as the `service` dimension: the alarm must name it too. */
export const PROBE_SERVICE_NAME = 'lifeguard-dr-probe';

const LATENCY_METRIC: Record<HadoopService, string> = {
  resourceManager: 'ResourceManagerLatency',
  nameNode: 'NameNodeLatency',
  livy: 'LivyLatency',
};

/**
 * One EMF document per cluster: `ClusterHealthy` (1/0, what the failover alarm watches) and each
 * service's latency, all under the `Cluster` dimension.
 */
export function publishVerdict(metrics: HealthMetricsSink, verdict: HealthVerdict): void {
  metrics.addDimension(CLUSTER_DIMENSION, verdict.cluster);
  metrics.addMetric(CLUSTER_HEALTHY_METRIC, 'Count', verdict.healthy ? 1 : 0);
  for (const [service, result] of Object.entries(verdict.services) as Array<[HadoopService, HealthVerdict['services'][HadoopService]]>) {
    metrics.addMetric(LATENCY_METRIC[service], 'Milliseconds', result.latencyMs);
  }
  metrics.publishStoredMetrics();
}

/** One structured line per verdict: healthy at info, unhealthy at warn with each failing service's reason. */
export function logVerdict(log: Log, verdict: HealthVerdict): void {
  const failing = Object.entries(verdict.services)
    .filter(([, s]) => !s.healthy)
    .map(([name, s]) => `${name}: ${s.reason ?? 'unhealthy'}`);
  const extra = { cluster: verdict.cluster, clusterId: verdict.clusterId, address: verdict.address, healthy: verdict.healthy, services: verdict.services };
  if (verdict.healthy) log.info('EMR cluster healthy', extra);
  else log.warn(`EMR cluster unhealthy: ${failing.join('; ')}`, extra);
}

/**
 * Probes every configured cluster at once (each probe is bounded by its own total timeout; probes
 * queued behind hanging ones could outlast the Lambda, and a healthy cluster's missing data point
 * counts as breaching), logging and publishing each verdict. A probe that throws (it should not) is
 * logged and publishes ClusterHealthy 0: silence must not look healthy.
 */
export async function probeAndReport(
  clusters: EmrClusterConfig[],
  deps: { probe: (cluster: EmrClusterConfig) => Promise<HealthVerdict>; log: Log; metrics: HealthMetricsSink; now: () => number },
): Promise<HealthVerdict[]> {
  return Promise.all(
    clusters.map(async (cluster) => {
        let verdict: HealthVerdict;
        try {
          verdict = await deps.probe(cluster);
        } catch (err) {
          const reason = `probe failed: ${err instanceof Error ? err.message : String(err)}`;
          deps.log.error(reason, { cluster: cluster.name });
          verdict = unhealthyVerdict(cluster, reason, deps.now(), cluster.probe.address ?? '(the master the target groups serve)');
        }
        logVerdict(deps.log, verdict);
        publishVerdict(deps.metrics, verdict);
        return verdict;
      }),
  );
}

/** Every service unhealthy for one reason (the probe could not run, or no master serves). */
export function unhealthyVerdict(cluster: EmrClusterConfig, reason: string, checkedAt: number, address: string): HealthVerdict {
  const down = { healthy: false, latencyMs: 0, reason };
  return { cluster: cluster.name, clusterId: cluster.clusterId, healthy: false, checkedAt, address, services: { resourceManager: down, nameNode: down, livy: down } };
}
