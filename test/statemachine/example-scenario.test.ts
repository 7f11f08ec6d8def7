import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { runFailoverScenario } from '../../sandbox/dr/runner.ts';
import { loadScenarioFile } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../sandbox/dr/scenario.ts';

const example = (parse(readFileSync('sandbox/dr/examples/az-outage.yaml', 'utf8')) as { emr: DrScenarioSpec }).emr;

/** Examples of a failover that fails, by the error it fails with. */
const FAILING_EXAMPLES: Record<string, string> = { 'sandbox/dr/examples/no-fitting-zone.yaml': 'PlanError' };

/** The DR example files docs/scenarios.md links to. */
const documentedExamples = [...readFileSync('docs/scenarios.md', 'utf8').matchAll(/\((?:\.\.\/)?(sandbox\/dr\/examples\/[\w.-]+\.ya?ml)\)/g)].map((m) => m[1]!);

describe('the documented AZ-outage example', () => {
  it('is a valid emr scenario section', () => {
    expect(drScenarioSchema.safeParse(example).success).toBe(true);
  });

  it('fails over once despite a duplicate trigger and a throttled registration', async () => {
    const result = await runFailoverScenario(example, { clock: new VirtualClock() });
    expect(result.executions.map((e) => e.outcome).sort()).toEqual(['AlreadyInProgress', 'FailoverCompleted']);
    expect(result.calls.filter((c) => c.error).map((c) => `${c.caller}:${c.action}:${c.error}`)).toEqual([
      'stateMachine:PutItem:ConditionalCheckFailedException',
      'planner:DescribeCluster:ThrottlingException',
      'planner:DescribeCluster:ThrottlingException',
      'stateMachine:RegisterTargets:ThrottlingException',
    ]);
    const replacement = Object.values(result.clusters).find((c) => c.replaces === 'j-2AXXXXXXGAPLF');
    // us-east-1a failed and the NLB does not serve us-east-1b.
    expect(replacement?.zone).toBe('us-east-1c');
    // Alarm 5 s before the trigger at 200 s, 3 probes 10 s apart: confirmed 25 s after the alarm,
    // which itself needed 3 breaching minutes.
    expect(result.phases).toMatchObject({ alarm: 180, detect: 25 });
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Completed']);
  });

  it('every DR example the scenario docs name runs through lifeguard simulate', async () => {
    expect(documentedExamples).toContain('sandbox/dr/examples/az-outage.yaml');
    for (const path of documentedExamples) {
      const scenario = loadScenarioFile(path);
      const result = await runScenario(scenario);
      expect(result.failover?.executions.length, path).toBeGreaterThan(0);
      // An example of a failover that cannot happen fails, at its plan, before creating anything.
      const expected = FAILING_EXAMPLES[path];
      if (expected) expect(result.failover?.executions.map((e) => e.outcome), path).toEqual([expected]);
      else expect(result.failover?.executions.every((e) => e.status === 'SUCCEEDED'), path).toBe(true);
    }
  });

  it('names the configuration field a scenario cluster gets wrong', async () => {
    const bad = { ...example, clusters: [{ ...example.clusters[0]!, roles: { service: 'EMR_DefaultRole' } }] };
    await expect(runFailoverScenario(bad, { clock: new VirtualClock() })).rejects.toThrow(/clusters\.0\.roles\.service: an IAM role ARN/);
  });

  it('names the field of an invalid scenario', async () => {
    const bad = { ...example, clusters: [{ ...example.clusters[0]!, subnetId: 'subnet-0fff9999' }] };
    await expect(runFailoverScenario(bad, { clock: new VirtualClock() })).rejects.toThrow(/clusters\.0\.subnetId/);
  });
});
