import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import type { LifeguardConfig } from '../../../lib/config/schema.ts';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';
import { kubeConfigFor, resetKubeConnectionCache } from '../../../lib/kube/connect.ts';
import { systemClock } from '../../../lib/util/clock.ts';
import { AwsCallLog, type AwsCall, type SandboxDeployment } from '../../../sandbox/aws/calls.ts';
import { runScenario } from '../../../sandbox/scenario/runner.ts';
import type { Scenario } from '../../../sandbox/scenario/schema.ts';
import type { Rule } from './stack-iam.ts';

/**
 * Every AWS request of the sandbox runs, as the deployed stack makes them: the scenarios' own
 * calls (recorded where the sandbox answers them), the interruption function connecting to its
 * clusters, and EventBridge delivering Lifeguard's own events to the notification targets.
 */
export async function collectCalls(scenarios: Scenario[], options: { deployment: SandboxDeployment; config: LifeguardConfig; rules: Rule[] }): Promise<AwsCall[]> {
  const log = new AwsCallLog();
  for (const scenario of scenarios) await runScenario(scenario, { aws: { log, deployment: options.deployment } });
  await connectToClusters(options.config, log);
  return [...log.calls, ...deliveriesOfOwnEvents(log.calls, options.rules, options.config)];
}

/**
 * The sandbox hands its emulator to the client directly; deployed, the function first connects
 * (lib/kube/connect.ts): eks:DescribeCluster for a cluster configured without endpoint and CA.
 */
async function connectToClusters(config: LifeguardConfig, log: AwsCallLog): Promise<void> {
  resetKubeConnectionCache();
  const credentials = async () => ({ accessKeyId: 'SANDBOX', secretAccessKey: 'SANDBOX' });
  const eks = new EKSClient({ region: config.region, credentials });
  const mock = mockClient(eks);
  mock.on(DescribeClusterCommand).callsFake((input: { name?: string }) => {
    log.record({ caller: { function: 'interruption' }, service: 'eks', operation: 'DescribeCluster', input: { ...input } });
    return { cluster: { name: input.name, endpoint: 'https://sandbox.eks.example', certificateAuthority: { data: 'U0FOREJPWA==' } } };
  });
  try {
    for (const cluster of config.eks) await kubeConfigFor(cluster, { region: config.region, eks, clock: systemClock, credentials });
  } finally {
    mock.restore();
    resetKubeConnectionCache();
  }
}

/** Lifeguard's own events (PutEvents of the function and the state machine) through the stack's rules to their targets. */
function deliveriesOfOwnEvents(calls: AwsCall[], rules: Rule[], config: LifeguardConfig): AwsCall[] {
  const patterns = rules.filter((r) => r.pattern).map((r) => ({ rule: r, pattern: validatePattern(r.pattern) }));
  const deliveries: AwsCall[] = [];
  for (const call of calls) {
    if (call.service !== 'events' || call.operation !== 'PutEvents') continue;
    for (const entry of (call.input.Entries as Array<Record<string, unknown>> | undefined) ?? []) {
      const event = {
        version: '0',
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '123456789012',
        region: config.region,
        resources: entry.Resources ?? [],
        detail: typeof entry.Detail === 'string' ? (JSON.parse(entry.Detail) as unknown) : entry.Detail,
      };
      for (const { rule, pattern } of patterns) {
        if (!matchesPattern(pattern, event)) continue;
        for (const target of rule.targets) deliveries.push({ caller: { eventbridge: { event } }, ...deliveryTo(target.arn) });
      }
    }
  }
  return deliveries;
}

/** What EventBridge calls on a target, by the target's ARN. */
export function deliveryTo(arn: string): Pick<AwsCall, 'service' | 'operation' | 'input'> {
  const [, , service, , , resource = ''] = arn.split(':');
  if (service === 'lambda') return { service: 'lambda', operation: 'Invoke', input: { FunctionName: arn } };
  if (service === 'sqs') {
    const [, , , region, account] = arn.split(':');
    return { service: 'sqs', operation: 'SendMessage', input: { QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${resource}` } };
  }
  if (service === 'sns') return { service: 'sns', operation: 'Publish', input: { TopicArn: arn } };
  if (service === 'states') return { service: 'states', operation: 'StartExecution', input: { stateMachineArn: arn } };
  if (service === 'events' && resource.startsWith('api-destination/')) return { service: 'events', operation: 'InvokeApiDestination', input: { ApiDestinationArn: arn } };
  throw new Error(`no model of how EventBridge delivers to ${arn}`);
}
