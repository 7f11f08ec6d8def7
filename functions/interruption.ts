import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { Ec2InstanceDirectory } from '../lib/aws/ec2-directory.ts';
import { EventBridgePublisher } from '../lib/aws/event-publisher.ts';
import { AutoScalingLifecycleActions } from '../lib/aws/lifecycle-actions.ts';
import { EventBridgeScheduler, schedulerTargetFromEnvironment } from '../lib/aws/scheduler.ts';
import { NOTICE_QUEUE_URL_ENV, SqsNoticeQueue } from '../lib/aws/notice-queue.ts';
import { configFromEnvironment } from '../lib/config/load.ts';
import { handleNoticeBatch, isSqsBatch } from '../lib/interruption/notice-batch.ts';
import { handleForClusters, type ClusterTarget } from '../lib/interruption/route.ts';
import type { InterruptionReport } from '../lib/interruption/handle.ts';
import { createKubeApi } from '../lib/kube/client.ts';
import { kubeConfigFor } from '../lib/kube/connect.ts';
import { NodeIndex } from '../lib/kube/node-index.ts';
import { recordFailureMetrics, recordInterruptionMetrics } from '../lib/observability/interruption-metrics.ts';
import { logFromPowertools } from '../lib/observability/powertools.ts';
import { systemClock } from '../lib/util/clock.ts';

/**
 * Interruption handling. Thin on purpose: build the adapters once per container (warm invocations
 * reuse node indexes and EKS tokens), then hand the work to the engine — a batch of notices from
 * the notice queue (Lambda's SQS event source mapping: a partial batch response), or one event or
 * continuation invoked directly (EventBridge, Scheduler, `aws lambda invoke`).
 */
const config = configFromEnvironment();
const logger = new Logger({ serviceName: 'lifeguard-interruption' });
const metrics = new Metrics({ namespace: 'Lifeguard', serviceName: 'lifeguard-interruption' });
const log = logFromPowertools(logger);
const clock = systemClock;
// The EC2 client module is imported on the first lookup, not at init.
const instances = new Ec2InstanceDirectory({ region: config.region });
const queueUrl = process.env[NOTICE_QUEUE_URL_ENV];
// The notice queue (the SQS client is imported on first use): a failed notice's retry delay, and a
// drain that runs out of time going on at once as a new notice. Without its URL (outside the
// stack), a failed notice comes back after the visibility timeout and a hand-over is scheduled.
const noticeQueue = queueUrl ? new SqsNoticeQueue({ region: config.region, queueUrl }) : undefined;
const base = {
  config,
  clock,
  log,
  lifecycle: new AutoScalingLifecycleActions(new AutoScalingClient({ region: config.region })),
  events: new EventBridgePublisher(new EventBridgeClient({ region: config.region }), { source: config.eventSource, clock }),
  scheduler: new EventBridgeScheduler(new SchedulerClient({ region: config.region }), schedulerTargetFromEnvironment()),
  ...(noticeQueue ? { invoker: noticeQueue } : {}),
};

let clusters: Promise<ClusterTarget[]> | undefined;
function connectClusters(): Promise<ClusterTarget[]> {
  clusters ??= Promise.all(
    config.eks.map(async (cluster) => {
      const kube = createKubeApi(await kubeConfigFor(cluster, { region: config.region, clock }), { clock, log, rateLimit: config.interruption.apiRateLimit });
      return { name: cluster.name, kube, nodes: new NodeIndex(kube, { clock, instances, log, region: cluster.region ?? config.region }) };
    }),
  ).catch((err: unknown) => {
    clusters = undefined; // try again on the next invocation instead of caching the failure
    throw err;
  });
  return clusters;
}

async function handle(event: unknown, context: Context): Promise<InterruptionReport[] | SQSBatchResponse> {
  // The request id holds the node's lease; the remaining time tells a drain when to hand over.
  const invocation = { id: context.awsRequestId, remainingMs: () => context.getRemainingTimeInMillis() };
  const receivedAt = clock.now();
  if (isSqsBatch(event)) {
    const { response, results } = await handleNoticeBatch(event, connectClusters, { ...base, invocation }, { ...(noticeQueue ? { queue: noticeQueue } : {}), retryDelaySeconds: config.interruption.queue.retryDelaySeconds });
    for (const result of results) {
      for (const report of result.reports) recordInterruptionMetrics(report, metrics);
      if (result.error !== undefined) recordFailureMetrics(result.error, receivedAt, metrics, 'NoticesFailed');
    }
    return response;
  }
  try {
    const reports = await handleForClusters(event, await connectClusters(), { ...base, invocation });
    for (const report of reports) recordInterruptionMetrics(report, metrics);
    return reports;
  } catch (err) {
    recordFailureMetrics(err, receivedAt, metrics);
    throw err;
  }
}

export const handler = middy<unknown, InterruptionReport[] | SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(handle);
