import { CLUSTER_GONE_STATES } from '../../lib/dr/cluster-states.ts';
import { emr, mark, terminateCluster, throttlingRetry, unprotectCluster, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Retire the old cluster once traffic has switched: a real failover always, a drill only when
 * asked. Only a cluster that still runs is touched (after a zone outage it is often already
 * TERMINATED_WITH_ERRORS, and then unprotecting or terminating it fails). Any failure here is a
 * warning on a completed failover, recorded under `$.retireWarning`: service is already restored.
 */
export const RETIRE = 'ShouldRetireOldCluster';

export function retireStates(refs: FailoverResourceRefs, exits: { done: string }): States {
  const asWarning = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.retireWarning', Next: exits.done }];
  return {
    ShouldRetireOldCluster: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.request.mode', StringEquals: 'failover', Next: 'DescribeOldCluster' },
        { Variable: '$.request.retireOldCluster', BooleanEquals: true, Next: 'DescribeOldCluster' },
      ],
      Default: exits.done,
    },
    DescribeOldCluster: {
      Type: 'Task',
      Resource: emr(refs, 'describeCluster'),
      Parameters: { 'ClusterId.$': '$.plan.sourceClusterId' },
      ResultSelector: { 'state.$': '$.Cluster.Status.State' },
      ResultPath: '$.oldCluster',
      Retry: [throttlingRetry('emr')],
      Catch: asWarning,
      Next: 'IsOldClusterRunning',
    },
    IsOldClusterRunning: {
      Type: 'Choice',
      Comment: 'A cluster that is already going or gone needs nothing more',
      Choices: [{ Or: CLUSTER_GONE_STATES.map((state) => ({ Variable: '$.oldCluster.state', StringEquals: state })), Next: exits.done }],
      Default: 'UnprotectOldCluster',
    },
    UnprotectOldCluster: unprotectCluster(refs, '$.plan.sourceClusterId', asWarning, 'TerminateOldCluster'),
    TerminateOldCluster: terminateCluster(refs, '$.plan.sourceClusterId', asWarning, 'MarkRetired'),
    MarkRetired: mark('retired', exits.done),
  };
}
