import { CLUSTER_GONE_STATES } from '../../lib/dr/cluster-states.ts';
import { FAILOVER_ERRORS } from '../../lib/dr/task-errors.ts';
import { CLEANUP, emr, mark, throttlingRetry, toCleanup, type FailoverResourceRefs, type State, type States } from './common.ts';
import { pollLoop } from './poll-loop.ts';

/**
 * Create the replacement and wait until it is WAITING, then find its master's IP. RunJobFlow goes
 * through the AWS SDK integration: EMR itself validates the request (the optimized createCluster
 * integration checks an older schema of its own) and errors keep their codes (`Emr.*`).
 */
export const CREATE = 'CreateCluster';

export function createStates(refs: FailoverResourceRefs, exits: { created: string }): States {
  return {
    CreateCluster: {
      Type: 'Task',
      Comment: 'Request/response, not .sync: the poll loop below notices WAITING sooner',
      Resource: emr(refs, 'runJobFlow'),
      InputPath: '$.plan.runJobFlow',
      ResultSelector: { 'ClusterId.$': '$.JobFlowId', 'requestedAt.$': '$$.State.EnteredTime' },
      ResultPath: '$.newCluster',
      // Only throttling: any other failure may have created a cluster, and a retry would make two.
      Retry: [throttlingRetry('emr')],
      Catch: toCleanup,
      Next: 'WaitForCluster',
    },
    ...pollLoop({
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
          Next: 'ClusterCreationFailed',
        },
      ],
      maxPollsPath: '$.poll.clusterMaxAttempts',
      giveUp: 'ClusterCreationTimedOut',
    }),
    ClusterCreationFailed: {
      Type: 'Pass',
      Parameters: { Error: FAILOVER_ERRORS.clusterCreationFailed, 'Cause.$': 'States.JsonToString($.newClusterStatus.status)' },
      ResultPath: '$.error',
      Next: CLEANUP,
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
    MarkClusterReady: mark('clusterReady', 'IsInstanceFleetCluster'),
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
