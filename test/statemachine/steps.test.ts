import { describe, expect, it } from 'vitest';
import type { StepsReport } from '../../lib/dr/carry-steps.ts';
import type { RtoReport } from '../../lib/dr/rto.ts';
import type { FailoverResult } from '../../sandbox/dr/runner.ts';
import { OLD_ID, outage, run, scenario } from './fixtures.ts';

/**
 * Steps carried over at failover, in the sandbox: an outage at 30 s ends the cluster at 60 s while
 * one step runs and two wait behind it; EMR then lists all three CANCELLED (the running one with
 * its start time), and the failover decides by when they ended and whether they had started.
 */
const STEPS = [
  { id: 's-DONE', name: 'ingest', args: ['spark-submit', 'ingest.py'], submittedAt: -3600, durationSeconds: 600 },
  { id: 's-RUNNING', name: 'transform', args: ['spark-submit', 'transform.py', '--day', '2026-03-01'], submittedAt: -1200, durationSeconds: 1800, actionOnFailure: 'CANCEL_AND_WAIT' },
  { id: 's-PENDING1', name: 'aggregate', args: ['spark-submit', 'aggregate.py'], submittedAt: -900, durationSeconds: 300 },
  { id: 's-PENDING2', name: 'export', jar: 's3://bucket/export.jar', mainClass: 'com.example.Export', args: ['--to', 's3://out/'], properties: { 'mapreduce.job.reduces': '4' }, submittedAt: -600, durationSeconds: 120 },
];

/** For a drill, read some 12 minutes in: the running step still runs, the others still wait. */
const LONG_STEPS = STEPS.map((s) => (s.name === 'transform' ? { ...s, durationSeconds: 7200 } : s));

const outageWith = (resubmitSteps?: 'none' | 'pending' | 'pending-and-running', extra: Record<string, unknown> = {}) =>
  scenario({ triggers: [{ at: 200, mode: 'failover' }] }, { steps: STEPS, health: [{ at: 30, ...outage }], failsAt: 60, ...(resubmitSteps ? { resubmitSteps } : {}), ...extra });

function report(result: FailoverResult): RtoReport {
  const execution = result.executions[0]!;
  expect(execution.outcome).toBe('FailoverCompleted');
  return (execution.output as { report: RtoReport }).report;
}
const event = (result: FailoverResult) => result.events.find((e) => e.detailType === 'Failover Completed')!.detail as RtoReport;
const replacement = (result: FailoverResult) => Object.entries(result.clusters).find(([id]) => id !== OLD_ID)!;

