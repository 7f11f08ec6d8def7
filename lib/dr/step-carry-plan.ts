import type { StepConfig, StepSummary } from '@aws-sdk/client-emr';
import type { ResubmitSteps } from '../config/dr.ts';

/**
 * Which of the old cluster's steps go to the replacement, and why each other one stays behind.
 * Pure: the steps as ListSteps gave them (newest first) in, the decision out.
 *
 * A step the outage cut off is no longer PENDING or RUNNING once EMR has ended the cluster: it
 * ended (CANCELLED, INTERRUPTED or FAILED) at or after the outage began. Whether it had started
 * (its StartDateTime) tells a pending step from a running one.
 */

export type OldStepState = 'pending' | 'running';

export interface CarriedStep {
  oldId: string;
  name: string;
  /** What it was doing on the old cluster when the outage (or the drill) came. */
  was: OldStepState;
  /** Its state on the old cluster when it was read. */
  state: string;
  actionOnFailure: string;
}

export interface LeftStep {
  id: string;
  name: string;
  state: string;
  reason: string;
}

export interface FinishedStep {
  id: string;
  name: string;
  state: string;
}

export interface StepCarryPlan {
  /** Oldest first: the order they are added in. */
  carry: Array<CarriedStep & { config: StepConfig }>;
  leftBehind: LeftStep[];
  finished: FinishedStep[];
}

export interface StepCarryOptions {
  resubmitSteps: ResubmitSteps;
  mode: 'failover' | 'drill';
  /** Epoch ms: a step that ended at or after this was ended by the outage. */
  outageSince: number;
  /** The replacement's StepConcurrencyLevel (RunJobFlow; 1 when unset). */
  stepConcurrencyLevel: number;
}

const ACTIVE: Record<string, OldStepState> = { PENDING: 'pending', RUNNING: 'running' };
const CUT_OFF = new Set(['CANCELLED', 'INTERRUPTED', 'FAILED']);
/** EMR refuses these through AddJobFlowSteps on a cluster with StepConcurrencyLevel > 1 (StepConfig, API reference). */
const SEQUENTIAL_ONLY = new Set(['CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW']);

export function planStepCarry(listed: readonly StepSummary[], options: StepCarryOptions): StepCarryPlan {
  const plan: StepCarryPlan = { carry: [], leftBehind: [], finished: [] };
  // ListSteps lists newest first: the original order is the reverse.
  for (const step of [...listed].reverse()) {
    const id = step.Id ?? '?';
    const name = step.Name ?? '';
    const state = step.Status?.State ?? 'UNKNOWN';
    const was = wasActive(step, options.outageSince);
    if (!was) {
      if (state === 'CANCEL_PENDING') plan.leftBehind.push({ id, name, state, reason: 'its cancellation was requested before the failover' });
      else plan.finished.push({ id, name, state });
      continue;
    }
    const reason = leftBehindBecause(step, was, options);
    if (reason) {
      plan.leftBehind.push({ id, name, state, reason });
      continue;
    }
    plan.carry.push({ oldId: id, name, was, state, actionOnFailure: step.ActionOnFailure ?? 'CONTINUE', config: stepConfig(step) });
  }
  return plan;
}

/** Pending or running when the outage came: still so, or ended by it. */
function wasActive(step: StepSummary, outageSince: number): OldStepState | undefined {
  const state = step.Status?.State ?? '';
  if (ACTIVE[state]) return ACTIVE[state];
  const ended = step.Status?.Timeline?.EndDateTime;
  if (!CUT_OFF.has(state) || ended === undefined || new Date(ended).getTime() < outageSince) return undefined;
  return step.Status?.Timeline?.StartDateTime === undefined ? 'pending' : 'running';
}

function leftBehindBecause(step: StepSummary, was: OldStepState, options: StepCarryOptions): string | undefined {
  const { resubmitSteps, mode } = options;
  if (resubmitSteps === 'none') {
    return mode === 'drill'
      ? 'a drill carries no step unless its input sets resubmitSteps (the old cluster keeps it)'
      : 'dr.clusters[].resubmitSteps is none';
  }
  if (was === 'running' && resubmitSteps === 'pending') {
    return 'it was running and resubmitSteps is pending (pending-and-running would start it again from the beginning)';
  }
  if (!step.Config?.Jar) return 'ListSteps gives no jar for it';
  const action = step.ActionOnFailure ?? 'CONTINUE';
  if (options.stepConcurrencyLevel > 1 && SEQUENTIAL_ONLY.has(action)) {
    return `EMR refuses ActionOnFailure ${action} on a replacement whose StepConcurrencyLevel is ${options.stepConcurrencyLevel}`;
  }
  return undefined;
}

/** StepSummary's HadoopStepConfig as AddJobFlowSteps takes it: properties become Key/Value pairs. */
export function stepConfig(step: StepSummary): StepConfig {
  const config = step.Config ?? {};
  const properties = Object.entries(config.Properties ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return {
    Name: step.Name ?? '',
    ActionOnFailure: step.ActionOnFailure ?? 'CONTINUE',
    HadoopJarStep: {
      Jar: config.Jar,
      Args: [...(config.Args ?? [])],
      ...(config.MainClass ? { MainClass: config.MainClass } : {}),
      ...(properties.length ? { Properties: properties } : {}),
    },
  };
}
