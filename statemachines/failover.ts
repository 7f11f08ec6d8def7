import {
  DYNAMODB_RETRYABLE_ERRORS,
  FAILOVER_ERRORS,
  LAMBDA_TRANSIENT_ERRORS,
  LOCK_HELD_ERROR,
  TARGET_NOT_REGISTERED_ERROR,
  THROTTLING_ERRORS,
} from '../lib/dr/task-errors.ts';

/**
 * The EMR failover state machine (Amazon States Language, JSONPath). The execution state is the
 * object the ValidateInput Lambda returns (lib/dr/execution.ts): every slot a later state reads is
 * initialised there, so no JSONPath can miss (a missing path is States.Runtime, which no Catch
 * sees). Phase boundaries are stamped with `$$.State.EnteredTime` under `$.times` for the RTO report.
 */

/** A literal ARN/name, or a CloudFormation intrinsic the deployment resolves. */
export type ResourceRef = string | Record<string, unknown>;

export interface FailoverResourceRefs {
  validateFunction: ResourceRef;
  confirmFunction: ResourceRef;
  planFunction: ResourceRef;
  reportFunction: ResourceRef;
  lockTable: ResourceRef;
  /** `source` of Lifeguard's own events. */
  eventSource: string;
}

/** An execution never outlives its lock (lib/dr/execution.ts LOCK_TTL_SECONDS is longer). */
export const FAILOVER_TIMEOUT_SECONDS = 5400;

export const LIFEGUARD_EVENTS = {
  completed: 'Failover Completed',
  failed: 'Failover Failed',
} as const;

type State = Record<string, unknown>;

