import {
  CLEANUP,
  deregisterFromEveryGroup,
  failedDetail,
  LIFEGUARD_EVENTS,
  putEvent,
  releaseLock,
  terminateCluster,
  unprotectCluster,
  type FailoverResourceRefs,
  type States,
} from './common.ts';
import { CREATE } from './create.ts';
import { FAILOVER_ERRORS } from '../../lib/dr/task-errors.ts';

/**
 * Where every failure after the lock ends: undo only what this execution created (the new targets,
 * the new cluster), and never after traffic has switched; announce `Failover Failed`; release the
 * lock; fail with the original error. A warm standby whose targets never turned healthy is not a
 * failed failover yet: once its targets are rolled back, the cold path creates a replacement.
 */
export function cleanupStates(refs: FailoverResourceRefs): States {
  return {
    [CLEANUP]: {
      Type: 'Choice',
      Comment: 'Undo only what this execution created, and never after traffic has switched',
      Choices: [
        { Variable: '$.registration.switched', BooleanEquals: true, Next: 'EmitFailed' },
        { Variable: '$.registration.started', BooleanEquals: true, Next: 'RollbackNewTargets' },
        // A standby was not created here: it is never terminated.
        { Variable: '$.standby.state', StringEquals: 'in-use', Next: 'EmitFailed' },
        { Not: { Variable: '$.newCluster', IsNull: true }, Next: 'UnprotectNewCluster' },
      ],
      Default: 'EmitFailed',
    },
    RollbackNewTargets: deregisterFromEveryGroup(
      refs,
      '$.newMaster.ip',
      'DeregisterNewTarget',
      'NewTargetAlreadyGone',
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.targets', Next: 'WasNewClusterCreatedHere' }],
      'WasNewClusterCreatedHere',
    ),
    WasNewClusterCreatedHere: {
      Type: 'Choice',
      Choices: [
        {
          Comment: 'The standby never turned healthy behind the load balancer, and its targets are gone again: create a replacement instead',
          And: [
            { Variable: '$.standby.state', StringEquals: 'in-use' },
            { Variable: '$.error.Error', StringEquals: FAILOVER_ERRORS.targetNeverHealthy },
            // `Not IsPresent: true`, not `IsPresent: false`: the same rule, and the local runner evaluates only this form right.
            { Not: { Variable: '$.cleanupError.targets', IsPresent: true } },
          ],
          Next: 'StampStandbyFallback',
        },
        { Variable: '$.standby.state', StringEquals: 'in-use', Next: 'EmitFailed' },
      ],
      Default: 'UnprotectNewCluster',
    },
    StampStandbyFallback: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: '$.standby.fallbackAt', Next: 'IsThereTimeToCreate' },
    IsThereTimeToCreate: {
      Type: 'Choice',
      Comment: 'A replacement started later would not fit in the execution (a timed-out execution cleans nothing up)',
      Choices: [{ Variable: '$.standby.fallbackAt.at', TimestampLessThanEqualsPath: '$.lastAttemptStartBy', Next: 'StandbyNeverHealthy' }],
      Default: 'EmitFailed',
    },
    StandbyNeverHealthy: { Type: 'Pass', InputPath: '$.error', ResultPath: '$.standby.fallback', Next: 'StandbyNotUsed' },
    StandbyNotUsed: { Type: 'Pass', Result: 'not-used', ResultPath: '$.standby.state', Next: 'ForgetStandbyCluster' },
    ForgetStandbyCluster: { Type: 'Pass', Result: null, ResultPath: '$.newCluster', Next: 'ForgetStandbyMaster' },
    ForgetStandbyMaster: { Type: 'Pass', Result: null, ResultPath: '$.newMaster', Next: 'ForgetStandbyRegistration' },
    ForgetStandbyRegistration: { Type: 'Pass', Result: { started: false, switched: false }, ResultPath: '$.registration', Next: 'ForgetStandbyError' },
    ForgetStandbyError: { Type: 'Pass', Result: null, ResultPath: '$.error', Next: CREATE },
    UnprotectNewCluster: unprotectCluster(
      refs,
      '$.newCluster.ClusterId',
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.unprotect', Next: 'TerminateNewCluster' }],
      'TerminateNewCluster',
      'A cloned request may carry termination protection',
    ),
    TerminateNewCluster: terminateCluster(
      refs,
      '$.newCluster.ClusterId',
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.terminate', Next: 'EmitFailed' }],
      'MarkRolledBack',
    ),
    MarkRolledBack: { Type: 'Pass', Result: true, ResultPath: '$.rolledBack', Next: 'EmitFailed' },
    EmitFailed: putEvent(refs, LIFEGUARD_EVENTS.failed, failedDetail, 'ReleaseLockFailed', '$.notifyError'),
    ReleaseLockFailed: releaseLock(refs, 'FailoverFailed'),
    FailoverFailed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
}
