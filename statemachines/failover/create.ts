import { CLUSTER_GONE_STATES } from '../../lib/dr/cluster-states.ts';
import { lastAttemptStartSeconds } from '../../lib/dr/execution.ts';

export { lastAttemptStartSeconds };
import { FAILOVER_ERRORS } from '../../lib/dr/task-errors.ts';
import {
  CLEANUP,
  emr,
  lambdaRetry,
  mark,
  terminateCluster,
  throttlingRetry,
  toCleanup,
  unprotectCluster,
  type FailoverResourceRefs,
  type State,
  type States,
} from './common.ts';
import { pollLoop } from './poll-loop.ts';

/**
 * Create the replacement and wait until it is WAITING, then find its master's IP. RunJobFlow goes
 * through the AWS SDK integration: EMR itself validates the request (the optimized createCluster
 * integration checks an older schema of its own) and errors keep their codes (`Emr.*`).
 *
 * One attempt per fitting zone, in the plan's order (`$.plan.placements`): when the replacement
 * fails for capacity (RunJobFlow's error, or the cluster ending while it starts), the attempt
 * Lambda records it, what was created is terminated, and the next zone is tried — until the zones
 * run out, or the time in which a whole attempt and the switch still fit in the execution's timeout.
 */
export const CREATE = 'PlaceAttempt';

export function createStates(refs: FailoverResourceRefs, exits: { created: string }, timeoutSeconds: number): States {
  const judge = judgeAttempt(refs, timeoutSeconds);
  return {
    ...attemptStates(refs),
    ...waitForClusterStates(refs),
    ...anotherZoneStates(refs, judge),
    ...newMasterStates(refs, judge, exits),
  };
}

/** The attempt Lambda's verdict on an attempt, then `next`: records it, says whether the next fitting zone is worth a try. */
function judgeAttempt(refs: FailoverResourceRefs, timeoutSeconds: number): (next: string) => State {
  return (next) => ({
    Type: 'Task',
    Comment: 'Records the attempt; says whether the next fitting zone is worth a try',
    Resource: refs.attemptFunction,
    Parameters: {
      'placements.$': '$.plan.placements',
      'attempts.$': '$.attempts',
      'attempt.$': '$.attempt',
      'newCluster.$': '$.newCluster',
      'clusterStatus.$': '$.newClusterStatus',
      'now.$': '$$.State.EnteredTime',
      'startedAt.$': '$.times.started.at',
      lastStartSeconds: lastAttemptStartSeconds(timeoutSeconds),
    },
    ResultPath: '$.attempts',
    Retry: [lambdaRetry],
    Catch: toCleanup,
    Next: next,
  });
}

/** The next placement of the plan merged into the request, and RunJobFlow. */
function attemptStates(refs: FailoverResourceRefs): States {
  return {
    PlaceAttempt: {
      Type: 'Pass',
      Comment: 'The next placement of the plan, and when this attempt began',
      Parameters: { 'placement.$': 'States.ArrayGetItem($.plan.placements, $.attempts.index)', 'startedAt.$': '$$.State.EnteredTime' },
      ResultPath: '$.attempt',
      Next: 'PlaceInstances',
    },
    PlaceInstances: {
      Type: 'Pass',
      Parameters: { 'Instances.$': 'States.JsonMerge($.plan.runJobFlow.Instances, $.attempt.placement.instances, false)' },
      ResultPath: '$.attempt.placed',
      Next: 'PlaceRequest',
    },
    PlaceRequest: {
      Type: 'Pass',
      Parameters: { 'request.$': 'States.JsonMerge($.plan.runJobFlow, $.attempt.placed, false)' },
      ResultPath: '$.attempt.run',
      Next: 'CreateCluster',
    },
    CreateCluster: {
      Type: 'Task',
      Comment: 'Request/response, not .sync: the poll loop below notices WAITING sooner',
      Resource: emr(refs, 'runJobFlow'),
      InputPath: '$.attempt.run.request',
      ResultSelector: { 'ClusterId.$': '$.JobFlowId', 'requestedAt.$': '$$.State.EnteredTime' },
      ResultPath: '$.newCluster',
      // Only throttling: any other failure may have created a cluster, and a retry would make two.
      Retry: [throttlingRetry('emr')],
      // The attempt Lambda tells a capacity refusal (another zone may do) from any other failure.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.attempt.error', Next: 'JudgeFailedAttempt' }],
      Next: 'WaitForCluster',
    },
  };
}

/** DescribeCluster every poll interval until the cluster is ready, has ended, or the polls run out. */
function waitForClusterStates(refs: FailoverResourceRefs): States {
  return pollLoop({
    names: { wait: 'WaitForCluster', describe: 'DescribeNewCluster', count: 'CountClusterPoll', judge: 'IsClusterReady' },
    intervalPath: '$.poll.clusterIntervalSeconds',
    describe: {
      Type: 'Task',
      Resource: emr(refs, 'describeCluster'),
      Parameters: { 'ClusterId.$': '$.newCluster.ClusterId' },
      ResultSelector: { 'state.$': '$.Cluster.Status.State', 'status.$': '$.Cluster.Status' },
      ResultPath: '$.newClusterStatus',
      Retry: [throttlingRetry('emr')],
      Catch: toCleanup,
    },
    pollsPath: '$.clusterPoll',
    verdicts: [
      {
        Or: [
          { Variable: '$.newClusterStatus.state', StringEquals: 'WAITING' },
          { Variable: '$.newClusterStatus.state', StringEquals: 'RUNNING' },
        ],
        Next: 'MarkClusterReady',
      },
      {
        Or: CLUSTER_GONE_STATES.map((state) => ({ Variable: '$.newClusterStatus.state', StringEquals: state })),
        Next: 'JudgeFailedAttempt',
      },
      {
        And: [
          { Variable: '$.newClusterStatus.state', StringEquals: 'STARTING' },
          { Variable: '$.clusterPoll.n', NumericGreaterThanEqualsPath: '$.poll.clusterStartingMaxAttempts' },
        ],
        Next: 'ClusterStillStarting',
      },
    ],
    maxPollsPath: '$.poll.clusterMaxAttempts',
    giveUp: 'ClusterCreationTimedOut',
  });
}

