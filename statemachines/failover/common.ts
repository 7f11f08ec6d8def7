import {
  DYNAMODB_RETRYABLE_ERRORS,
  LAMBDA_THROTTLING_ERRORS,
  LAMBDA_TRANSIENT_ERRORS,
  TARGET_NOT_REGISTERED_ERROR,
  THROTTLING_ERROR,
} from '../../lib/dr/task-errors.ts';
import type { Checkpoint } from '../../lib/dr/rto.ts';

/**
 * What every phase builder of the failover state machine shares: the resource references, the
 * retry policies, and the small state shapes several phases use.
 */

/** A literal ARN/name, or a CloudFormation intrinsic the deployment resolves. */
export type ResourceRef = string | Record<string, unknown>;

export interface FailoverResourceRefs {
  validateFunction: ResourceRef;
  confirmFunction: ResourceRef;
  planFunction: ResourceRef;
  stepsFunction: ResourceRef;
  /** Judges each attempt to create the replacement (lib/dr/attempts.ts). */
  attemptFunction: ResourceRef;
  reportFunction: ResourceRef;
  lockTable: ResourceRef;
  /** `source` of Lifeguard's own events. */
  eventSource: string;
  /**
   * The partition of every service integration's ARN (`aws`, `aws-cn`, `aws-us-gov`). The deployment
   * passes `#{AWS::Partition}`, which serverless-step-functions turns into CloudFormation's pseudo
   * parameter: a literal `arn:aws:` is rejected in the China and GovCloud partitions.
   */
  partition: string;
}

/** What the step-functions plugin substitutes with the stack's partition (deploy/dr-failover.ts). */
export const DEPLOYED_PARTITION = '#{AWS::Partition}';

export type State = Record<string, unknown>;
export type States = Record<string, State>;

export const LIFEGUARD_EVENTS = {
  completed: 'Failover Completed',
  failed: 'Failover Failed',
} as const;

/** Where every failure after the lock goes (statemachines/failover/cleanup.ts). */
export const CLEANUP = 'CleanupFailure';

/** Throttling of one AWS SDK integration, under the name that integration reports it by. */
export function throttlingRetry(service: keyof typeof THROTTLING_ERROR) {
  return {
    ErrorEquals: [THROTTLING_ERROR[service]],
    IntervalSeconds: 1,
    MaxAttempts: 8,
    BackoffRate: 2,
    MaxDelaySeconds: 20,
    JitterStrategy: 'FULL',
  };
}
export const lambdaRetry = {
  ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 5,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
/** A Lambda of ours that reads AWS and was throttled beyond its SDK client's own retries. */
export const lambdaThrottlingRetry = {
  ErrorEquals: [...LAMBDA_THROTTLING_ERRORS],
  IntervalSeconds: 5,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
export const dynamoRetry = { ErrorEquals: [...DYNAMODB_RETRYABLE_ERRORS], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2 };
export const toCleanup = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: CLEANUP }];

type Partitioned = Pick<FailoverResourceRefs, 'partition'>;

/** A Step Functions service integration's Resource, in the refs' partition. */
export const integration = (refs: Partitioned, name: string) => `arn:${refs.partition}:states:::${name}`;
export const emr = (refs: Partitioned, action: string) => integration(refs, `aws-sdk:emr:${action}`);
export const elbv2 = (refs: Partitioned, action: string) => integration(refs, `aws-sdk:elasticloadbalancingv2:${action}`);

/** Stamps a phase boundary under `$.times` for the RTO report (`started` is set when the execution is validated). */
export function mark(name: Exclude<Checkpoint, 'started'>, next: string): State {
  return { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: `$.times.${name}`, Next: next };
}

export function lambdaTask(fn: ResourceRef, parameters: Record<string, unknown>, resultPath: string, next: string): State {
  return { Type: 'Task', Resource: fn, Parameters: parameters, ResultPath: resultPath, Retry: [lambdaRetry], Catch: toCleanup, Next: next };
}

