import { lambdaTask, lambdaThrottlingRetry, releaseLock, type FailoverResourceRefs, type States } from './common.ts';

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
    'IsDryRun',
  );
  return {
    PlanFailover: { ...plan, Retry: [...(plan.Retry as unknown[]), lambdaThrottlingRetry] },
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
