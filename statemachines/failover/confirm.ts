import { lambdaTask, lambdaThrottlingRetry, mark, releaseLock, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Confirm the outage: probe several times, fail over only on enough failed probes, stop as soon as
 * that can no longer happen. A drill skips this (it fails a healthy cluster over on purpose).
 */
export const CONFIRM = 'IsDrill';

export function confirmStates(refs: FailoverResourceRefs, exits: { confirmed: string }): States {
  const probe = lambdaTask(refs.confirmFunction, { 'cluster.$': '$.request.cluster' }, '$.confirm.last', 'CountProbe');
  return {
    IsDrill: {
      Type: 'Choice',
      Comment: 'A drill fails a healthy cluster over on purpose: no confirmation',
      Choices: [{ Variable: '$.request.mode', StringEquals: 'drill', Next: 'MarkConfirmed' }],
      Default: 'ProbeCluster',
    },
    ProbeCluster: {
      ...probe,
      // Finding the serving master reads the target groups: throttling there is no verdict, retry it.
      Retry: [...(probe.Retry as unknown[]), lambdaThrottlingRetry],
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
    MarkConfirmed: mark('confirmed', exits.confirmed),
  };
}
