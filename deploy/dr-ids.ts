/** Logical ids by which the disaster-recovery fragments of the stack refer to each other. */

export const FAILOVER_STATE_MACHINE_ID = 'FailoverStateMachine';
export const FAILOVER_ROLE_ID = 'FailoverStateMachineRole';
export const LOCK_TABLE_ID = 'FailoverLockTable';

/** The Lambdas the failover state machine's Task states invoke, keyed by function name. */
export const FAILOVER_TASK_LAMBDAS = {
  drValidate: { logicalId: 'DrValidateLambdaFunction', handler: 'functions/dr-validate.handler', description: 'Failover: validates the input and sets up the execution' },
  drConfirm: { logicalId: 'DrConfirmLambdaFunction', handler: 'functions/dr-probe.confirmHandler', description: 'Failover: one health probe of an EMR cluster' },
  drPlan: { logicalId: 'DrPlanLambdaFunction', handler: 'functions/dr-plan.handler', description: 'Failover: plans the replacement cluster (read-only)' },
  drSteps: { logicalId: 'DrStepsLambdaFunction', handler: 'functions/dr-steps.handler', description: "Failover: carries the old cluster's steps over to the replacement" },
  drAttempt: { logicalId: 'DrAttemptLambdaFunction', handler: 'functions/dr-attempt.handler', description: 'Failover: judges an attempt to create the replacement, picks the next zone' },
  drReport: { logicalId: 'DrReportLambdaFunction', handler: 'functions/dr-report.handler', description: 'Failover: RTO breakdown per phase' },
} as const;
