import { describe, expect, it } from 'vitest';
import { LAMBDA_THROTTLING_ERRORS, LOCK_HELD_ERROR, THROTTLING_ERROR } from '../../lib/dr/task-errors.ts';
import { POLL } from '../../lib/dr/execution.ts';
import { FAILOVER_PHASES, FAILOVER_TIMEOUT_SECONDS, failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';
import { cleanupStates } from '../../statemachines/failover/cleanup.ts';
import { CLEANUP, type States } from '../../statemachines/failover/common.ts';
import { completeStates } from '../../statemachines/failover/complete.ts';
import { confirmStates } from '../../statemachines/failover/confirm.ts';
import { CREATE, createStates, lastAttemptStartSeconds } from '../../statemachines/failover/create.ts';
import { planStates } from '../../statemachines/failover/plan.ts';
import { retireStates } from '../../statemachines/failover/retire.ts';
import { startStates } from '../../statemachines/failover/start.ts';
import { switchStates } from '../../statemachines/failover/switch.ts';

/** Each phase of the failover definition, checked where it is built. */

const refs = LOCAL_FAILOVER_REFS;
const EXIT = 'NextPhase';

type Rule = { ErrorEquals: string[]; Next?: string; ResultPath?: string | null };
const state = (states: States, name: string) => states[name] as Record<string, unknown> & { Retry?: Rule[]; Catch?: Rule[]; Choices?: Array<Record<string, unknown>> };

/** Every state a phase can move to: its own states, the given exits, and cleanup. */
function transitions(states: States): string[] {
  return Object.values(states).flatMap((s) => {
    const targets: unknown[] = [s.Next, s.Default, ...((s.Catch as Rule[] | undefined) ?? []).map((c) => c.Next)];
    const choices = (s.Choices as Array<{ Next: string }> | undefined) ?? [];
    return [...targets, ...choices.map((c) => c.Next)].filter((t): t is string => typeof t === 'string');
  });
}

function expectClosed(states: States, exits: string[]) {
  const allowed = new Set([...Object.keys(states), ...exits]);
  for (const target of transitions(states)) expect(allowed, `transition to ${target}`).toContain(target);
}

describe('failover phases', () => {
  it('starts with the first phase and hands each phase over to the entry of the next, in the order of FAILOVER_PHASES', () => {
    const definition = failoverDefinition(refs);
    expect(definition.StartAt).toBe(FAILOVER_PHASES[0]!.entry);
    FAILOVER_PHASES.forEach((phase, i) => {
      const alone = JSON.stringify(phase.states(refs, EXIT));
      const next = FAILOVER_PHASES[i + 1];
      // The last phase ends the execution: it hands over to nothing.
      if (!next) expect(alone, phase.name).not.toContain(JSON.stringify(EXIT));
      const wired = JSON.parse(next ? alone.replaceAll(JSON.stringify(EXIT), JSON.stringify(next.entry)) : alone) as States;
      expect(Object.keys(wired), phase.name).toContain(phase.entry);
      for (const [name, built] of Object.entries(wired)) expect(definition.States[name], `${phase.name}: ${name}`).toEqual(built);
    });
  });

  it('assembles every phase and cleanup exactly once into the definition', () => {
    const definition = failoverDefinition(refs);
    const phases = [...FAILOVER_PHASES.map((phase) => phase.states(refs, EXIT)), cleanupStates(refs)];
    expect(Object.keys(definition.States).sort()).toEqual(phases.flatMap((p) => Object.keys(p)).sort());
  });

  it('start: validates, then locks; a held lock ends as a duplicate, not a failure', () => {
    const states = startStates(refs, { locked: EXIT });
    expectClosed(states, [EXIT]);
    expect(state(states, 'AcquireLock').Next).toBe(EXIT);
    expect(state(states, 'AcquireLock').Catch![0]).toMatchObject({ ErrorEquals: [LOCK_HELD_ERROR], Next: 'AlreadyInProgress' });
    expect(state(states, 'AlreadyInProgress')).toMatchObject({ Type: 'Pass', End: true });
  });

  it('confirm: a drill skips probing; a throttled probe is retried; enough failures confirm', () => {
    const states = confirmStates(refs, { confirmed: EXIT });
    expectClosed(states, [EXIT, CLEANUP]);
    expect(state(states, 'IsDrill').Choices![0]).toMatchObject({ StringEquals: 'drill', Next: 'MarkConfirmed' });
    expect(state(states, 'ProbeCluster').Retry!.flatMap((r) => r.ErrorEquals)).toEqual(expect.arrayContaining([...LAMBDA_THROTTLING_ERRORS]));
    expect(state(states, 'MarkConfirmed')).toMatchObject({ ResultPath: '$.times.confirmed', Next: EXIT });
  });

  it('plan: a throttled planner read is retried, other failures clean up, a dry run stops here', () => {
    const states = planStates(refs, { planned: EXIT });
    expectClosed(states, [EXIT, CLEANUP]);
    const plan = state(states, 'PlanFailover');
    expect(plan.Retry!.flatMap((r) => r.ErrorEquals)).toEqual(expect.arrayContaining([...LAMBDA_THROTTLING_ERRORS]));
    expect(plan.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: CLEANUP }]);
    expect(state(states, 'IsDryRun')).toMatchObject({ Default: EXIT, Choices: [{ BooleanEquals: true, Next: 'ReleaseLockDryRun' }] });
  });

  it('create: RunJobFlow through the SDK integration, retried only on throttling, polled to WAITING', () => {
    const states = createStates(refs, { created: EXIT }, FAILOVER_TIMEOUT_SECONDS);
    expectClosed(states, [EXIT, CLEANUP]);
    const create = state(states, 'CreateCluster');
    expect(create.Resource).toBe('arn:aws:states:::aws-sdk:emr:runJobFlow');
    expect(create.Retry!.flatMap((r) => r.ErrorEquals)).toEqual([THROTTLING_ERROR.emr]);
    expect(Object.values(states).map((s) => s.Resource).filter((r) => typeof r === 'string' && r.endsWith('.sync'))).toEqual([]);
    expect(state(states, 'RecordNewMaster').Next).toBe(EXIT);
  });

  it('create: a failed attempt is judged, cleaned up and retried in the next zone, within the time an attempt and the switch still fit', () => {
    const states = createStates(refs, { created: EXIT }, FAILOVER_TIMEOUT_SECONDS);
    expect(state(states, 'CreateCluster').Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.attempt.error', Next: 'JudgeFailedAttempt' }]);
    expect(state(states, 'IsClusterReady').Choices).toContainEqual(expect.objectContaining({ Next: 'JudgeFailedAttempt' }));
    expect(state(states, 'TerminateFailedAttempt').Next).toBe('ForgetFailedAttempt');
    expect(state(states, 'ResetClusterPoll')).toMatchObject({ Result: { n: 0 }, Next: 'PlaceAttempt' });
    expect(state(states, 'CreationFailed').Next).toBe(CLEANUP);
    // A whole attempt (the cluster poll budget) and the switch (the target poll budget) fit after the last start.
    const last = (state(states, 'JudgeFailedAttempt').Parameters as { lastStartSeconds: number }).lastStartSeconds;
    expect(last).toBe(lastAttemptStartSeconds(FAILOVER_TIMEOUT_SECONDS));
    expect(last + POLL.clusterIntervalSeconds * POLL.clusterMaxAttempts + POLL.targetIntervalSeconds * POLL.targetMaxAttempts).toBe(FAILOVER_TIMEOUT_SECONDS);
  });

  it('switch: old targets go only after the new master is healthy in every group, and the switch is marked first', () => {
    const states = switchStates(refs, { switched: EXIT });
    expectClosed(states, [EXIT, CLEANUP]);
    expect(state(states, 'AwaitNewTargetsHealthy').Next).toBe('MarkHealthy');
    expect(state(states, 'MarkHealthy').Next).toBe('MarkSwitched');
    expect(state(states, 'MarkSwitched')).toMatchObject({ Result: { started: true, switched: true }, Next: 'DeregisterOldTargets' });
    expect(state(states, 'DeregisterOldTargets').Next).toBe(EXIT);
  });

  it('retire: reads the old cluster first, skips one already going or gone, and never fails the failover', () => {
    const states = retireStates(refs, { done: EXIT });
    expectClosed(states, [EXIT]);
    expect(state(states, 'ShouldRetireOldCluster').Choices!.map((c) => c.Next)).toEqual(['DescribeOldCluster', 'DescribeOldCluster']);
    const gone = state(states, 'IsOldClusterRunning').Choices![0] as { Or: Array<{ StringEquals: string }>; Next: string };
    expect(gone.Or.map((c) => c.StringEquals)).toEqual(['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS']);
    expect(gone.Next).toBe(EXIT);
    for (const name of ['DescribeOldCluster', 'UnprotectOldCluster', 'TerminateOldCluster']) {
      expect(state(states, name).Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.retireWarning', Next: EXIT }]);
    }
    expect(transitions(states)).not.toContain(CLEANUP);
  });

  it('complete: a missing RTO report or event never turns a completed failover into a failure', () => {
    const states = completeStates(refs);
    expectClosed(states, []);
    expect(state(states, 'ReportRto').Catch![0]!.Next).toBe('ReportUnavailable');
    expect(state(states, 'ReportRto').Parameters).toMatchObject({ 'retireWarning.$': '$.retireWarning', 'oldCluster.$': '$.oldCluster' });
    expect(state(states, 'EmitCompleted').Catch![0]!.Next).toBe('ReleaseLockCompleted');
    expect(state(states, 'FailoverCompleted').End).toBe(true);
  });

  it('cleanup: undoes only what was created, never after the switch, and fails with the original error', () => {
    const states = cleanupStates(refs);
    // A standby that never turned healthy falls back to creating a replacement.
    expectClosed(states, [CREATE]);
    const [afterSwitch] = state(states, CLEANUP).Choices!;
    expect(afterSwitch).toMatchObject({ Variable: '$.registration.switched', BooleanEquals: true, Next: 'EmitFailed' });
    expect(state(states, 'FailoverFailed')).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error' });
  });
});
