import { describe, expect, it } from 'vitest';
import { massFigures, massScenario, type MassOptions } from '../../bench/mass.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';
import type { SimulationResult } from '../../sandbox/scenario/result.ts';

// A reclaimed Spot pool under the sandbox's default limits: the notice queue and its event source
// mapping, API Priority and Fairness, Lambda's concurrency and cold starts, EC2's request
// throttling. Small pools with short drains, so each run takes a moment; bench/mass.ts runs the
// same scenario at N = 1000.

const run = (options: MassOptions & { api?: Record<string, unknown> }): Promise<SimulationResult> => {
  const scenario = massScenario(options) as { cluster: { api: Record<string, unknown> } };
  if (options.api) Object.assign(scenario.cluster.api, options.api);
  return runScenario(parseScenario(scenario, 'mass scenario'));
};

const small = { executorsPerNode: 4, executorShutdownSeconds: 5 };
const podsPerNode = small.executorsPerNode + 5;

describe('mass reclaim through the notice queue, under the default limits', () => {
  it('cordons and drains every node in a few batches: one read of the pods and one DescribeInstances per batch, no LIST of pods or nodes, cold starts counted', async () => {
    const result = await run({ nodes: 30, spreadSeconds: 10, ...small });
    const figures = massFigures(result, 30, podsPerNode);
    const { queue, lambda, ec2 } = result.load!;

    expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, failedInvocations: 0, executorsKilled: 0, throttled429: 0, listNodes: 0, listPodsPerNode: 0 });
    expect(queue).toMatchObject({ sent: 30, received: 30, receivesPerNotice: 1, deleted: 30, deadLettered: 0, throttled: 0, failedInvocations: 0 });
    expect(queue!.batches).toBeLessThan(30);
    expect(lambda.invocations).toBe(queue!.batches);
    // One streaming list per invocation (of its node's pods, or of every pod for several, then a watch of each node from it), one EC2 call per batch.
    expect(result.load!.api.byVerb['watch pods']).toBeLessThanOrEqual(30 + queue!.batches);
    expect(ec2.describeInstances).toBe(queue!.batches);
    // Its pods, a GET, the cordon and completion PATCHes, two Events, the watch of its node, a share of its batch's read.
    expect(figures.apiRequestsPerNode).toBeLessThanOrEqual(podsPerNode + 6);
    // Every environment starts cold once; a notice waits for its batch (the batching window) and the cold start.
    expect(lambda.coldStarts).toBe(lambda.environments);
    expect(figures.cordonP99Ms).toBeGreaterThanOrEqual(500);
    expect(figures.cordonP99Ms).toBeLessThan(2_500);
  });

  it('without WatchList (Kubernetes 1.33): one refused stream per environment, then one LIST of the pods per batch and a WATCH per node', async () => {
    const result = await run({ nodes: 20, spreadSeconds: 5, ...small, api: { watchList: false } });
    const figures = massFigures(result, 20, podsPerNode);
    const { queue, lambda } = result.load!;

    expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, failedInvocations: 0, executorsKilled: 0 });
    expect(result.load!.api.byVerb['list pods']).toBeLessThanOrEqual(queue!.batches);
    expect(result.load!.api.byVerb['watch pods']).toBeLessThanOrEqual(20 + lambda.environments);
    expect(figures.listPodsPerNode).toBeLessThan(1);
  });

  it('asks EC2 once per batch: a burst of 150 cold lookups at once is no longer throttled, and no node is listed', async () => {
    const result = await run({ nodes: 150, spreadSeconds: 0.1, executorsPerNode: 1, executorShutdownSeconds: 2 });
    const figures = massFigures(result, 150, 6);

    expect(result.load!.ec2.describeInstances).toBeLessThanOrEqual(result.load!.queue!.batches);
    expect(figures).toMatchObject({ ec2Throttled: 0, listNodes: 0, neverCordoned: 0, failedInvocations: 0 });
  });

  it('runs at most maximumConcurrency invocations: later batches wait for a free one, and every node is still handled', async () => {
    const result = await run({ nodes: 40, spreadSeconds: 1, ...small, queue: { batchSize: 5, maximumConcurrency: 2 } });
    const { queue, lambda } = result.load!;

    expect(lambda.peakConcurrency).toBe(2);
    expect(queue!.peakConcurrentBatches).toBe(2);
    expect(queue!.largestBatch).toBe(5);
    expect(queue!.batches).toBeGreaterThanOrEqual(8);
    expect(massFigures(result, 40, podsPerNode)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('scales its pollers as AWS documents: five batches at first, a few more each second while notices wait', async () => {
    const result = await run({ nodes: 60, spreadSeconds: 0.2, executorsPerNode: 1, executorShutdownSeconds: 30, queue: { batchSize: 2, batchingWindowSeconds: 1, maximumConcurrency: 1000 } });
    const starts = result.timeline.filter((e) => e.actor === 'sqs' && e.action === 'batch').map((e) => e.t);
    const first = Math.min(...starts);
    // 300 more per minute: one every 200 ms on top of the first five (the cold start delays when each runs, not when it began).
    expect(starts.filter((t) => t < first + 0.1)).toHaveLength(5);
    expect(result.load!.queue!.peakConcurrentBatches).toBeGreaterThan(5);
    expect(result.load!.queue!.peakConcurrentBatches).toBeLessThanOrEqual(30);
    expect(massFigures(result, 60, 6)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('a reserved concurrency below the mapping\'s maximum throttles batches; the mapping retries them and nothing is lost', async () => {
    const result = await run({ nodes: 12, spreadSeconds: 0.5, ...small, lambda: { reservedConcurrency: 1 }, queue: { batchSize: 2, maximumConcurrency: 4 } });
    const { queue, lambda } = result.load!;

    expect(lambda.peakConcurrency).toBe(1);
    expect(queue!.throttled).toBeGreaterThan(0);
    expect(result.timeline.some((e) => e.actor === 'lambda' && e.action === 'throttled' && e.detail?.startsWith('a batch of'))).toBe(true);
    expect(massFigures(result, 12, podsPerNode)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('keeps draining when API Priority and Fairness rejects requests: 429s retried, no notice fails', async () => {
    // A level of one seat and one queue of two for 40 nodes warned within half a second.
    const result = await run({ nodes: 40, spreadSeconds: 0.5, ...small, api: { limits: { concurrency: 1, queues: 1, handSize: 1, queueLengthLimit: 2 } } });
    const figures = massFigures(result, 40, podsPerNode);

    expect(figures.throttled429).toBeGreaterThan(0);
    expect(figures).toMatchObject({ neverCordoned: 0, failedInvocations: 0, executorsKilled: 0 });
  });

  it('runs without limits when the scenario turns them off', async () => {
    const result = await run({ nodes: 40, spreadSeconds: 2, ...small, api: { limits: false } });

    expect(result.load!.api).toMatchObject({ throttled429: 0, maxQueueWaitMs: 0 });
  });
});

describe('mass reclaim with EventBridge invoking the function per event (queue: false), Lambda\'s own limits', () => {
  const direct = { queue: false } as const;

  it('one streaming list of its node per drain, cold starts counted', async () => {
    const result = await run({ nodes: 30, spreadSeconds: 10, ...small, ...direct });
    const figures = massFigures(result, 30, podsPerNode);

    expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, failedInvocations: 0, executorsKilled: 0, throttled429: 0, listNodes: 0, listPodsPerNode: 0, watchPodsPerNode: 1 });
    expect(result.load!.lambda.coldStarts).toBe(result.load!.lambda.environments);
    const cold = result.invocations.find((i) => i.coldStart)!;
    expect(cold.startedAt - cold.deliveredAt).toBe(500);
  });

  it('throttles events beyond the reserved concurrency and runs them later, each environment reused', async () => {
    const result = await run({ nodes: 6, spreadSeconds: 1, ...small, ...direct, lambda: { reservedConcurrency: 2 } });
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
    const result = await run({ nodes: 12, spreadSeconds: 0.5, ...small, ...direct, lambda: { scalingPer10Seconds: 5 } });
    const created = result.invocations.filter((i) => i.coldStart).map((i) => i.startedAt - 500);
    const first = Math.min(...created);

    expect(created.filter((t) => t < first + 10_000)).toHaveLength(5);
    expect(result.load!.lambda.throttles).toBeGreaterThan(0);
    expect(massFigures(result, 12, podsPerNode)).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });

  it('drops an event Lambda could not run within its maximum age, and says so', async () => {
    // One environment, drains of about 25 s, events a minute old are dropped: the later warnings never run.
    const result = await run({ nodes: 5, spreadSeconds: 1, executorsPerNode: 4, executorShutdownSeconds: 20, ...direct, lambda: { reservedConcurrency: 1, maximumEventAgeSeconds: 60 } });
    const dropped = result.timeline.filter((e) => e.actor === 'lambda' && e.action === 'dropped');

    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]!.detail).toContain('maximum event age (60 s)');
    expect(massFigures(result, 5, podsPerNode).neverCordoned).toBe(dropped.length);
  });

  it('falls back to the node LIST when EC2 throttles a burst of lookups, and still cordons every node', async () => {
    // 150 cold environments at once: more DescribeInstances calls than EC2's bucket of 100 holds.
    const result = await run({ nodes: 150, spreadSeconds: 0.1, executorsPerNode: 1, executorShutdownSeconds: 2, ...direct });
    const figures = massFigures(result, 150, 6);

    expect(figures.ec2Throttled).toBeGreaterThan(0);
    expect(figures.listNodes).toBeGreaterThan(0);
    expect(figures).toMatchObject({ neverCordoned: 0, failedInvocations: 0 });
  });
});
