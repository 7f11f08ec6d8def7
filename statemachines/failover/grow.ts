import { emr, throttlingRetry, type FailoverResourceRefs, type State, type States } from './common.ts';

/**
 * Once the standby serves: grow it to the source's capacity (instance groups: ModifyInstanceGroups;
 * instance fleets: ModifyInstanceFleet, one fleet per call; managed scaling: the source's limits) without waiting for the growth, and when `standby.rearm`
 * asks, start the next standby in a third zone (RunJobFlow, not waited for either). Service is
 * already restored: every failure here is a warning under `$.standby.warnings`.
 */
export const GROW = 'WasStandbyUsed';

export function growStates(refs: FailoverResourceRefs, exits: { done: string }): States {
  return {
    WasStandbyUsed: {
      Type: 'Choice',
      Choices: [{ Variable: '$.standby.state', StringEquals: 'in-use', Next: 'HasGroupsToGrow' }],
      Default: exits.done,
    },
    HasGroupsToGrow: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.grow.instanceGroups[0]', IsPresent: true, Next: 'GrowInstanceGroups' }],
      Default: 'HasFleetsToGrow',
    },
    GrowInstanceGroups: growTask(refs, 'modifyInstanceGroups', { 'InstanceGroups.$': '$.plan.standby.grow.instanceGroups' }, 'grow', 'HasScalingLimits'),
    HasFleetsToGrow: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.grow.instanceFleets[0]', IsPresent: true, Next: 'GrowInstanceFleets' }],
      Default: 'HasScalingLimits',
    },
    GrowInstanceFleets: growFleets(refs, 'HasScalingLimits'),
    HasScalingLimits: {
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.standby.grow.managedScaling.ComputeLimits', IsPresent: true, Next: 'PutScalingLimits' }],
      Default: 'ShouldRearm',
    },
    PutScalingLimits: growTask(refs, 'putManagedScalingPolicy', { 'ManagedScalingPolicy.$': '$.plan.standby.grow.managedScaling' }, 'scaling', 'ShouldRearm'),
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
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.standby.warnings.rearm', Next: exits.done }],
      Next: exits.done,
    },
  };
}

/** ModifyInstanceFleet takes one fleet: a call per planned fleet, one at a time; any failure is the `grow` warning. */
function growFleets(refs: FailoverResourceRefs, next: string): State {
  return {
    Type: 'Map',
    ItemsPath: '$.plan.standby.grow.instanceFleets',
    MaxConcurrency: 1,
    ItemSelector: { 'ClusterId.$': '$.plan.standby.clusterId', 'InstanceFleet.$': '$$.Map.Item.Value' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'GrowInstanceFleet',
      States: {
        GrowInstanceFleet: {
          Type: 'Task',
          Resource: emr(refs, 'modifyInstanceFleet'),
          Parameters: { 'ClusterId.$': '$.ClusterId', 'InstanceFleet.$': '$.InstanceFleet' },
          ResultPath: null,
          Retry: [throttlingRetry('emr')],
          End: true,
        },
      },
    },
    ResultPath: null,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.standby.warnings.grow', Next: next }],
    Next: next,
  };
}

/** One EMR call on the standby, then `next`; a failure is the warning `$.standby.warnings.<key>`. */
function growTask(refs: FailoverResourceRefs, action: string, parameters: Record<string, string>, key: string, next: string): State {
  return {
    Type: 'Task',
    Resource: emr(refs, action),
    Parameters: { 'ClusterId.$': '$.plan.standby.clusterId', ...parameters },
    ResultPath: null,
    Retry: [throttlingRetry('emr')],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: `$.standby.warnings.${key}`, Next: next }],
    Next: next,
  };
}
