import { bundleOptions } from './deploy/bundle.ts';
import { deployConfigOrExit } from './deploy/load-config.ts';
import { interruptionStack } from './deploy/interruption.ts';
import { drResources } from './deploy/dr.ts';
import { applyNetwork } from './deploy/network.ts';
import { operatorResources } from './deploy/operator.ts';

const service = 'lifeguard';
const stage = process.env.LIFEGUARD_STAGE ?? 'dev';
const { config } = deployConfigOrExit();
const interruption = interruptionStack(config, service, stage);
const dr = drResources(config, { service, stage });
const functions = { ...interruption.functions, ...dr.functions };
const stack = { ...interruption.resources, ...dr.resources };
const resources = { ...stack, ...operatorResources(config, service, stage, stack) };
applyNetwork(config, functions, resources);

const serverlessConfiguration = {
  service,
  frameworkVersion: '4',
  plugins: ['serverless-esbuild', 'serverless-step-functions', './deploy/allow-placeholders-option.mjs'],
  provider: {
    name: 'aws',
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    region: config.region,
    stage,
    logRetentionInDays: 30,
    environment: {
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: 'Lifeguard',
    },
  },
  package: { individually: true },
  custom: {
    esbuild: {
      ...bundleOptions(JSON.stringify(config)),
      outExtension: { '.js': '.mjs' },
      // Bundle the AWS SDK too: pinned versions, smaller cold start than the runtime's copy.
      exclude: [],
    },
  },
  functions,
  stepFunctions: dr.stepFunctions,
  resources: { Resources: resources, Outputs: { ...interruption.outputs, ...dr.outputs } },
};

export default serverlessConfiguration;
