import { describe, expect, it } from 'vitest';
import { massFigures, massScenario, type MassOptions } from '../../bench/mass.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';
import type { SimulationResult } from '../../sandbox/scenario/result.ts';

// A reclaimed Spot pool under the sandbox's default limits: API Priority and Fairness, Lambda's
// concurrency and cold starts, EC2's request throttling. Small pools with short drains, so each
// run takes a moment; bench/mass.ts runs the same scenario at N = 1000.

const run = (options: MassOptions & { api?: Record<string, unknown> }): Promise<SimulationResult> => {
  const scenario = massScenario(options) as { cluster: { api: Record<string, unknown> } };
  if (options.api) Object.assign(scenario.cluster.api, options.api);
  return runScenario(parseScenario(scenario, 'mass scenario'));
};

const small = { executorsPerNode: 4, executorShutdownSeconds: 5 };
const podsPerNode = small.executorsPerNode + 5;

describe('mass reclaim under the default limits', () => {
  it('cordons and drains every node with one streaming list each, no LIST of pods or nodes, cold starts counted', async () => {
    const result = await run({ nodes: 30, spreadSeconds: 10, ...small });
    const figures = massFigures(result, 30, podsPerNode);

    expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, failedInvocations: 0, executorsKilled: 0, throttled429: 0, listNodes: 0, listPodsPerNode: 0, watchPodsPerNode: 1 });
    expect(figures.apiRequestsPerNode).toBeLessThanOrEqual(podsPerNode + 5);
    // Every environment starts cold once, and its first invocation waits for it.
    expect(result.load!.lambda.coldStarts).toBe(result.load!.lambda.environments);
    const cold = result.invocations.find((i) => i.coldStart)!;
    expect(cold.startedAt - cold.deliveredAt).toBe(500);
    expect(figures.cordonP99Ms).toBeGreaterThanOrEqual(500);
    expect(figures.cordonP99Ms).toBeLessThan(2_000);
  });

  it('without WatchList (Kubernetes 1.33): one refused stream per environment, then one LIST and one WATCH per node', async () => {
    const result = await run({ nodes: 20, spreadSeconds: 5, ...small, api: { watchList: false } });
    const figures = massFigures(result, 20, podsPerNode);
    const environments = result.load!.lambda.environments;

    expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, failedInvocations: 0, executorsKilled: 0, listPodsPerNode: 1 });
    expect(result.load!.api.byVerb['watch pods']).toBe(20 + environments);
    expect(figures.apiRequestsPerNode).toBeLessThanOrEqual(podsPerNode + 7);
  });

  it('throttles events beyond the reserved concurrency and runs them later, each environment reused', async () => {
    const result = await run({ nodes: 6, spreadSeconds: 1, ...small, lambda: { reservedConcurrency: 2 } });
    const { lambda } = result.load!;

    expect(lambda.environments).toBe(2);
    expect(lambda.peakConcurrency).toBe(2);
    expect(lambda.throttles).toBeGreaterThan(0);
    const late = result.invocations.filter((i) => i.throttles > 0);
    expect(late.length).toBeGreaterThan(0);
    for (const invocation of late) expect(invocation.startedAt).toBeGreaterThan(invocation.deliveredAt + 1_000);
    expect(result.timeline.some((e) => e.actor === 'lambda' && e.action === 'throttled')).toBe(true);
    // Late is not lost: every warning still gets its drain.
    expect(massFigures(result, 6, podsPerNode)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('adds environments no faster than the scaling rate: a burst past it waits on Lambda\'s queue', async () => {
    const result = await run({ nodes: 12, spreadSeconds: 0.5, ...small, lambda: { scalingPer10Seconds: 5 } });
    const created = result.invocations.filter((i) => i.coldStart).map((i) => i.startedAt - 500);
    const first = Math.min(...created);

    expect(created.filter((t) => t < first + 10_000)).toHaveLength(5);
    expect(result.load!.lambda.throttles).toBeGreaterThan(0);
    expect(massFigures(result, 12, podsPerNode)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('drops an event Lambda could not run within its maximum age, and says so', async () => {
    // One environment, drains of about 25 s, events a minute old are dropped: the later warnings never run.
    const result = await run({ nodes: 5, spreadSeconds: 1, executorsPerNode: 4, executorShutdownSeconds: 20, lambda: { reservedConcurrency: 1, maximumEventAgeSeconds: 60 } });
    const dropped = result.timeline.filter((e) => e.actor === 'lambda' && e.action === 'dropped');

    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]!.detail).toContain('maximum event age (60 s)');
    expect(massFigures(result, 5, podsPerNode).neverCordoned).toBe(dropped.length);
  });

  it('keeps draining when API Priority and Fairness rejects requests: 429s retried, no invocation fails', async () => {
    // A level of one seat and one queue of two for 40 nodes warned within half a second.
    const result = await run({ nodes: 40, spreadSeconds: 0.5, ...small, api: { limits: { concurrency: 1, queues: 1, handSize: 1, queueLengthLimit: 2 } } });
    const figures = massFigures(result, 40, podsPerNode);

    expect(figures.throttled429).toBeGreaterThan(0);
    expect(figures).toMatchObject({ neverCordoned: 0, failedInvocations: 0, executorsKilled: 0 });
  });

  it('falls back to the node LIST when EC2 throttles a burst of lookups, and still cordons every node', async () => {
    // 150 cold environments at once: more DescribeInstances calls than EC2's bucket of 100 holds.
    const result = await run({ nodes: 150, spreadSeconds: 0.1, executorsPerNode: 1, executorShutdownSeconds: 2 });
    const figures = massFigures(result, 150, 6);

    expect(figures.ec2Throttled).toBeGreaterThan(0);
    expect(figures.listNodes).toBeGreaterThan(0);
    expect(figures).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('runs without limits when the scenario turns them off', async () => {
    const result = await run({ nodes: 40, spreadSeconds: 2, ...small, api: { limits: false } });

    expect(result.load!.api).toMatchObject({ throttled429: 0, maxQueueWaitMs: 0 });
  });
});
