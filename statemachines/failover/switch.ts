import { FAILOVER_ERRORS } from '../../lib/dr/task-errors.ts';
import { deregisterFromEveryGroup, elbv2, mark, throttlingRetry, toCleanup, type FailoverResourceRefs, type States } from './common.ts';
import { pollLoop } from './poll-loop.ts';

/**
 * Register the new master in every target group, wait until every group sees it healthy, then
 * deregister the old master. Never leave a group without a healthy target: the old target goes
 * only after the new one is healthy everywhere, and from then on nothing undoes the switch.
 */
export const SWITCH = 'MarkRegistering';

export function switchStates(refs: FailoverResourceRefs, exits: { switched: string }): States {
  return {
    ...registerStates(refs),
    AwaitNewTargetsHealthy: {
      Type: 'Map',
      Comment: 'Every target group must see the new master healthy before any old target goes',
      ItemsPath: '$.plan.targetGroups',
      ItemSelector: {
        'arn.$': '$$.Map.Item.Value.arn',
        'port.$': '$$.Map.Item.Value.port',
        'ip.$': '$.newMaster.ip',
        'intervalSeconds.$': '$.poll.targetIntervalSeconds',
        'maxPolls.$': '$.poll.targetMaxAttempts',
        polls: { n: 0 },
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'WaitForTargetHealth', States: targetHealthPoll(refs) },
      ResultPath: null,
      Catch: toCleanup,
      Next: 'MarkHealthy',
    },
    MarkHealthy: mark('healthy', 'MarkSwitched'),
    MarkSwitched: {
      Type: 'Pass',
      Comment:
        'The new master is healthy in every target group: traffic can go to the new cluster. From here a failure never undoes the switch: a rollback after some old targets are gone could empty a group',
      Result: { started: true, switched: true },
      ResultPath: '$.registration',
      Next: 'DeregisterOldTargets',
    },
    DeregisterOldTargets: deregisterFromEveryGroup(refs, '$.plan.oldMasterIp', 'DeregisterOldTarget', 'OldTargetAlreadyGone', toCleanup, exits.switched),
  };
}

/** The new master registered in every target group; from the first registration a failure deregisters it again. */
function registerStates(refs: FailoverResourceRefs): States {
  return {
    MarkRegistering: {
      Type: 'Pass',
      Comment: 'From here a failure must deregister the new master again',
      Result: { started: true, switched: false },
      ResultPath: '$.registration',
      Next: 'RegisterNewTargets',
    },
    RegisterNewTargets: {
      Type: 'Map',
      ItemsPath: '$.plan.targetGroups',
      ItemSelector: { 'arn.$': '$$.Map.Item.Value.arn', 'port.$': '$$.Map.Item.Value.port', 'ip.$': '$.newMaster.ip' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'RegisterNewTarget',
        States: {
          RegisterNewTarget: {
            Type: 'Task',
            Comment: 'The master is in the target group VPC: no AvailabilityZone needed for an IP target',
            Resource: elbv2(refs, 'registerTargets'),
            Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
            ResultPath: null,
            Retry: [throttlingRetry('elbv2')],
            End: true,
          },
        },
      },
      ResultPath: null,
      Catch: toCleanup,
      Next: 'MarkRegistered',
    },
    MarkRegistered: mark('registered', 'AwaitNewTargetsHealthy'),
  };
}

/** One target group's health checks of the new master, polled until healthy or the polls run out. */
function targetHealthPoll(refs: FailoverResourceRefs): States {
  return {
    ...pollLoop({
      names: { wait: 'WaitForTargetHealth', describe: 'DescribeNewTargetHealth', count: 'CountTargetPoll', judge: 'IsTargetHealthy' },
      intervalPath: '$.intervalSeconds',
      describe: {
        Type: 'Task',
        Resource: elbv2(refs, 'describeTargetHealth'),
        Parameters: { 'TargetGroupArn.$': '$.arn', Targets: [{ 'Id.$': '$.ip', 'Port.$': '$.port' }] },
        ResultSelector: { 'descriptions.$': '$.TargetHealthDescriptions' },
        ResultPath: '$.health',
        Retry: [throttlingRetry('elbv2')],
      },
      pollsPath: '$.polls',
      verdicts: [
        {
          And: [
            { Variable: '$.health.descriptions[0].TargetHealth.State', IsPresent: true },
            { Variable: '$.health.descriptions[0].TargetHealth.State', StringEquals: 'healthy' },
          ],
          Next: 'TargetHealthy',
        },
      ],
      maxPollsPath: '$.maxPolls',
      giveUp: 'DescribeNeverHealthy',
    }),
    TargetHealthy: { Type: 'Succeed' },
    DescribeNeverHealthy: {
      Type: 'Pass',
      Parameters: {
        'cause.$': "States.Format('{}:{} not healthy in {} after {} checks', $.ip, $.port, $.arn, $.polls.n)",
      },
      Next: 'TargetNeverHealthy',
    },
    TargetNeverHealthy: { Type: 'Fail', Error: FAILOVER_ERRORS.targetNeverHealthy, CausePath: '$.cause' },
  };
}
