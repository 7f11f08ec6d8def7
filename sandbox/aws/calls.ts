import type { SchedulerTarget } from '../../lib/aws/scheduler.ts';
import type { FailoverResourceRefs } from '../../statemachines/failover.ts';

/**
 * Every AWS request the deployed stack makes in a sandbox run, recorded where the sandbox answers
 * it (the in-memory ports, the DR emulators, the state machine's Task states, Lambda, Scheduler and
 * EventBridge deliveries), as CloudTrail would log it: who makes it, the API operation, its
 * parameters, and what the world knows of the resources it addresses (their tags, which IAM
 * conditions read). test/package/iam-simulation.test.ts evaluates each one against the role that
 * makes it in the packaged template.
 */

/** Who makes a request, as the deployed stack names it. */
export type AwsCaller =
  /** One of the stack's Lambda functions (its key in serverless.ts), with its execution role. */
  | { function: string }
  /** The failover state machine, with its role. */
  | { stateMachine: 'failover' }
  /** EventBridge Scheduler running one of `group`'s schedules, with the role the schedule names. */
  | { scheduler: { group: string; roleArn: string } }
  /** EventBridge delivering `event` (or firing a `schedule` expression) to its target. */
  | { eventbridge: { event: Record<string, unknown> } | { schedule: string } };

export interface AwsCall {
  caller: AwsCaller;
  /** The IAM service prefix (ec2, elasticmapreduce, scheduler, ...). */
  service: string;
  /** The API operation, as the SDK command is named without `Command`. */
  operation: string;
  input: Record<string, unknown>;
  /** Tags of the resources the request addresses, by resource id (cluster id, group name). */
  resourceTags?: Record<string, Record<string, string>>;
}

export class AwsCallLog {
  readonly calls: AwsCall[] = [];

  record(call: AwsCall): void {
    this.calls.push(structuredClone(call));
  }
}

/**
 * The deployed names a run must use for its requests to be the deployed stack's: the functions'
 * ARNs, where the interruption function schedules work, the failover's resources and alarms.
 */
export interface SandboxDeployment {
  /** ARN of each of the stack's functions, by its key in serverless.ts. */
  functionArns: Record<string, string>;
  stateMachineArn: string;
  scheduler: SchedulerTarget;
  /** The notice queue: where the interruption rules, the schedules and a drain handed over send. */
  noticeQueue: QueueRef;
  failover: FailoverResourceRefs;
  /** The name of the health alarm of a protected EMR cluster. */
  alarmName(cluster: string): string;
}

/** An SQS queue as its requests address it (QueueUrl) and as IAM does (its ARN). */
export interface QueueRef {
  arn: string;
  url: string;
}

/** An SQS request on one queue (its QueueUrl): what IAM authorizes on the queue's ARN. */
export const queueRequest = (queue: QueueRef, operation: string) => ({ service: 'sqs', operation, input: { QueueUrl: queue.url } });

/** SendMessage to a queue: what EventBridge, Scheduler and the function itself send a notice with. */
export const sendMessage = (queue: QueueRef) => queueRequest(queue, 'SendMessage');

/** Recording for one sandbox run: where the calls go, and the deployment they address. */
export interface SandboxAws {
  log: AwsCallLog;
  deployment: SandboxDeployment;
}

/**
 * What Lambda itself does with a function's execution role: a log stream per execution
 * environment, log events per invocation.
 */
export function lambdaLogWrites(aws: SandboxAws, key: string) {
  const arn = aws.deployment.functionArns[key];
  if (!arn) throw new Error(`the sandbox deployment names no function '${key}'`);
  const logGroupName = `/aws/lambda/${arn.slice(arn.lastIndexOf(':') + 1)}`;
  const caller = { function: key };
  return {
    environment(id: string): void {
      aws.log.record({ caller, service: 'logs', operation: 'CreateLogStream', input: { logGroupName, logStreamName: streamName(id) } });
    },
    invocation(environment: string): void {
      aws.log.record({ caller, service: 'logs', operation: 'PutLogEvents', input: { logGroupName, logStreamName: streamName(environment) } });
    },
  };
}

/** Lambda names a stream `<date>/[<version>]<environment id>`. */
const streamName = (environment: string) => `2026/01/01/[$LATEST]${environment}`;