describe('steps carried over at failover', () => {
  it('pending-and-running: all three on the replacement, in their original order, ids mapped in the report and the event', async () => {
    const result = await run(outageWith('pending-and-running'));
    const steps = report(result).steps!;
    expect(steps.carriedOver.map((s) => [s.oldId, s.name, s.was])).toEqual([
      ['s-RUNNING', 'transform', 'running'],
      ['s-PENDING1', 'aggregate', 'pending'],
      ['s-PENDING2', 'export', 'pending'],
    ]);
    expect(steps.leftBehind).toEqual([]);
    expect(steps.finished).toEqual([{ id: 's-DONE', name: 'ingest', state: 'COMPLETED' }]);
    const [newId, cluster] = replacement(result);
    expect(steps.newClusterId).toBe(newId);
    // The replacement holds exactly these, in order, with what made them: name, jar, args, ActionOnFailure.
    expect(cluster.steps.map((s) => [s.id, s.name, s.actionOnFailure, s.args])).toEqual(
      steps.carriedOver.map((c, i) => [c.newId, c.name, c.actionOnFailure, STEPS[i + 1]!.args]),
    );
    expect(cluster.steps.map((s) => s.actionOnFailure)).toEqual(['CANCEL_AND_WAIT', 'CONTINUE', 'CONTINUE']);
    const add = result.calls.find((c) => c.action === 'AddJobFlowSteps')!;
    expect(add).toMatchObject({ caller: 'steps', input: { JobFlowId: newId } });
    expect((add.input as { Steps: unknown[] }).Steps[2]).toEqual({
      Name: 'export',
      ActionOnFailure: 'CONTINUE',
      HadoopJarStep: { Jar: 's3://bucket/export.jar', MainClass: 'com.example.Export', Args: ['--to', 's3://out/'], Properties: [{ Key: 'mapreduce.job.reduces', Value: '4' }] },
    });
    // Failover Completed carries the same mapping.
    expect(event(result).steps!.carriedOver.map((s) => `${s.oldId}→${s.newId}`)).toEqual(steps.carriedOver.map((s) => `${s.oldId}→${s.newId}`));
    // The steps run on the replacement one after the other: the first is running at the end of the run or later.
    expect(result.clusters[OLD_ID]!.steps.map((s) => s.state)).toEqual(['COMPLETED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('pending: the two waiting steps carried over, the running one reported left behind with why', async () => {
    const steps = report(await run(outageWith('pending'))).steps!;
    expect(steps.carriedOver.map((s) => s.oldId)).toEqual(['s-PENDING1', 's-PENDING2']);
    expect(steps.leftBehind).toEqual([{ id: 's-RUNNING', name: 'transform', state: 'CANCELLED', reason: expect.stringContaining('it was running and resubmitSteps is pending') }]);
  });

  it('none (the default): nothing added, every cut-off step reported left behind', async () => {
    const result = await run(outageWith());
    const steps = report(result).steps!;
    expect(steps.resubmitSteps).toBe('none');
    expect(steps.carriedOver).toEqual([]);
    expect(steps.leftBehind.map((s) => [s.id, s.reason])).toEqual(['s-RUNNING', 's-PENDING1', 's-PENDING2'].map((id) => [id, 'dr.clusters[].resubmitSteps is none']));
    expect(result.calls.filter((c) => c.action === 'AddJobFlowSteps')).toEqual([]);
    expect(replacement(result)[1].steps).toEqual([]);
  });

  it('a drill carries nothing unless asked, even with resubmitSteps configured: the kept cluster runs them', async () => {
    const result = await run(scenario({ triggers: [{ at: 0, mode: 'drill' }] }, { steps: LONG_STEPS, resubmitSteps: 'pending-and-running' }));
    const steps = report(result).steps!;
    expect(steps.carriedOver).toEqual([]);
    expect(steps.leftBehind.map((s) => [s.id, s.state])).toEqual([['s-RUNNING', 'RUNNING'], ['s-PENDING1', 'PENDING'], ['s-PENDING2', 'PENDING']]);
    expect(steps.leftBehind[0]!.reason).toMatch(/a drill carries no step unless its input sets resubmitSteps/);
    expect(result.calls.filter((c) => c.action === 'AddJobFlowSteps')).toEqual([]);
  });

  it('a drill asked to carry the pending steps adds them (and reads the old cluster while it still runs them)', async () => {
    const result = await run(scenario({ triggers: [{ at: 0, mode: 'drill', resubmitSteps: 'pending' }] }, { steps: LONG_STEPS }));
    const steps = report(result).steps!;
    expect(steps.carriedOver.map((s) => s.oldId)).toEqual(['s-PENDING1', 's-PENDING2']);
    expect(steps.leftBehind.map((s) => s.id)).toEqual(['s-RUNNING']);
  });

  it('carrying steps costs the RTO nothing: it runs after the switch', async () => {
    const [none, all] = await Promise.all([run(outageWith('none')), run(outageWith('pending-and-running'))]);
    expect(report(all).rtoSeconds).toBe(report(none).rtoSeconds);
    expect(report(all).phases).toEqual(report(none).phases);
  });

  it('an AddJobFlowSteps failure is a warning on a completed failover, naming the steps left behind', async () => {
    const result = await run(outageWith('pending-and-running', {}));
    expect(report(result).warnings).toEqual([]);
    const failing = await run({ ...outageWith('pending-and-running'), faults: [{ service: 'emr', action: 'AddJobFlowSteps', caller: 'steps', error: 'ValidationException', times: 1 }] });
    const steps: StepsReport = report(failing).steps!;
    expect(steps.carriedOver).toEqual([]);
    expect(steps.leftBehind.map((s) => s.id)).toEqual(['s-RUNNING', 's-PENDING1', 's-PENDING2']);
    expect(steps.leftBehind[0]!.reason).toMatch(/AddJobFlowSteps on j-SANDBOX\d+ failed: ValidationException/);
  });

  it('a steps task that cannot read the old cluster leaves a warning, and the failover still completes and retires', async () => {
    const result = await run({ ...outageWith('pending'), faults: [{ service: 'emr', action: 'ListSteps', caller: 'steps', error: 'AccessDeniedException', times: 1 }] });
    const rto = report(result);
    expect(rto.steps).toBeNull();
    expect(rto.warnings).toEqual([expect.stringMatching(new RegExp(`^steps of ${OLD_ID} not carried over: AccessDeniedException`))]);
  });
});
