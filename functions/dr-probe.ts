import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import middy from '@middy/core';
import { z } from 'zod';
import { findEmrCluster, type DrConfig, type EmrClusterConfig } from '../lib/config/dr.ts';
import { configFromEnvironment } from '../lib/config/load.ts';
import { HEALTH_NAMESPACE, logVerdict, unhealthyVerdict, PROBE_SERVICE_NAME, probeAndReport, type HealthMetricsSink } from '../lib/dr/health-report.ts';
import { logFromPowertools } from '../lib/observability/powertools.ts';
import { probeCluster } from '../lib/dr/probe.ts';
import { PROBE_SDK_MAX_ATTEMPTS } from '../lib/dr/sdk-retry.ts';
import { NoServingMasterError, probeAddressResolver } from '../lib/dr/serving-master.ts';
import type { HealthVerdict } from '../lib/dr/types.ts';
import type { Log } from '../lib/observability/log.ts';
import { dynamoLastSeenStore, lastSeenOf, LOCK_TABLE_ENV, type LastSeenStore } from '../lib/dr/last-seen.ts';
import { errorMessage, LifeguardError } from '../lib/util/errors.ts';
import { issuesInline } from '../lib/util/zod-issues.ts';

/**
 * The DR health probe. `handler` runs on a schedule: it probes every configured EMR cluster and
 * publishes `Lifeguard/ClusterHealthy` per cluster (the failover alarm's metric). `confirmHandler`
 * is the state machine's confirm step: one probe of one cluster, returned as a HealthVerdict; given
 * an `address`, it probes that master instead (a warm standby, before the failover switches to it).
 */

export interface ProbeHandlerDeps {
  config: DrConfig;
  log: Log;
  metrics: HealthMetricsSink;
  probe?: typeof probeCluster;
  /** Where to probe a cluster now (default: its configured address). */
  resolveAddress?: (cluster: EmrClusterConfig) => Promise<string>;
  now?: () => number;
  /** Keeps what each healthy probe saw running, for the failover's report (lib/dr/last-seen.ts). */
  lastSeen?: LastSeenStore;
}

/** The state machine handed the confirm step something it cannot read. */
export class InvalidConfirmInput extends LifeguardError {}

const confirmInputSchema = z
  .object({
    cluster: z.string().min(1, 'cluster: a configured name or j-ID'),
    /** Probe this master (a warm standby's) instead of the one the target groups route to. */
    address: z.string().min(1, 'address: the master to probe').optional(),
  })
  .loose();

export function makeProbeHandlers(deps: ProbeHandlerDeps) {
  const probe = deps.probe ?? probeCluster;
  const now = deps.now ?? Date.now;
  const resolve = deps.resolveAddress ?? probeAddressResolver(undefined);
  const probeAt = async (cluster: EmrClusterConfig): Promise<HealthVerdict> => {
    let address: string;
    try {
      address = await resolve(cluster);
    } catch (err) {
      // Nothing registered anywhere: no master serves, which is an outage, not a lookup failure.
      if (err instanceof NoServingMasterError) return unhealthyVerdict(cluster, err.message, now(), '(no target registered)');
      throw err;
    }
    return probe(cluster, { now, address });
  };
  return {
    scheduled: async (): Promise<{ verdicts: HealthVerdict[] }> => {
      const verdicts = await probeAndReport(deps.config.clusters, { probe: probeAt, log: deps.log, metrics: deps.metrics, now });
      await recordLastSeen(verdicts, deps);
      return { verdicts };
    },
    confirm: async (event: unknown): Promise<HealthVerdict> => {
      const parsed = confirmInputSchema.safeParse(event);
      if (!parsed.success) throw new InvalidConfirmInput(`confirm input is invalid: ${issuesInline(parsed.error, { value: event, schema: confirmInputSchema })}`);
      const cluster = findEmrCluster(deps.config, parsed.data.cluster);
      const { address } = parsed.data;
      const verdict = address ? await probe(cluster, { now, address }) : await probeAt(cluster);
      logVerdict(deps.log, verdict);
      return verdict;
    },
  };
}

/** Records what each healthy cluster runs; a failure to record is a warning: the health metric is what counts. */
async function recordLastSeen(verdicts: HealthVerdict[], deps: ProbeHandlerDeps): Promise<void> {
  const store = deps.lastSeen;
  if (!store) return;
  await Promise.all(
    verdicts.map(async (verdict) => {
      const seen = lastSeenOf(verdict);
      if (!seen) return;
      try {
        await store.record(verdict.cluster, seen);
      } catch (err) {
        deps.log.warn(`could not record what ${verdict.cluster} runs: ${errorMessage(err)}`, { cluster: verdict.cluster });
      }
    }),
  );
}

const logger = new Logger({ serviceName: PROBE_SERVICE_NAME });
const metrics = new Metrics({ namespace: HEALTH_NAMESPACE, serviceName: PROBE_SERVICE_NAME });
const log = logFromPowertools(logger);
const config = configFromEnvironment();
const elbv2 = new ElasticLoadBalancingV2Client({ region: process.env.AWS_REGION ?? config.region, maxAttempts: PROBE_SDK_MAX_ATTEMPTS });
// Warm across invocations: the last serving master is the fallback when the ELB API fails.
const lockTable = process.env[LOCK_TABLE_ENV];
const lastSeen = lockTable ? dynamoLastSeenStore(new DynamoDBClient({ region: process.env.AWS_REGION ?? config.region, maxAttempts: PROBE_SDK_MAX_ATTEMPTS }), lockTable) : undefined;
const handlers = makeProbeHandlers({ config: config.dr, log, metrics, resolveAddress: probeAddressResolver(elbv2), ...(lastSeen ? { lastSeen } : {}) });

export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(handlers.scheduled);

export const confirmHandler = middy<unknown, HealthVerdict>()
  .use(injectLambdaContext(logger))
  .handler(handlers.confirm);
