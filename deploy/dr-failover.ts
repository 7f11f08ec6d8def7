import type { LifeguardConfig } from '../lib/config/schema.ts';
import { DEPLOYED_PARTITION, failoverDefinition } from '../statemachines/failover.ts';
import { getAtt, RETAINED, ref, serviceRole } from './cfn.ts';
import { failoverStateMachineStatements } from './dr-failover-iam.ts';
import { FAILOVER_ROLE_ID, FAILOVER_STATE_MACHINE_ID, FAILOVER_TASK_LAMBDAS, LOCK_TABLE_ID } from './dr-ids.ts';

export function failoverStateMachineDefinition(config: LifeguardConfig) {
  return failoverDefinition({
    validateFunction: getAtt(FAILOVER_TASK_LAMBDAS.drValidate.logicalId, 'Arn'),
    confirmFunction: getAtt(FAILOVER_TASK_LAMBDAS.drConfirm.logicalId, 'Arn'),
    planFunction: getAtt(FAILOVER_TASK_LAMBDAS.drPlan.logicalId, 'Arn'),
    stepsFunction: getAtt(FAILOVER_TASK_LAMBDAS.drSteps.logicalId, 'Arn'),
    attemptFunction: getAtt(FAILOVER_TASK_LAMBDAS.drAttempt.logicalId, 'Arn'),
    reportFunction: getAtt(FAILOVER_TASK_LAMBDAS.drReport.logicalId, 'Arn'),
    lockTable: ref(LOCK_TABLE_ID),
    eventSource: config.eventSource,
    partition: DEPLOYED_PARTITION,
  });
}

/** The state machine for the step-functions plugin, with its own role: the plugin cannot derive one for `aws-sdk:*` tasks. */
export function failoverStateMachine(config: LifeguardConfig, service: string, stage: string) {
  const role = serviceRole('states.amazonaws.com', 'failover', failoverStateMachineStatements(config), {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  });
  const stepFunctions = {
    stateMachines: {
      failover: {
        id: FAILOVER_STATE_MACHINE_ID,
        name: `${service}-${stage}-failover`,
        type: 'STANDARD',
        role: getAtt(FAILOVER_ROLE_ID, 'Arn'),
        definition: failoverStateMachineDefinition(config),
      },
    },
  };
  const outputs = {
    FailoverStateMachineArn: {
      Description: 'Set LIFEGUARD_STATE_MACHINE_ARN to this for `lifeguard drill`',
      Value: ref(FAILOVER_STATE_MACHINE_ID),
    },
  };
  return { role, stepFunctions, outputs };
}

/** Single flight: one failover per cluster holds a lock item here while it runs. */
export function failoverLockTable() {
  return {
    Type: 'AWS::DynamoDB::Table',
    // Retained like the dead-letter queues: which failover holds (or last held) each cluster's lock
    // is worth reading after a stack was removed or replaced under a running failover.
    ...RETAINED,
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'lockKey', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }],
      // TTL deletion lags; the state machine's condition also treats an expired lock as free.
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
}