/**
 * A Map over the plan's target groups that deregisters `ipPath` from each; a target that is
 * already gone counts as done.
 */
export function deregisterFromEveryGroup(refs: Partitioned, ipPath: string, task: string, alreadyGone: string, catchers: unknown[], next: string): State {
  return {
    Type: 'Map',
    ItemsPath: '$.plan.targetGroups',
    ItemSelector: { 'arn.$': '$$.Map.Item.Value.arn', 'port.$': '$$.Map.Item.Value.port', 'ip.$': ipPath },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: task,
      States: {
        [task]: {
          Type: 'Task',
          Resource: elbv2(refs, 'deregisterTargets'),
          Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
          ResultPath: null,
          Retry: [throttlingRetry('elbv2')],
          Catch: [{ ErrorEquals: [TARGET_NOT_REGISTERED_ERROR], ResultPath: null, Next: alreadyGone }],
          End: true,
        },
        [alreadyGone]: { Type: 'Succeed' },
      },
    },
    ResultPath: null,
    Catch: catchers,
    Next: next,
  };
}

/**
 * Termination protection off for the cluster whose id is at `idPath`: a protected cluster cannot
 * be terminated.
 */
export function unprotectCluster(refs: Partitioned, idPath: string, catchers: unknown[], next: string, comment?: string): State {
  return {
    Type: 'Task',
    ...(comment === undefined ? {} : { Comment: comment }),
    Resource: emr(refs, 'setTerminationProtection'),
    Parameters: { 'JobFlowIds.$': `States.Array(${idPath})`, TerminationProtected: false },
    ResultPath: null,
    Retry: [throttlingRetry('emr')],
    Catch: catchers,
    Next: next,
  };
}

/** Terminates the cluster whose id is at `idPath`. */
export function terminateCluster(refs: Partitioned, idPath: string, catchers: unknown[], next: string): State {
  return {
    Type: 'Task',
    Resource: emr(refs, 'terminateJobFlows'),
    Parameters: { 'JobFlowIds.$': `States.Array(${idPath})` },
    ResultPath: null,
    Retry: [throttlingRetry('emr')],
    Catch: catchers,
    Next: next,
  };
}

export function releaseLock(refs: FailoverResourceRefs, next: string): State {
  return {
    Type: 'Task',
    Comment: 'Only our own lock; on failure the TTL releases it',
    Resource: integration(refs, 'dynamodb:deleteItem'),
    Parameters: {
      TableName: refs.lockTable,
      Key: { lockKey: { 'S.$': '$.lock.key' } },
      ConditionExpression: 'holder = :me',
      ExpressionAttributeValues: { ':me': { 'S.$': '$.executionId' } },
    },
    ResultPath: null,
    Retry: [dynamoRetry],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
    Next: next,
  };
}

export function putEvent(refs: FailoverResourceRefs, detailType: string, detail: Record<string, unknown> | string, next: string, errorPath: string): State {
  const entry: Record<string, unknown> = { Source: refs.eventSource, DetailType: detailType };
  if (typeof detail === 'string') entry['Detail.$'] = detail;
  else entry.Detail = detail;
  return {
    Type: 'Task',
    Resource: integration(refs, 'events:putEvents'),
    Parameters: { Entries: [entry] },
    ResultPath: null,
    Retry: [throttlingRetry('events'), { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
    // An undeliverable event must not keep the lock: record why and go on.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: errorPath, Next: next }],
    Next: next,
  };
}

export const failedDetail = {
  'cluster.$': '$.request.cluster',
  'clusterId.$': '$.request.clusterId',
  'mode.$': '$.request.mode',
  'executionId.$': '$.executionId',
  'error.$': '$.error',
  'newCluster.$': '$.newCluster',
  'registration.$': '$.registration',
  'rolledBack.$': '$.rolledBack',
  'cleanupErrors.$': '$.cleanupError',
  'attempts.$': '$.attempts.list',
};
