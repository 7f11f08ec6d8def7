import { cleanupStates } from './failover/cleanup.ts';
import { type FailoverResourceRefs, type States } from './failover/common.ts';
import { COMPLETE, completeStates } from './failover/complete.ts';
import { CONFIRM, confirmStates } from './failover/confirm.ts';
import { CREATE, createStates } from './failover/create.ts';
import { PLAN, planStates } from './failover/plan.ts';
import { RETIRE, retireStates } from './failover/retire.ts';
import { START, startStates } from './failover/start.ts';
import { SWITCH, switchStates } from './failover/switch.ts';

export { LIFEGUARD_EVENTS, type FailoverResourceRefs, type ResourceRef } from './failover/common.ts';

/**
 * The EMR failover state machine (Amazon States Language, JSONPath), assembled from one builder
 * per phase (statemachines/failover/*): start → confirm → plan → create → switch → retire →
 * complete, and cleanup for every failure after the lock. The execution state is the object the
 * ValidateInput Lambda returns (lib/dr/execution.ts). Phase boundaries are stamped with
 * `$$.State.EnteredTime` under `$.times` for the RTO report.
 */

/** An execution never outlives its lock (lib/dr/execution.ts LOCK_TTL_SECONDS is longer). */
export const FAILOVER_TIMEOUT_SECONDS = 5400;

export function failoverDefinition(refs: FailoverResourceRefs) {
  const phases: States[] = [
    startStates(refs, { locked: CONFIRM }),
    confirmStates(refs, { confirmed: PLAN }),
    planStates(refs, { planned: CREATE }),
    createStates({ created: SWITCH }),
    switchStates({ switched: RETIRE }),
    retireStates({ done: COMPLETE }),
    completeStates(refs),
    cleanupStates(refs),
  ];
  const states: States = {};
  for (const phase of phases) {
    for (const [name, state] of Object.entries(phase)) {
      if (name in states) throw new Error(`failover definition: state ${name} is built by two phases`);
      states[name] = state;
    }
  }
  return {
    Comment: 'Lifeguard EMR failover: confirm, plan, create in another AZ, switch NLB targets, retire',
    StartAt: START,
    TimeoutSeconds: FAILOVER_TIMEOUT_SECONDS,
    States: states,
  };
}

export type FailoverDefinition = ReturnType<typeof failoverDefinition>;

/** Placeholder ARNs for local runs and validation (the sandbox binds every Task to a local handler). */
export const LOCAL_FAILOVER_REFS: FailoverResourceRefs = {
  validateFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-validate',
  confirmFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-confirm',
  planFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-plan',
  reportFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-report',
  lockTable: 'lifeguard-local-failover-locks',
  eventSource: 'lifeguard',
};
