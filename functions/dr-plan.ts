import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EMRClient } from '@aws-sdk/client-emr';
import middy from '@middy/core';
import { configFromEnvironment } from '../lib/config/load.ts';
import { makePlanHandler } from '../lib/dr/plan-handler.ts';
import type { PlanDeps } from '../lib/dr/plan.ts';
import { DR_SDK_MAX_ATTEMPTS } from '../lib/dr/sdk-retry.ts';
import type { FailoverPlan } from '../lib/dr/types.ts';
import { logFromPowertools } from '../lib/observability/powertools.ts';

/** The state machine's plan step (lib/dr/plan-handler.ts): clients made once per container, on first use. */
const logger = new Logger({ serviceName: 'lifeguard-dr-plan' });
let deps: PlanDeps | undefined;
function planDeps(): PlanDeps {
  if (!deps) {
    const config = configFromEnvironment();
    const region = process.env.AWS_REGION ?? config.region;
    deps = {
      config: config.dr,
      emr: new EMRClient({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
      ec2: new EC2Client({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
      elbv2: new ElasticLoadBalancingV2Client({ region, maxAttempts: DR_SDK_MAX_ATTEMPTS }),
    };
  }
  return deps;
}

export const handler = middy<unknown, FailoverPlan>()
  .use(injectLambdaContext(logger))
  .handler(makePlanHandler({ log: logFromPowertools(logger), deps: planDeps }));
