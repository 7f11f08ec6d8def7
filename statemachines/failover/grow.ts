import { emr, throttlingRetry, type FailoverResourceRefs, type States } from './common.ts';

/**
 * Once the standby serves: grow it to the source's capacity (instance groups: ModifyInstanceGroups;
 * managed scaling: the source's limits) without waiting for the growth, and when `standby.rearm`
 * asks, start the next standby in a third zone (RunJobFlow, not waited for either). Service is
 * already restored: every failure here is a warning under `$.standby.warnings`.
 */
export const GROW = 'WasStandbyUsed';

export function growStates(refs: FailoverResourceRefs, exits: { done: string }): States {
  const asWarning = (key: string, next: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: `$.standby.warnings.${key}`, Next: next }];
  return {
    WasStandbyUsed: {
      Type: 'Choice',
      Choices: [{ Variable: '$.standby.state', StringEquals: 'serving', Next: 'HasGroupsToGrow' }],
      Default: exits.done,
    },
    HasGroupsToGrow: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.grow.instanceGroups[0]', IsPresent: true, Next: 'GrowInstanceGroups' }],
      Default: 'HasScalingLimits',
    },
    GrowInstanceGroups: {
      Type: 'Task',
      Resource: emr(refs, 'modifyInstanceGroups'),
      Parameters: { 'ClusterId.$': '$.plan.standby.clusterId', 'InstanceGroups.$': '$.plan.standby.grow.instanceGroups' },
      ResultPath: null,
      Retry: [throttlingRetry('emr')],
      Catch: asWarning('grow', 'HasScalingLimits'),
      Next: 'HasScalingLimits',
    },
    HasScalingLimits: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.grow.managedScaling.ComputeLimits', IsPresent: true, Next: 'PutScalingLimits' }],
      Default: 'ShouldRearm',
    },
    PutScalingLimits: {
      Type: 'Task',
      Resource: emr(refs, 'putManagedScalingPolicy'),
      Parameters: { 'ClusterId.$': '$.plan.standby.clusterId', 'ManagedScalingPolicy.$': '$.plan.standby.grow.managedScaling' },
      ResultPath: null,
      Retry: [throttlingRetry('emr')],
      Catch: asWarning('scaling', 'ShouldRearm'),
      Next: 'ShouldRearm',
    },
    ShouldRearm: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.rearm.runJobFlow', IsPresent: true, Next: 'RearmStandby' }],
      Default: exits.done,
    },
    RearmStandby: {
      Type: 'Task',
      Comment: 'The next standby; the next failover finds it by its lifeguard:standby tag',
      Resource: emr(refs, 'runJobFlow'),
      InputPath: '$.plan.standby.rearm.runJobFlow',
      ResultSelector: { 'ClusterId.$': '$.JobFlowId' },
      ResultPath: '$.standby.rearmed',
      // Only throttling: any other failure may have created a cluster, and a retry would make two.
      Retry: [throttlingRetry('emr')],
      Catch: asWarning('rearm', exits.done),
      Next: exits.done,
    },
  };
}
