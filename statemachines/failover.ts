import { FAILOVER_TIMEOUT_SECONDS } from '../lib/dr/execution.ts';
import { cleanupStates } from './failover/cleanup.ts';
import { type FailoverResourceRefs, type States } from './failover/common.ts';
import { COMPLETE, completeStates } from './failover/complete.ts';
import { GROW, growStates } from './failover/grow.ts';
import { CONFIRM, confirmStates } from './failover/confirm.ts';
import { CREATE, createStates } from './failover/create.ts';
import { PLAN, planStates } from './failover/plan.ts';
import { RETIRE, retireStates } from './failover/retire.ts';
import { STANDBY, standbyStates } from './failover/standby.ts';
import { START, startStates } from './failover/start.ts';
import { STEPS, stepsStates } from './failover/steps.ts';
import { SWITCH, switchStates } from './failover/switch.ts';

export { DEPLOYED_PARTITION, LIFEGUARD_EVENTS, type FailoverResourceRefs, type ResourceRef } from './failover/common.ts';

/**
 * The EMR failover state machine (Amazon States Language, JSONPath), assembled from one builder
 * per phase (statemachines/failover/*) in the order of FAILOVER_PHASES, and cleanup for every
 * failure after the lock. The execution state is the object the ValidateInput Lambda returns
 * (lib/dr/execution.ts). Phase boundaries are stamped with `$$.State.EnteredTime` under `$.times`
 * for the RTO report.
 */

export { FAILOVER_TIMEOUT_SECONDS };

/** One phase: the state it is entered by, and its states once told where it hands over. */
export interface FailoverPhase {
  readonly name: string;
  readonly entry: string;
  readonly states: (refs: FailoverResourceRefs, next: string) => States;
}

/** Every phase but the last hands over to the one after it. */
const HANDING_OVER: readonly FailoverPhase[] = [
  { name: 'start', entry: START, states: (refs, next) => startStates(refs, { locked: next }) },
  { name: 'confirm', entry: CONFIRM, states: (refs, next) => confirmStates(refs, { confirmed: next }) },
  { name: 'plan', entry: PLAN, states: (refs, next) => planStates(refs, { planned: next }) },
  // A usable, healthy standby skips the creation and goes straight to the switch.
  { name: 'standby', entry: STANDBY, states: (refs, next) => standbyStates(refs, { cold: next, ready: SWITCH }) },
  { name: 'create', entry: CREATE, states: (refs, next) => createStates(refs, { created: next }, FAILOVER_TIMEOUT_SECONDS) },
  { name: 'switch', entry: SWITCH, states: (refs, next) => switchStates(refs, { switched: next }) },
  { name: 'grow', entry: GROW, states: (refs, next) => growStates(refs, { done: next }) },
  { name: 'steps', entry: STEPS, states: (refs, next) => stepsStates(refs, { done: next }) },
  { name: 'retire', entry: RETIRE, states: (refs, next) => retireStates(refs, { done: next }) },
];
/** The last phase ends the execution. */
const LAST = { name: 'complete', entry: COMPLETE, states: (refs: FailoverResourceRefs) => completeStates(refs) } satisfies FailoverPhase;

/** The failover's phases in the order they run. */
export const FAILOVER_PHASES: readonly FailoverPhase[] = [...HANDING_OVER, LAST];

export function failoverDefinition(refs: FailoverResourceRefs) {
  const phases: States[] = [
    ...HANDING_OVER.map((phase, i) => phase.states(refs, (HANDING_OVER[i + 1] ?? LAST).entry)),
    LAST.states(refs),
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
    Comment: 'Lifeguard EMR failover: confirm, plan, switch to the warm standby or create in another AZ, switch NLB targets, grow the standby, carry steps over, retire',
    StartAt: FAILOVER_PHASES[0]!.entry,
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
  stepsFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-steps',
  attemptFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-attempt',
  reportFunction: 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-local-dr-report',
  lockTable: 'lifeguard-local-failover-locks',
  eventSource: 'lifeguard',
  partition: 'aws',
};
