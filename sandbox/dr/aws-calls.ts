import type { FAILOVER_TASK_LAMBDAS } from '../../deploy/dr-ids.ts';
import type { FailoverResourceRefs } from '../../statemachines/failover.ts';
import { lambdaLogWrites, type AwsCaller, type SandboxAws } from '../aws/calls.ts';
import type { CallRecord, Caller, ResourceTags, ServiceName } from './service-error.ts';

/**
 * The DR sandbox's calls as the deployed stack makes them (sandbox/aws/calls.ts): who makes each
 * one, by the IAM service it belongs to.
 */

type FunctionKey = keyof typeof FAILOVER_TASK_LAMBDAS | 'drProbe';

const CALLERS: Record<Caller, AwsCaller> = {
  stateMachine: { stateMachine: 'failover' },
  planner: { function: 'drPlan' },
  probe: { function: 'drProbe' },
  confirm: { function: 'drConfirm' },
  steps: { function: 'drSteps' },
};

const IAM_SERVICES: Record<ServiceName, string> = {
  emr: 'elasticmapreduce',
  elbv2: 'elasticloadbalancing',
  ec2: 'ec2',
  dynamodb: 'dynamodb',
  events: 'events',
};

/** The function each Lambda Task state of the definition invokes. */
export const TASK_FUNCTIONS = {
  validateFunction: 'drValidate',
  confirmFunction: 'drConfirm',
  planFunction: 'drPlan',
  stepsFunction: 'drSteps',
  attemptFunction: 'drAttempt',
  reportFunction: 'drReport',
} as const satisfies Partial<Record<keyof FailoverResourceRefs, FunctionKey>>;

/** Records every emulator call (CallLog's `onCall`) as the deployed stack's request. */
export function recordEmulatorCalls(aws: SandboxAws) {
  return (record: CallRecord, tags: ResourceTags | undefined) =>
    aws.log.record({
      caller: CALLERS[record.caller],
      service: IAM_SERVICES[record.service],
      operation: record.action,
      input: record.input as Record<string, unknown>,
      ...(tags ? { resourceTags: tags } : {}),
    });
}

/**
 * Lambda's side of the DR functions: who invokes each one, and the logs Lambda writes with its
 * role (one log stream per function: the sandbox runs each in one environment).
 */
export function recordLambdaInvocations(aws: SandboxAws) {
  const started = new Set<FunctionKey>();
  return (key: FunctionKey, by: AwsCaller) => {
    aws.log.record({ caller: by, service: 'lambda', operation: 'Invoke', input: { FunctionName: aws.deployment.functionArns[key] } });
    const logs = lambdaLogWrites(aws, key);
    if (!started.has(key)) logs.environment(key);
    started.add(key);
    logs.invocation(key);
  };
}

export type InvocationRecorder = ReturnType<typeof recordLambdaInvocations>;

/** The alarm's state change as CloudWatch puts it on the default bus, starting a failover through the trigger rule. */
export function recordAlarmTrigger(aws: SandboxAws, cluster: string, at: number): void {
  const event = {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName: aws.deployment.alarmName(cluster), state: { value: 'ALARM', timestamp: new Date(at).toISOString() } },
  };
  aws.log.record({ caller: { eventbridge: { event } }, service: 'states', operation: 'StartExecution', input: { stateMachineArn: aws.deployment.stateMachineArn } });
}
