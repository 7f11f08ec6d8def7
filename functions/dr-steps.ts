import { EMRClient } from '@aws-sdk/client-emr';
import middy from '@middy/core';
import { configFromEnvironment } from '../lib/config/load.ts';
import { carrySteps, type StepsReport } from '../lib/dr/carry-steps.ts';
import { DR_SDK_MAX_ATTEMPTS } from '../lib/dr/sdk-retry.ts';

/** The failover's steps task (lib/dr/carry-steps.ts): the EMR client made once per container, on first use. */
let emr: EMRClient | undefined;
const client = () => (emr ??= new EMRClient({ region: process.env.AWS_REGION ?? configFromEnvironment().region, maxAttempts: DR_SDK_MAX_ATTEMPTS }));

export const handler = middy<unknown, StepsReport>().handler(async (event) => carrySteps(event, client()));