/**
 * A failed attempt: judged, and when another zone is worth a try, nothing of it is left behind (a
 * cluster that ended is terminated all the same: TerminateJobFlows on an ended cluster changes
 * nothing; one still starting is ended here) before the next placement.
 */
function anotherZoneStates(refs: FailoverResourceRefs, judge: (next: string) => State): States {
  return {
    JudgeFailedAttempt: judge('TryAnotherZone'),
    TryAnotherZone: {
      Type: 'Choice',
      Choices: [
        { And: [{ Variable: '$.attempts.retry', BooleanEquals: true }, { Not: { Variable: '$.newCluster', IsNull: true } }], Next: 'UnprotectFailedAttempt' },
        { Variable: '$.attempts.retry', BooleanEquals: true, Next: 'ForgetFailedAttempt' },
      ],
      Default: 'CreationFailed',
    },
    CreationFailed: {
      Type: 'Pass',
      Comment: "The attempt Lambda's verdict: the error met (not capacity), or no zone or time left",
      Parameters: { 'Error.$': '$.attempts.error.Error', 'Cause.$': '$.attempts.error.Cause' },
      ResultPath: '$.error',
      Next: CLEANUP,
    },
    UnprotectFailedAttempt: unprotectCluster(refs, '$.newCluster.ClusterId', toCleanup, 'TerminateFailedAttempt', 'A cloned request may carry termination protection'),
    TerminateFailedAttempt: terminateCluster(refs, '$.newCluster.ClusterId', toCleanup, 'ForgetFailedAttempt'),
    ForgetFailedAttempt: { Type: 'Pass', Result: null, ResultPath: '$.newCluster', Next: 'ForgetFailedStatus' },
    ForgetFailedStatus: { Type: 'Pass', Result: null, ResultPath: '$.newClusterStatus', Next: 'ResetClusterPoll' },
    ResetClusterPoll: { Type: 'Pass', Result: { n: 0 }, ResultPath: '$.clusterPoll', Next: 'PlaceAttempt' },
    ClusterStillStarting: {
      Type: 'Pass',
      Comment: 'EMR keeps asking EC2 for capacity the zone does not have: judged as a capacity failure, so the next zone is tried',
      Parameters: {
        Error: FAILOVER_ERRORS.stillStarting,
        'Cause.$': "States.Format('cluster {} still STARTING after {} polls: insufficient capacity in the zone, EMR is still waiting for EC2', $.newCluster.ClusterId, $.clusterPoll.n)",
      },
      ResultPath: '$.attempt.error',
      Next: 'JudgeFailedAttempt',
    },
    ClusterCreationTimedOut: {
      Type: 'Pass',
      Parameters: {
        Error: FAILOVER_ERRORS.clusterCreationTimedOut,
        'Cause.$': "States.Format('cluster {} still {} after {} polls', $.newCluster.ClusterId, $.newClusterStatus.state, $.clusterPoll.n)",
      },
      ResultPath: '$.error',
      Next: CLEANUP,
    },
  };
}

/** The cluster is ready: its attempt recorded, its running master's IP found. */
function newMasterStates(refs: FailoverResourceRefs, judge: (next: string) => State, exits: { created: string }): States {
  return {
    MarkClusterReady: mark('clusterReady', 'RecordCreatedAttempt'),
    RecordCreatedAttempt: {
      ...judge('IsInstanceFleetCluster'),
      // Bookkeeping: a replacement that is up is not undone because its record could not be written.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.attemptsError', Next: 'IsInstanceFleetCluster' }],
    },
    IsInstanceFleetCluster: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.runJobFlow.Instances.InstanceFleets', IsPresent: true, Next: 'ListFleetMaster' }],
      Default: 'ListGroupMaster',
    },
    ListGroupMaster: listRunningMaster(refs, { InstanceGroupTypes: ['MASTER'] }),
    ListFleetMaster: listRunningMaster(refs, { InstanceFleetType: 'MASTER' }),
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
      Next: CLEANUP,
    },
    RecordNewMaster: {
      Type: 'Pass',
      Parameters: { 'ip.$': '$.newMasterLookup.instances[0].PrivateIpAddress' },
      ResultPath: '$.newMaster',
      Next: exits.created,
    },
  };
}

/** The new cluster's running master, found by its instance group or its instance fleet. */
function listRunningMaster(refs: FailoverResourceRefs, master: Record<string, unknown>): State {
  return {
    Type: 'Task',
    Resource: emr(refs, 'listInstances'),
    Parameters: { 'ClusterId.$': '$.newCluster.ClusterId', ...master, InstanceStates: ['RUNNING'] },
    ResultSelector: { 'instances.$': '$.Instances' },
    ResultPath: '$.newMasterLookup',
    Retry: [throttlingRetry('emr')],
    Catch: toCleanup,
    Next: 'HasNewMaster',
  };
}
