import { AddJobFlowStepsCommand, EMRClient, ListStepsCommand, type StepSummary } from '@aws-sdk/client-emr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { carrySteps } from '../../../lib/dr/carry-steps.ts';
import { planStepCarry } from '../../../lib/dr/step-carry-plan.ts';

const emrMock = mockClient(EMRClient);
const T = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T + s * 1000);

function step(id: string, state: string, timeline: { start?: number; end?: number } = {}, extra: Partial<StepSummary> = {}): StepSummary {
  return {
    Id: id,
    Name: `step ${id}`,
    ActionOnFailure: 'CONTINUE',
    Config: { Jar: 'command-runner.jar', Args: ['spark-submit', `${id}.py`], Properties: {} },
    Status: {
      State: state as never,
      Timeline: { CreationDateTime: at(-7200), ...(timeline.start === undefined ? {} : { StartDateTime: at(timeline.start) }), ...(timeline.end === undefined ? {} : { EndDateTime: at(timeline.end) }) },
    },
    ...extra,
  };
}

const input = (resubmitSteps: string, mode = 'failover') => ({
  request: { cluster: 'analytics', mode, resubmitSteps, detectedAt: at(0).toISOString(), alarmWindowSeconds: 180 },
  times: { started: { at: at(5).toISOString() } },
  plan: { sourceClusterId: 'j-OLD', runJobFlow: { Name: 'analytics-dr' } },
  newCluster: { ClusterId: 'j-NEW' },
});

describe('planStepCarry', () => {
  const options = { resubmitSteps: 'pending-and-running' as const, mode: 'failover' as const, outageSince: T - 240_000, stepConcurrencyLevel: 1 };

  it('counts a step the outage ended as pending or running by its start time, and one ended before the outage as finished', () => {
    // Newest first, as ListSteps gives them.
    const plan = planStepCarry(
      [step('s-C', 'CANCELLED', { end: -30 }), step('s-B', 'INTERRUPTED', { start: -900, end: -30 }), step('s-A', 'FAILED', { start: -4000, end: -3000 })],
      options,
    );
    expect(plan.carry.map((s) => [s.oldId, s.was])).toEqual([['s-B', 'running'], ['s-C', 'pending']]);
    expect(plan.finished).toEqual([{ id: 's-A', name: 'step s-A', state: 'FAILED' }]);
  });

  it('leaves behind a step whose cancellation was requested, and refuses what EMR refuses on a concurrent replacement', () => {
    const plan = planStepCarry(
      [step('s-B', 'PENDING', {}, { ActionOnFailure: 'TERMINATE_CLUSTER' }), step('s-A', 'CANCEL_PENDING', { start: -60 })],
      { ...options, stepConcurrencyLevel: 4 },
    );
    expect(plan.carry).toEqual([]);
    expect(plan.leftBehind.map((s) => [s.id, s.reason])).toEqual([
      ['s-A', 'its cancellation was requested before the failover'],
      ['s-B', 'EMR refuses ActionOnFailure TERMINATE_CLUSTER on a replacement whose StepConcurrencyLevel is 4'],
    ]);
  });
});

describe('carrySteps (the steps Lambda)', () => {
  beforeEach(() => emrMock.reset());

  it('a retried invocation whose first attempt landed finds its steps on the replacement and adds only the missing ones', async () => {
    const old = [step('s-3', 'PENDING'), step('s-2', 'PENDING'), step('s-1', 'RUNNING', { start: -60 })];
    emrMock.on(ListStepsCommand, { ClusterId: 'j-OLD' }).resolves({ Steps: old });
    // The first attempt added s-1's copy, then the invocation was lost.
    emrMock.on(ListStepsCommand, { ClusterId: 'j-NEW' }).resolves({ Steps: [{ ...step('s-NEW1', 'RUNNING', { start: 1 }), Name: 'step s-1', Config: old[2]!.Config }] });
    emrMock.on(AddJobFlowStepsCommand).resolves({ StepIds: ['s-NEW2', 's-NEW3'] });
    const report = await carrySteps(input('pending-and-running'), new EMRClient({ region: 'us-east-1' }));
    expect(report.carriedOver.map((s) => `${s.oldId}→${s.newId}`)).toEqual(['s-1→s-NEW1', 's-2→s-NEW2', 's-3→s-NEW3']);
    const added = emrMock.commandCalls(AddJobFlowStepsCommand);
    expect(added).toHaveLength(1);
    expect(added[0]!.args[0].input.Steps!.map((s) => s.Name)).toEqual(['step s-2', 'step s-3']);
  });

  it('reads the old cluster page by page, newest first, and stops at the bound', async () => {
    const page = Array.from({ length: 50 }, (_, i) => step(`s-${i}`, 'COMPLETED', { start: -9999, end: -9000 }));
    emrMock.on(ListStepsCommand, { ClusterId: 'j-OLD' }).resolves({ Steps: page, Marker: 'more' });
    const report = await carrySteps(input('none'), new EMRClient({ region: 'us-east-1' }));
    expect(emrMock.commandCalls(ListStepsCommand)).toHaveLength(10);
    expect(report.truncated).toBe(true);
    expect(report.finished).toHaveLength(20);
    expect(report.finishedNotListed).toBe(480);
  });

  it('refuses an input without the old cluster, naming the field', async () => {
    await expect(carrySteps({ ...input('pending'), plan: {} }, new EMRClient({ region: 'us-east-1' }))).rejects.toThrow(/plan\.sourceClusterId/);
  });
});
