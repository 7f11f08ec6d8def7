import type { LifeguardConfig } from '../lib/config/schema.ts';
import { failoverLockTable, failoverStateMachine } from './dr-failover.ts';
import { drFunctions } from './dr-functions.ts';
import { FAILOVER_ROLE_ID, LOCK_TABLE_ID } from './dr-ids.ts';
import { failoverTriggers } from './dr-triggers.ts';

/**
 * The disaster-recovery part of the stack: the scheduled probe and its per-cluster alarms, the
 * EventBridge rule that turns an alarm into a failover execution (retry policy + DLQ), the
 * failover state machine with its own hand-written role, its Lambdas and the lock table.
 */

export interface DrStackOptions {
  service?: string;
  stage?: string;
}

export function drResources(config: LifeguardConfig, options: DrStackOptions = {}) {
  const service = options.service ?? 'lifeguard';
  const stage = options.stage ?? 'dev';
  const { roles, functions } = drFunctions(config, (key) => `${service}-${stage}-${key}`);
  const failover = failoverStateMachine(config, service, stage);
  // The order of the keys is the order of the packaged template.
  const resources: Record<string, unknown> = {
    ...roles,
    ...failoverTriggers(config, service, stage),
    [LOCK_TABLE_ID]: failoverLockTable(),
    [FAILOVER_ROLE_ID]: failover.role,
  };
  return { functions, stepFunctions: failover.stepFunctions, resources, outputs: failover.outputs };
}
