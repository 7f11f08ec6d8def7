import { lambdaRetry, lambdaThrottlingRetry, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Carry the old cluster's steps over to the replacement (lib/dr/carry-steps.ts) once traffic has
 * switched and before the old cluster is retired: service is restored first, so the RTO does not
 * wait for it, and the old cluster's steps can still be read. It always runs — with nothing to
 * carry it still names every step left behind. A failure here is a warning under
 * `$.stepsWarning`, never a failed failover.
 */
export const STEPS = 'CarrySteps';

export function stepsStates(refs: FailoverResourceRefs, exits: { done: string }): States {
  return {
    CarrySteps: {
      Type: 'Task',
      Resource: refs.stepsFunction,
      Parameters: { 'request.$': '$.request', 'times.$': '$.times', 'plan.$': '$.plan', 'newCluster.$': '$.newCluster' },
      ResultPath: '$.steps',
      // A retried invocation finds the steps its first attempt added and does not add them again.
      Retry: [lambdaRetry, lambdaThrottlingRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.stepsWarning', Next: exits.done }],
      Next: exits.done,
    },
  };
}
