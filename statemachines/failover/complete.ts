import { LIFEGUARD_EVENTS, lambdaRetry, mark, putEvent, releaseLock, type FailoverResourceRefs, type States } from './common.ts';

/** Report the RTO breakdown, announce `Failover Completed`, give the lock back. */
export const COMPLETE = 'MarkDone';

export function completeStates(refs: FailoverResourceRefs): States {
  return {
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
        'oldCluster.$': '$.oldCluster',
        'retireWarning.$': '$.retireWarning',
        'steps.$': '$.steps',
        'stepsWarning.$': '$.stepsWarning',
        'lastSeen.$': '$.lastSeen',
        'attempts.$': '$.attempts.list',
        'standby.$': '$.standby',
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
        'retireWarning.$': '$.retireWarning',
        'steps.$': '$.steps',
        'stepsWarning.$': '$.stepsWarning',
        'reportError.$': '$.reportError',
        'attempts.$': '$.attempts.list',
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
  };
}
