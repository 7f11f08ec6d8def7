import { FAILOVER_ERRORS, LOCK_HELD_ERROR } from '../../lib/dr/task-errors.ts';
import { dynamoRetry, failedDetail, integration, LIFEGUARD_EVENTS, lambdaRetry, putEvent, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Validate the input (the Lambda returns the whole execution state: every slot a later state reads
 * is initialised there, since a missing JSONPath is States.Runtime, which no Catch sees), then take
 * the per-cluster lock so concurrent triggers make one failover.
 */
export const START = 'ValidateInput';

export function startStates(refs: FailoverResourceRefs, exits: { locked: string }): States {
  return {
    ValidateInput: {
      Type: 'Task',
      Resource: refs.validateFunction,
      Parameters: { 'request.$': '$', 'executionId.$': '$$.Execution.Id', 'enteredAt.$': '$$.State.EnteredTime' },
      // No ResultPath: the execution state the Lambda returns replaces the raw input.
      Retry: [lambdaRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RejectInput' }],
      Next: 'AcquireLock',
    },
    RejectInput: { Type: 'Fail', Error: FAILOVER_ERRORS.invalidInput, CausePath: '$.error.Cause' },

    AcquireLock: {
      Type: 'Task',
      Comment:
        'Single flight per cluster; an expired lock (TTL deletion lags) may be taken over, and our own may be taken again (a retried put whose first attempt landed)',
      Resource: integration(refs, 'dynamodb:putItem'),
      Parameters: {
        TableName: refs.lockTable,
        Item: {
          lockKey: { 'S.$': '$.lock.key' },
          holder: { 'S.$': '$.executionId' },
          clusterName: { 'S.$': '$.request.cluster' },
          expiresAt: { 'N.$': '$.lock.expiresAt' },
        },
        ConditionExpression: 'attribute_not_exists(lockKey) OR expiresAt < :now OR holder = :me',
        ExpressionAttributeValues: { ':now': { 'N.$': '$.lock.now' }, ':me': { 'S.$': '$.executionId' } },
      },
      ResultPath: null,
      Retry: [dynamoRetry],
      Catch: [
        { ErrorEquals: [LOCK_HELD_ERROR], ResultPath: null, Next: 'AlreadyInProgress' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyLockUnavailable' },
      ],
      Next: exits.locked,
    },
    AlreadyInProgress: {
      Type: 'Pass',
      Comment: 'Another execution holds this cluster: a duplicate trigger does nothing',
      Parameters: { outcome: 'AlreadyInProgress', 'cluster.$': '$.request.cluster', 'executionId.$': '$.executionId' },
      End: true,
    },
    NotifyLockUnavailable: putEvent(refs, LIFEGUARD_EVENTS.failed, failedDetail, 'LockUnavailable', '$.notifyError'),
    LockUnavailable: { Type: 'Fail', Error: FAILOVER_ERRORS.lockUnavailable, CausePath: '$.error.Cause' },
  };
}
