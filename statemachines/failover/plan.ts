import { dynamoRetry, integration, lambdaTask, lambdaThrottlingRetry, releaseLock, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Plan the replacement (read-only). A throttled read is retried here too: the planner's SDK
 * clients retry on their own first, and a throttling error that still escapes must not end a
 * failover that nothing has touched yet. A dry run ends with the plan.
 */
export const PLAN = 'PlanFailover';

export function planStates(refs: FailoverResourceRefs, exits: { planned: string }): States {
  const plan = lambdaTask(
    refs.planFunction,
    {
      'cluster.$': '$.request.cluster',
      'mode.$': '$.request.mode',
      'dryRun.$': '$.request.dryRun',
      'retireOldCluster.$': '$.request.retireOldCluster',
    },
    '$.plan',
    'ReadLastSeen',
  );
  return {
    PlanFailover: { ...plan, Retry: [...(plan.Retry as unknown[]), lambdaThrottlingRetry] },
    ReadLastSeen: {
      Type: 'Task',
      Comment:
        'What the last healthy probe saw running on the old cluster (lib/dr/last-seen.ts), read before any target switches: once the replacement serves, the probe records what runs there',
      Resource: integration(refs, 'dynamodb:getItem'),
      Parameters: { TableName: refs.lockTable, Key: { lockKey: { 'S.$': "States.Format('seen#{}', $.request.cluster)" } } },
      ResultPath: '$.lastSeen',
      Retry: [dynamoRetry],
      // Only the report reads it: no record is no failure.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.lastSeenError', Next: 'IsDryRun' }],
      Next: 'IsDryRun',
    },
    IsDryRun: {
      Type: 'Choice',
      Choices: [{ Variable: '$.request.dryRun', BooleanEquals: true, Next: 'ReleaseLockDryRun' }],
      Default: exits.planned,
    },
    ReleaseLockDryRun: releaseLock(refs, 'DryRunPlanned'),
    DryRunPlanned: {
      Type: 'Pass',
      Comment: 'Dry run: the plan, nothing created',
      Parameters: { outcome: 'DryRun', 'cluster.$': '$.request.cluster', 'plan.$': '$.plan' },
      End: true,
    },
  };
}
