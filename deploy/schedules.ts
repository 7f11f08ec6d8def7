import { SCHEDULER_ENV } from '../lib/aws/scheduler.ts';
import { deadLetterQueue, getAtt, ref, serviceRole, sub, type IamStatement } from './cfn.ts';
import { scheduleGroupName } from './schedule-group-name.ts';

/**
 * Durable work for the interruption function: a schedule group of its own, the role EventBridge
 * Scheduler assumes (it may send only to the notice queue, `targetArn`, and write only this DLQ),
 * the DLQ, and what the function itself may do (create/update/delete schedules in that group only,
 * pass only that role, only to Scheduler). A schedule delivers its continuation as a notice, so it
 * is batched and bounded like every other.
 */
export function scheduleResources(functionName: string, targetArn: unknown) {
  const group = scheduleGroupName(functionName);
  const resources: Record<string, unknown> = {
    InterruptionScheduleGroup: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: group } },
    // Continuations that still fail after the schedule's retries, with their payload, for redrive.
    InterruptionScheduleDeadLetterQueue: deadLetterQueue(),
    InterruptionSchedulerRole: serviceRole(
      'scheduler.amazonaws.com',
      'send-interruption-notices',
      [
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [targetArn, getAtt('InterruptionScheduleDeadLetterQueue', 'Arn')] },
      ],
      // Only this account's Lifeguard group may use the role (confused deputy). Scheduler sends the
      // schedule group's ARN as aws:SourceArn, never a schedule's: its confused-deputy guidance says
      // to scope to a group, not to a schedule or a name prefix.
      {
        StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
        ArnEquals: { 'aws:SourceArn': getAtt('InterruptionScheduleGroup', 'Arn') },
      },
    ),
  };
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      Resource: sub(`arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${group}/*`),
    },
    {
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: getAtt('InterruptionSchedulerRole', 'Arn'),
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    },
  ];
  const environment: Record<string, unknown> = {
    [SCHEDULER_ENV.groupName]: ref('InterruptionScheduleGroup'),
    [SCHEDULER_ENV.targetArn]: targetArn,
    [SCHEDULER_ENV.roleArn]: getAtt('InterruptionSchedulerRole', 'Arn'),
    [SCHEDULER_ENV.deadLetterArn]: getAtt('InterruptionScheduleDeadLetterQueue', 'Arn'),
  };
  return { resources, statements, environment };
}