const throttlingRetry = {
  ErrorEquals: [...THROTTLING_ERRORS],
  IntervalSeconds: 1,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 20,
  JitterStrategy: 'FULL',
};
const lambdaRetry = {
  ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 5,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
const dynamoRetry = { ErrorEquals: [...DYNAMODB_RETRYABLE_ERRORS], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2 };
const toCleanup = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CleanupFailure' }];

const emr = (action: string) => `arn:aws:states:::aws-sdk:emr:${action}`;
const elbv2 = (action: string) => `arn:aws:states:::aws-sdk:elasticloadbalancingv2:${action}`;

function mark(name: string, next: string): State {
  return { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: `$.times.${name}`, Next: next };
}

/**
 * A Map over the plan's target groups that deregisters `ipPath` from each; a target that is
 * already gone counts as done.
 */
function deregisterFromEveryGroup(ipPath: string, task: string, alreadyGone: string, catchers: unknown[], next: string): State {
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
          Resource: elbv2('deregisterTargets'),
          Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
          ResultPath: null,
          Retry: [throttlingRetry],
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

function lambdaTask(fn: ResourceRef, parameters: Record<string, unknown>, resultPath: string, next: string): State {
  return { Type: 'Task', Resource: fn, Parameters: parameters, ResultPath: resultPath, Retry: [lambdaRetry], Catch: toCleanup, Next: next };
}

function releaseLock(refs: FailoverResourceRefs, next: string): State {
  return {
    Type: 'Task',
    Comment: 'Only our own lock; on failure the TTL releases it',
    Resource: 'arn:aws:states:::dynamodb:deleteItem',
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

function putEvent(refs: FailoverResourceRefs, detailType: string, detail: Record<string, unknown> | string, next: string, errorPath: string): State {
  const entry: Record<string, unknown> = { Source: refs.eventSource, DetailType: detailType };
  if (typeof detail === 'string') entry['Detail.$'] = detail;
  else entry.Detail = detail;
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::events:putEvents',
    Parameters: { Entries: [entry] },
    ResultPath: null,
    Retry: [throttlingRetry, { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
    // An undeliverable event must not keep the lock: record why and go on.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: errorPath, Next: next }],
    Next: next,
  };
}

const failedDetail = {
  'cluster.$': '$.request.cluster',
  'clusterId.$': '$.request.clusterId',
  'mode.$': '$.request.mode',
  'executionId.$': '$.executionId',
  'error.$': '$.error',
  'newCluster.$': '$.newCluster',
  'registration.$': '$.registration',
  'rolledBack.$': '$.rolledBack',
  'cleanupErrors.$': '$.cleanupError',
};

/** Confirm → plan → create → register → healthy → switch → retire, with a rollback path. */
export function failoverDefinition(refs: FailoverResourceRefs) {
  const states: Record<string, State> = {
    ValidateInput: {
      Type: 'Task',
      Resource: refs.validateFunction,
      Parameters: { 'request.$': '$', 'executionId.$': '$$.Execution.Id', 'enteredAt.$': '$$.State.EnteredTime' },
      // No ResultPath: the execution state the Lambda returns replaces the raw input.
      Retry: [lambdaRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RejectInput' }],
      Next: 'AcquireLock',
    },
    RejectInput: { Type: 'Fail', Error: FAILOVER_ERRORS.invalidInput, CausePath: '$.error.Cause' },

    AcquireLock: {
      Type: 'Task',
      Comment:
        'Single flight per cluster; an expired lock (TTL deletion lags) may be taken over, and our own may be taken again (a retried put whose first attempt landed)',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: refs.lockTable,
        Item: {
          lockKey: { 'S.$': '$.lock.key' },
          holder: { 'S.$': '$.executionId' },
          clusterName: { 'S.$': '$.request.cluster' },
          expiresAt: { 'N.$': '$.lock.expiresAt' },
        },
        ConditionExpression: 'attribute_not_exists(lockKey) OR expiresAt < :now OR holder = :me',
        ExpressionAttributeValues: { ':now': { 'N.$': '$.lock.now' }, ':me': { 'S.$': '$.executionId' } },
      },
      ResultPath: null,
      Retry: [dynamoRetry],
      Catch: [
        { ErrorEquals: [LOCK_HELD_ERROR], ResultPath: null, Next: 'AlreadyInProgress' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyLockUnavailable' },
      ],
      Next: 'IsDrill',
    },
    AlreadyInProgress: {
      Type: 'Pass',
      Comment: 'Another execution holds this cluster: a duplicate trigger does nothing',
      Parameters: { outcome: 'AlreadyInProgress', 'cluster.$': '$.request.cluster', 'executionId.$': '$.executionId' },
      End: true,
    },
    NotifyLockUnavailable: putEvent(refs, LIFEGUARD_EVENTS.failed, failedDetail, 'LockUnavailable', '$.notifyError'),
    LockUnavailable: { Type: 'Fail', Error: FAILOVER_ERRORS.lockUnavailable, CausePath: '$.error.Cause' },

    IsDrill: {
      Type: 'Choice',
      Comment: 'A drill fails a healthy cluster over on purpose: no confirmation',
      Choices: [{ Variable: '$.request.mode', StringEquals: 'drill', Next: 'MarkConfirmed' }],
      Default: 'ProbeCluster',
    },
    ProbeCluster: {
      ...lambdaTask(refs.confirmFunction, { 'cluster.$': '$.request.cluster' }, '$.confirm.last', 'CountProbe'),
      ResultSelector: { 'healthy.$': '$.healthy', 'checkedAt.$': '$.checkedAt' },
    },
    CountProbe: {
      Type: 'Choice',
      Choices: [{ Variable: '$.confirm.last.healthy', BooleanEquals: true, Next: 'CountHealthyProbe' }],
      Default: 'CountUnhealthyProbe',
    },
    CountHealthyProbe: {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.confirm.healthy.n, 1)' },
      ResultPath: '$.confirm.healthy',
      Next: 'JudgeProbes',
    },
    CountUnhealthyProbe: {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.confirm.unhealthy.n, 1)' },
      ResultPath: '$.confirm.unhealthy',
      Next: 'JudgeProbes',
    },
    JudgeProbes: {
      Type: 'Choice',
      Comment: 'Fail over only on enough failed probes; stop as soon as that can no longer happen',
      Choices: [
        { Variable: '$.confirm.unhealthy.n', NumericGreaterThanEqualsPath: '$.confirm.unhealthyToFail', Next: 'MarkConfirmed' },
        { Variable: '$.confirm.healthy.n', NumericGreaterThanEqualsPath: '$.confirm.healthyToClear', Next: 'ReleaseLockHealthy' },
      ],
      Default: 'WaitBeforeProbe',
    },
    WaitBeforeProbe: { Type: 'Wait', SecondsPath: '$.confirm.intervalSeconds', Next: 'ProbeCluster' },
    ReleaseLockHealthy: releaseLock(refs, 'Healthy'),
    Healthy: {
      Type: 'Pass',
      Comment: 'Healthy, no failover',
      Parameters: { outcome: 'Healthy', 'cluster.$': '$.request.cluster', 'confirm.$': '$.confirm' },
      End: true,
    },

    MarkConfirmed: mark('confirmed', 'PlanFailover'),
    PlanFailover: lambdaTask(
      refs.planFunction,
      {
        'cluster.$': '$.request.cluster',
        'mode.$': '$.request.mode',
        'dryRun.$': '$.request.dryRun',
        'retireOldCluster.$': '$.request.retireOldCluster',
      },
      '$.plan',
      'IsDryRun',
    ),
    IsDryRun: {
      Type: 'Choice',
      Choices: [{ Variable: '$.request.dryRun', BooleanEquals: true, Next: 'ReleaseLockDryRun' }],
      Default: 'CreateCluster',
    },
    ReleaseLockDryRun: releaseLock(refs, 'DryRunPlanned'),
    DryRunPlanned: {
      Type: 'Pass',
      Comment: 'Dry run: the plan, nothing created',
      Parameters: { outcome: 'DryRun', 'cluster.$': '$.request.cluster', 'plan.$': '$.plan' },
      End: true,
    },

    CreateCluster: {
      Type: 'Task',
      Comment: 'Request/response, not .sync: the poll loop below notices WAITING sooner',
      Resource: 'arn:aws:states:::elasticmapreduce:createCluster',
      InputPath: '$.plan.runJobFlow',
      ResultSelector: { 'ClusterId.$': '$.ClusterId', 'requestedAt.$': '$$.State.EnteredTime' },
      ResultPath: '$.newCluster',
      // Only throttling: any other failure may have created a cluster, and a retry would make two.
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'WaitForCluster',
    },
    WaitForCluster: { Type: 'Wait', SecondsPath: '$.poll.clusterIntervalSeconds', Next: 'DescribeNewCluster' },
    DescribeNewCluster: {
      Type: 'Task',
      Resource: emr('describeCluster'),
      Parameters: { 'ClusterId.$': '$.newCluster.ClusterId' },
      ResultSelector: { 'state.$': '$.Cluster.Status.State', 'status.$': '$.Cluster.Status' },
      ResultPath: '$.newClusterStatus',
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'CountClusterPoll',
    },
    CountClusterPoll: {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.clusterPoll.n, 1)' },
      ResultPath: '$.clusterPoll',
      Next: 'IsClusterReady',
    },
    IsClusterReady: {
      Type: 'Choice',
      Choices: [
        {
          Or: [
            { Variable: '$.newClusterStatus.state', StringEquals: 'WAITING' },
            { Variable: '$.newClusterStatus.state', StringEquals: 'RUNNING' },
          ],
          Next: 'MarkClusterReady',
        },
        {
          Or: [
            { Variable: '$.newClusterStatus.state', StringEquals: 'TERMINATING' },
            { Variable: '$.newClusterStatus.state', StringEquals: 'TERMINATED' },
            { Variable: '$.newClusterStatus.state', StringEquals: 'TERMINATED_WITH_ERRORS' },
          ],
          Next: 'ClusterCreationFailed',
        },
        { Variable: '$.clusterPoll.n', NumericGreaterThanEqualsPath: '$.poll.clusterMaxAttempts', Next: 'ClusterCreationTimedOut' },
      ],
      Default: 'WaitForCluster',
    },
    ClusterCreationFailed: {
      Type: 'Pass',
      Parameters: { Error: FAILOVER_ERRORS.clusterCreationFailed, 'Cause.$': 'States.JsonToString($.newClusterStatus.status)' },
      ResultPath: '$.error',
      Next: 'CleanupFailure',
    },
    ClusterCreationTimedOut: {
      Type: 'Pass',
      Parameters: {
        Error: FAILOVER_ERRORS.clusterCreationTimedOut,
        'Cause.$': "States.Format('cluster {} still {} after {} polls', $.newCluster.ClusterId, $.newClusterStatus.state, $.clusterPoll.n)",
      },
      ResultPath: '$.error',
      Next: 'CleanupFailure',
    },
    MarkClusterReady: mark('clusterReady', 'IsInstanceFleetCluster'),
    IsInstanceFleetCluster: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.runJobFlow.Instances.InstanceFleets', IsPresent: true, Next: 'ListFleetMaster' }],
      Default: 'ListGroupMaster',
    },
    ListGroupMaster: {
      Type: 'Task',
      Resource: emr('listInstances'),
      Parameters: { 'ClusterId.$': '$.newCluster.ClusterId', InstanceGroupTypes: ['MASTER'], InstanceStates: ['RUNNING'] },
      ResultSelector: { 'instances.$': '$.Instances' },
      ResultPath: '$.newMasterLookup',
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'HasNewMaster',
    },
    ListFleetMaster: {
      Type: 'Task',
      Resource: emr('listInstances'),
      Parameters: { 'ClusterId.$': '$.newCluster.ClusterId', InstanceFleetType: 'MASTER', InstanceStates: ['RUNNING'] },
      ResultSelector: { 'instances.$': '$.Instances' },
      ResultPath: '$.newMasterLookup',
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'HasNewMaster',
    },
    HasNewMaster: {
      Type: 'Choice',
      Choices: [{ Variable: '$.newMasterLookup.instances[0].PrivateIpAddress', IsPresent: true, Next: 'RecordNewMaster' }],
      Default: 'NewMasterNotFound',
    },
    NewMasterNotFound: {
      Type: 'Pass',
      Parameters: {
        Error: FAILOVER_ERRORS.newMasterNotFound,
        'Cause.$': "States.Format('cluster {} is ready but lists no running master', $.newCluster.ClusterId)",
      },
      ResultPath: '$.error',
      Next: 'CleanupFailure',
    },
    RecordNewMaster: {
      Type: 'Pass',
      Parameters: {
        'ip.$': '$.newMasterLookup.instances[0].PrivateIpAddress',
      },
      ResultPath: '$.newMaster',
      Next: 'MarkRegistering',
    },
    MarkRegistering: {
      Type: 'Pass',
      Comment: 'From here a failure must deregister the new master again',
      Result: { started: true, switched: false },
      ResultPath: '$.registration',
      Next: 'RegisterNewTargets',
    },
    RegisterNewTargets: {
      Type: 'Map',
      ItemsPath: '$.plan.targetGroups',
      ItemSelector: { 'arn.$': '$$.Map.Item.Value.arn', 'port.$': '$$.Map.Item.Value.port', 'ip.$': '$.newMaster.ip' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'RegisterNewTarget',
        States: {
          RegisterNewTarget: {
            Type: 'Task',
            Comment: 'The master is in the target group VPC: no AvailabilityZone needed for an IP target',
            Resource: elbv2('registerTargets'),
            Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
            ResultPath: null,
            Retry: [throttlingRetry],
            End: true,
          },
        },
      },
      ResultPath: null,
      Catch: toCleanup,
      Next: 'MarkRegistered',
    },
    MarkRegistered: mark('registered', 'AwaitNewTargetsHealthy'),
    AwaitNewTargetsHealthy: {
      Type: 'Map',
      Comment: 'Every target group must see the new master healthy before any old target goes',
      ItemsPath: '$.plan.targetGroups',
      ItemSelector: {
        'arn.$': '$$.Map.Item.Value.arn',
        'port.$': '$$.Map.Item.Value.port',
        'ip.$': '$.newMaster.ip',
        'intervalSeconds.$': '$.poll.targetIntervalSeconds',
        'maxPolls.$': '$.poll.targetMaxAttempts',
        polls: { n: 0 },
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'WaitForTargetHealth',
        States: {
          WaitForTargetHealth: { Type: 'Wait', SecondsPath: '$.intervalSeconds', Next: 'DescribeNewTargetHealth' },
          DescribeNewTargetHealth: {
            Type: 'Task',
            Resource: elbv2('describeTargetHealth'),
            Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
            ResultSelector: { 'descriptions.$': '$.TargetHealthDescriptions' },
            ResultPath: '$.health',
            Retry: [throttlingRetry],
            Next: 'CountTargetPoll',
          },
          CountTargetPoll: {
            Type: 'Pass',
            Parameters: { 'n.$': 'States.MathAdd($.polls.n, 1)' },
            ResultPath: '$.polls',
            Next: 'IsTargetHealthy',
          },
          IsTargetHealthy: {
            Type: 'Choice',
            Choices: [
              {
                And: [
                  { Variable: '$.health.descriptions[0].TargetHealth.State', IsPresent: true },
                  { Variable: '$.health.descriptions[0].TargetHealth.State', StringEquals: 'healthy' },
                ],
                Next: 'TargetHealthy',
              },
              { Variable: '$.polls.n', NumericGreaterThanEqualsPath: '$.maxPolls', Next: 'DescribeNeverHealthy' },
            ],
            Default: 'WaitForTargetHealth',
          },
          TargetHealthy: { Type: 'Succeed' },
          DescribeNeverHealthy: {
            Type: 'Pass',
            Parameters: {
              'cause.$': "States.Format('{}:{} not healthy in {} after {} checks', $.ip, $.port, $.arn, $.polls.n)",
            },
            Next: 'TargetNeverHealthy',
          },
          TargetNeverHealthy: { Type: 'Fail', Error: FAILOVER_ERRORS.targetNeverHealthy, CausePath: '$.cause' },
        },
      },
      ResultPath: null,
      Catch: toCleanup,
      Next: 'MarkHealthy',
    },
    MarkHealthy: mark('healthy', 'MarkSwitched'),
    MarkSwitched: {
      Type: 'Pass',
      Comment:
        'The new master is healthy in every target group: traffic can go to the new cluster. From here a failure never undoes the switch: a rollback after some old targets are gone could empty a group',
      Result: { started: true, switched: true },
      ResultPath: '$.registration',
      Next: 'DeregisterOldTargets',
    },
    DeregisterOldTargets: deregisterFromEveryGroup('$.plan.oldMasterIp', 'DeregisterOldTarget', 'OldTargetAlreadyGone', toCleanup, 'ShouldRetireOldCluster'),
    ShouldRetireOldCluster: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.request.mode', StringEquals: 'failover', Next: 'UnprotectOldCluster' },
        { Variable: '$.request.retireOldCluster', BooleanEquals: true, Next: 'UnprotectOldCluster' },
      ],
      Default: 'MarkDone',
    },
    UnprotectOldCluster: {
      Type: 'Task',
      Resource: emr('setTerminationProtection'),
      Parameters: { 'JobFlowIds.$': 'States.Array($.plan.sourceClusterId)', TerminationProtected: false },
      ResultPath: null,
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'TerminateOldCluster',
    },
    TerminateOldCluster: {
      Type: 'Task',
      Resource: emr('terminateJobFlows'),
      Parameters: { 'JobFlowIds.$': 'States.Array($.plan.sourceClusterId)' },
      ResultPath: null,
      Retry: [throttlingRetry],
      Catch: toCleanup,
      Next: 'MarkRetired',
    },
    MarkRetired: mark('retired', 'MarkDone'),
    MarkDone: mark('finished', 'ReportRto'),
    ReportRto: {
      Type: 'Task',
      Resource: refs.reportFunction,
      Parameters: {
        'request.$': '$.request',
        'executionId.$': '$.executionId',
        'times.$': '$.times',
        'plan.$': '$.plan',
        'newCluster.$': '$.newCluster',
        'newMaster.$': '$.newMaster',
      },
      ResultPath: '$.report',
      Retry: [lambdaRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.reportError', Next: 'ReportUnavailable' }],
      Next: 'EmitCompleted',
    },
    ReportUnavailable: {
      Type: 'Pass',
      Comment: 'The failover succeeded; a missing RTO breakdown must not turn it into a failure',
      Parameters: {
        'cluster.$': '$.request.cluster',
        'mode.$': '$.request.mode',
        'executionId.$': '$.executionId',
        'newCluster.$': '$.newCluster',
        'newMaster.$': '$.newMaster',
        'reportError.$': '$.reportError',
      },
      ResultPath: '$.report',
      Next: 'EmitCompleted',
    },
    EmitCompleted: putEvent(refs, LIFEGUARD_EVENTS.completed, '$.report', 'ReleaseLockCompleted', '$.notifyError'),
    ReleaseLockCompleted: releaseLock(refs, 'FailoverCompleted'),
    FailoverCompleted: {
      Type: 'Pass',
      Parameters: { outcome: 'FailoverCompleted', 'report.$': '$.report' },
      End: true,
    },

    CleanupFailure: {
      Type: 'Choice',
      Comment: 'Undo only what this execution created, and never after traffic has switched',
      Choices: [
        { Variable: '$.registration.switched', BooleanEquals: true, Next: 'EmitFailed' },
        { Variable: '$.registration.started', BooleanEquals: true, Next: 'RollbackNewTargets' },
        { Not: { Variable: '$.newCluster', IsNull: true }, Next: 'UnprotectNewCluster' },
      ],
      Default: 'EmitFailed',
    },
    RollbackNewTargets: deregisterFromEveryGroup(
      '$.newMaster.ip',
      'DeregisterNewTarget',
      'NewTargetAlreadyGone',
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.targets', Next: 'UnprotectNewCluster' }],
      'UnprotectNewCluster',
    ),
    UnprotectNewCluster: {
      Type: 'Task',
      Comment: 'A cloned request may carry termination protection',
      Resource: emr('setTerminationProtection'),
      Parameters: { 'JobFlowIds.$': 'States.Array($.newCluster.ClusterId)', TerminationProtected: false },
      ResultPath: null,
      Retry: [throttlingRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.unprotect', Next: 'TerminateNewCluster' }],
      Next: 'TerminateNewCluster',
    },
    TerminateNewCluster: {
      Type: 'Task',
      Resource: emr('terminateJobFlows'),
      Parameters: { 'JobFlowIds.$': 'States.Array($.newCluster.ClusterId)' },
      ResultPath: null,
      Retry: [throttlingRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.terminate', Next: 'EmitFailed' }],
      Next: 'MarkRolledBack',
    },
    MarkRolledBack: { Type: 'Pass', Result: true, ResultPath: '$.rolledBack', Next: 'EmitFailed' },
    EmitFailed: putEvent(refs, LIFEGUARD_EVENTS.failed, failedDetail, 'ReleaseLockFailed', '$.notifyError'),
    ReleaseLockFailed: releaseLock(refs, 'FailoverFailed'),
    FailoverFailed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };

  return {
    Comment: 'Lifeguard EMR failover: confirm, plan, create in another AZ, switch NLB targets, retire',
    StartAt: 'ValidateInput',
    TimeoutSeconds: FAILOVER_TIMEOUT_SECONDS,
    States: states,
  };
}

export type FailoverDefinition = ReturnType<typeof failoverDefinition>;

/** Placeholder ARNs for local runs and validation (the sandbox binds every Task to a local handler). */
export const LOCAL_FAILOVER_REFS: FailoverResourceRefs = {
  validateFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-validate',
  confirmFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-confirm',
  planFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-plan',
  reportFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-report',
  lockTable: 'lifeguard-local-failover-locks',
  eventSource: 'lifeguard',
};
