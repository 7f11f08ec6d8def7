import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EMRClient } from '@aws-sdk/client-emr';
import middy from '@middy/core';
import { z } from 'zod';
import { configFromEnvironment } from '../lib/config/load.ts';
import { planFailover, type PlanDeps } from '../lib/dr/plan.ts';
import { DR_SDK_MAX_ATTEMPTS } from '../lib/dr/sdk-retry.ts';
import type { FailoverInput, FailoverPlan } from '../lib/dr/types.ts';

/**
 * The state machine's plan step: FailoverInput in, FailoverPlan out (read-only AWS calls). A
 * PlanError fails the task with its message naming what is missing.
 */

const failoverInputSchema = z
  .object({
    cluster: z.string().min(1),
    mode: z.enum(['failover', 'drill']),
    dryRun: z.boolean().nullish(),
    retireOldCluster: z.boolean().nullish(),
  })
  .loose();

export function makePlanHandler(deps: PlanDeps) {
  return async (event: unknown): Promise<FailoverPlan> => {
    const parsed = failoverInputSchema.safeParse(event);
    if (!parsed.success) {
      throw new Error(`failover input is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const input: FailoverInput = {
      cluster: parsed.data.cluster,
      mode: parsed.data.mode,
      dryRun: parsed.data.dryRun ?? undefined,
      retireOldCluster: parsed.data.retireOldCluster ?? undefined,
    };
    const plan = await planFailover(input, deps);
    logger.info('failover planned', { cluster: plan.cluster, from: plan.sourceAvailabilityZone, to: plan.targetAvailabilityZone, subnet: plan.targetSubnetId, source: plan.source });
    return plan;
  };
}

const logger = new Logger({ serviceName: 'lifeguard-dr-plan' });
const config = configFromEnvironment();
const region = process.env.AWS_REGION ?? config.region;

export const handler = middy<unknown, FailoverPlan>()
  .use(injectLambdaContext(logger))
  .handler(
    makePlanHandler({
      config: config.dr,
      emr: new EMRClient({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
      ec2: new EC2Client({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
      elbv2: new ElasticLoadBalancingV2Client({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
    }),
  );
