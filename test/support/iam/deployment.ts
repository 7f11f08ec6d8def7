import { FAILOVER_TASK_LAMBDAS, LOCK_TABLE_ID } from '../../../deploy/dr-ids.ts';
import { alarmName } from '../../../deploy/dr-triggers.ts';
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
  const arnOf = (key: keyof typeof FAILOVER_TASK_LAMBDAS) => iam.stack.arn(FAILOVER_TASK_LAMBDAS[key].logicalId);
  return {
    functionArns,
    stateMachineArn: iam.stateMachine().arn,
    scheduler: {
      groupName: schedules.groupArn.slice(schedules.groupArn.lastIndexOf('/') + 1),
      functionArn: schedules.targetArn,
      roleArn: schedules.roleArn,
      deadLetterArn: schedules.deadLetterArn,
    },
    failover: {
      validateFunction: arnOf('drValidate'),
      confirmFunction: arnOf('drConfirm'),
      planFunction: arnOf('drPlan'),
      reportFunction: arnOf('drReport'),
      lockTable: iam.stack.physicalName(LOCK_TABLE_ID),
      eventSource: options.eventSource,
      partition: iam.stack.partition,
    },
    alarmName: (cluster) => alarmName(options.service, options.stage, cluster),
  };
}
