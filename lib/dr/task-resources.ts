import { LifeguardError } from '../util/errors.ts';

/**
 * What a Task state's Resource calls: the service API action (for the sandbox, which answers it)
 * and the IAM action the state machine's role needs for it (for the deployment and its test).
 */

/** A Task state's Resource this model of Step Functions' integrations does not know. */
export class UnsupportedTaskResource extends LifeguardError {}

export type TaskTarget =
  | { kind: 'lambda'; functionArn: string; iamAction: 'lambda:InvokeFunction' }
  | {
      kind: 'service';
      service: 'emr' | 'elbv2' | 'dynamodb' | 'events';
      /** API action, PascalCase (RunJobFlow, RegisterTargets, PutItem, ...). */
      action: string;
      /** How Step Functions prefixes this integration's error codes. */
      errorPrefix: string;
      /**
       * Whether the integration appends `Exception` to a code without it. The AWS SDK integrations
       * do; for the optimized DynamoDB one it is undocumented, so the sandbox reports DynamoDB's
       * code as is and the lock retries both spellings (lib/dr/task-errors.ts).
       */
      exceptionSuffix: boolean;
      iamAction: string;
    };

const OPTIMIZED: Record<string, Omit<Extract<TaskTarget, { kind: 'service' }>, 'kind'>> = {
  'dynamodb:putItem': { service: 'dynamodb', action: 'PutItem', errorPrefix: 'DynamoDB', exceptionSuffix: false, iamAction: 'dynamodb:PutItem' },
  'dynamodb:deleteItem': { service: 'dynamodb', action: 'DeleteItem', errorPrefix: 'DynamoDB', exceptionSuffix: false, iamAction: 'dynamodb:DeleteItem' },
  'dynamodb:getItem': { service: 'dynamodb', action: 'GetItem', errorPrefix: 'DynamoDB', exceptionSuffix: false, iamAction: 'dynamodb:GetItem' },
  'events:putEvents': { service: 'events', action: 'PutEvents', errorPrefix: 'EventBridge', exceptionSuffix: true, iamAction: 'events:PutEvents' },
};

const SDK_SERVICES: Record<string, { service: 'emr' | 'elbv2'; errorPrefix: string; iamPrefix: string }> = {
  emr: { service: 'emr', errorPrefix: 'Emr', iamPrefix: 'elasticmapreduce' },
  elasticloadbalancingv2: { service: 'elbv2', errorPrefix: 'ElasticLoadBalancingV2', iamPrefix: 'elasticloadbalancing' },
};

/**
 * An ARN's partition: a literal one, or the step-functions plugin's `#{AWS::Partition}` in the
 * definition the deployment builds (statemachines/failover/common.ts).
 */
const PARTITION = String.raw`(?:aws(?:-[a-z]+)*|#\{AWS::Partition\})`;
const LAMBDA_ARN = new RegExp(`^arn:${PARTITION}:lambda:`);
const INTEGRATION_ARN = new RegExp(`^arn:${PARTITION}:states:::(.+)$`);

export function taskTarget(resource: unknown): TaskTarget {
  if (typeof resource !== 'string') {
    // A CloudFormation reference to one of the stack's functions.
    return { kind: 'lambda', functionArn: JSON.stringify(resource), iamAction: 'lambda:InvokeFunction' };
  }
  if (LAMBDA_ARN.test(resource)) return { kind: 'lambda', functionArn: resource, iamAction: 'lambda:InvokeFunction' };
  const integration = INTEGRATION_ARN.exec(resource)?.[1];
  if (!integration) throw new UnsupportedTaskResource(`unsupported Task resource ${resource}`);
  const optimized = OPTIMIZED[integration];
  if (optimized) return { kind: 'service', ...optimized };
  const sdk = /^aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/.exec(integration);
  const service = sdk && SDK_SERVICES[sdk[1]!];
  if (!sdk || !service) throw new UnsupportedTaskResource(`unsupported Task resource ${resource}`);
  const action = sdk[2]!.charAt(0).toUpperCase() + sdk[2]!.slice(1);
  return { kind: 'service', service: service.service, action, errorPrefix: service.errorPrefix, exceptionSuffix: true, iamAction: `${service.iamPrefix}:${action}` };
}

/** The error name Step Functions reports for an API error code raised through this integration. */
export function stepFunctionsErrorName(target: Extract<TaskTarget, { kind: 'service' }>, code: string): string {
  return `${target.errorPrefix}.${!target.exceptionSuffix || code.endsWith('Exception') ? code : `${code}Exception`}`;
}

/** Every Task state of a definition, nested Map/Parallel states included. */
export function taskStates(definition: { States: Record<string, unknown> }): Array<{ name: string; resource: unknown }> {
  const found: Array<{ name: string; resource: unknown }> = [];
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as Record<string, unknown>;
      if (state.Type === 'Task') found.push({ name, resource: state.Resource });
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown> } | undefined;
      if (processor) visit(processor.States);
      for (const branch of (state.Branches as Array<{ States: Record<string, unknown> }> | undefined) ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return found;
}
