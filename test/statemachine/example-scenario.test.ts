import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { runFailoverScenario } from '../../sandbox/dr/runner.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../sandbox/dr/scenario.ts';

const example = (parse(readFileSync('sandbox/dr/examples/az-outage.yaml', 'utf8')) as { emr: DrScenarioSpec }).emr;

describe('the documented AZ-outage example', () => {
  it('is a valid emr scenario section', () => {
    expect(drScenarioSchema.safeParse(example).success).toBe(true);
  });

  it('fails over once despite a duplicate trigger and a throttled registration', async () => {
    const result = await runFailoverScenario(example, { clock: new VirtualClock() });
    expect(result.executions.map((e) => e.outcome).sort()).toEqual(['AlreadyInProgress', 'FailoverCompleted']);
    expect(result.calls.filter((c) => c.error).map((c) => `${c.action}:${c.error}`)).toEqual(['PutItem:ConditionalCheckFailedException', 'RegisterTargets:ThrottlingException']);
    const replacement = Object.values(result.clusters).find((c) => c.replaces === 'j-2AXXXXXXGAPLF');
    expect(replacement?.zone).not.toBe('us-east-1a');
    // Alarm at 200 s, 3 probes 10 s apart: confirmed 20 s later.
    expect(result.phases?.detect).toBe(20);
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Completed']);
  });

  it('names the field of an invalid scenario', async () => {
    const bad = { ...example, clusters: [{ ...example.clusters[0]!, subnetId: 'subnet-0fff9999' }] };
    await expect(runFailoverScenario(bad, { clock: new VirtualClock() })).rejects.toThrow(/clusters\.0\.subnetId/);
  });
});
