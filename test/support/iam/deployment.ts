import { FAILOVER_TASK_LAMBDAS, LOCK_TABLE_ID } from '../../../deploy/dr-ids.ts';
import { alarmName } from '../../../deploy/dr-triggers.ts';
import { NOTICE_QUEUE_URL_ENV } from '../../../lib/aws/notice-queue.ts';
import type { SandboxDeployment } from '../../../sandbox/aws/calls.ts';
import type { StackIam } from './stack-iam.ts';

/**
 * The names a sandbox run must use for its requests to be the packaged stack's: every function's
 * ARN, the interruption function's scheduling environment, the failover definition's resources,
 * the state machine and the alarms that start it.
 */
export function sandboxDeployment(iam: StackIam, options: { service: string; stage: string; eventSource: string }): SandboxDeployment {
  const functions = iam.functions();
  const functionArns = Object.fromEntries(functions.map((f) => [f.key, f.arn]));
  const [schedules, ...more] = iam.scheduleUses();
  if (!schedules || more.length) throw new Error('expected one function that schedules work (the interruption function)');
  const noticeQueueUrl = (fns: typeof functions) => {
    const url = fns.find((f) => f.key === 'interruption')?.environment[NOTICE_QUEUE_URL_ENV];
    if (!url) throw new Error(`the interruption function has no ${NOTICE_QUEUE_URL_ENV}`);
    return url;
  };
  const arnOf = (key: keyof typeof FAILOVER_TASK_LAMBDAS) => iam.stack.arn(FAILOVER_TASK_LAMBDAS[key].logicalId);
  return {
    functionArns,
    stateMachineArn: iam.stateMachine().arn,
    // The schedules' target is the notice queue; the function's environment has its URL.
    noticeQueue: { arn: schedules.targetArn, url: noticeQueueUrl(functions) },
    scheduler: {
      groupName: schedules.groupArn.slice(schedules.groupArn.lastIndexOf('/') + 1),
      targetArn: schedules.targetArn,
      roleArn: schedules.roleArn,
      deadLetterArn: schedules.deadLetterArn,
    },
    failover: {
      validateFunction: arnOf('drValidate'),
      confirmFunction: arnOf('drConfirm'),
      planFunction: arnOf('drPlan'),
      stepsFunction: arnOf('drSteps'),
      attemptFunction: arnOf('drAttempt'),
      reportFunction: arnOf('drReport'),
      lockTable: iam.stack.physicalName(LOCK_TABLE_ID),
      eventSource: options.eventSource,
      partition: iam.stack.partition,
    },
    alarmName: (cluster) => alarmName(options.service, options.stage, cluster),
  };
}
