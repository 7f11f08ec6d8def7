import { FAILOVER_ERRORS } from '../../lib/dr/task-errors.ts';
import { lambdaRetry, lambdaThrottlingRetry, mark, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Switch to the warm standby when the plan found one that can take over (lib/dr/standby.ts):
 * probe its master with the same RM/NameNode/Livy checks (twice at most, so one blip does not
 * throw it away), and on a healthy verdict make it the new cluster; the switch then registers it
 * before the old master goes. Unhealthy, unreachable, or no usable standby: the cold path creates
 * a replacement, and `$.standby.fallback` says why.
 */
export const STANDBY = 'HasUsableStandby';

/** Probes of the standby before falling back to a cold replacement, and their spacing. */
export const STANDBY_CHECKS = { attempts: 2, intervalSeconds: 5 } as const;

export function standbyStates(refs: FailoverResourceRefs, exits: { cold: string; ready: string }): States {
  return {
    HasUsableStandby: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.plan.standby.usable', IsPresent: true },
            { Variable: '$.plan.standby.usable', BooleanEquals: true },
          ],
          Next: 'CheckStandby',
        },
      ],
      Default: exits.cold,
    },
    CheckStandby: {
      Type: 'Task',
      Comment: 'The confirm Lambda, told which master to probe',
      Resource: refs.confirmFunction,
      Parameters: { 'cluster.$': '$.request.cluster', 'address.$': '$.plan.standby.masterIp' },
      ResultSelector: { 'healthy.$': '$.healthy', 'checkedAt.$': '$.checkedAt', 'services.$': '$.services' },
      ResultPath: '$.standby.last',
      Retry: [lambdaRetry, lambdaThrottlingRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.standby.fallback', Next: exits.cold }],
      Next: 'CountStandbyCheck',
    },
    CountStandbyCheck: {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.standby.checks.n, 1)' },
      ResultPath: '$.standby.checks',
      Next: 'IsStandbyHealthy',
    },
    IsStandbyHealthy: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.standby.last.healthy', BooleanEquals: true, Next: 'UseStandby' },
        { Variable: '$.standby.checks.n', NumericLessThan: STANDBY_CHECKS.attempts, Next: 'WaitBeforeStandbyCheck' },
      ],
      Default: 'StandbyUnhealthy',
    },
    WaitBeforeStandbyCheck: { Type: 'Wait', Seconds: STANDBY_CHECKS.intervalSeconds, Next: 'CheckStandby' },
    StandbyUnhealthy: {
      Type: 'Pass',
      Parameters: {
        Error: FAILOVER_ERRORS.standbyUnhealthy,
        'Cause.$': "States.Format('standby {} ({}) unhealthy in {} probe(s): creating a replacement instead', $.plan.standby.clusterId, $.plan.standby.masterIp, $.standby.checks.n)",
      },
      ResultPath: '$.standby.fallback',
      Next: exits.cold,
    },
    UseStandby: {
      Type: 'Pass',
      Comment: 'From here a failure rolls back the targets but never terminates the standby: this execution did not create it',
      Result: 'in-use',
      ResultPath: '$.standby.state',
      Next: 'StandbyAsNewCluster',
    },
    StandbyAsNewCluster: { Type: 'Pass', Parameters: { 'ClusterId.$': '$.plan.standby.clusterId' }, ResultPath: '$.newCluster', Next: 'StandbyAsNewMaster' },
    StandbyAsNewMaster: { Type: 'Pass', Parameters: { 'ip.$': '$.plan.standby.masterIp' }, ResultPath: '$.newMaster', Next: 'MarkStandbyReady' },
    MarkStandbyReady: mark('clusterReady', exits.ready),
  };
}
