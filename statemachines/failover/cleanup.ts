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

/**
 * Where every failure after the lock ends: undo only what this execution created (the new targets,
 * the new cluster), and never after traffic has switched; announce `Failover Failed`; release the
 * lock; fail with the original error.
 */
export function cleanupStates(refs: FailoverResourceRefs): States {
  return {
    [CLEANUP]: {
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
      refs,
      '$.newMaster.ip',
      'DeregisterNewTarget',
      'NewTargetAlreadyGone',
      [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError.targets', Next: 'UnprotectNewCluster' }],
      'UnprotectNewCluster',
    ),
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
