import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SimulationResult } from '../../sandbox/scenario/result.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';

// Lifeguard beside another handler of the same Spot warning on the same node (docs/coexistence.md).
// The node ip-10-0-1-10 holds the executors of `etl` (driver on On-Demand), the driver of `report`
// with two of its executors, and a web pod under a budget. The warning arrives at t=10 s. Runs as
// `lifeguard simulate` does (the deployed notice queue's batching: Lifeguard's cordon at 11.5 s),
// so the figures are docs/coexistence.md's.

const SPOT_NODE = 'ip-10-0-1-10.ec2.internal';
const SPARK_PODS = ['spark/etl-exec-1', 'spark/etl-exec-2', 'spark/report-exec-1', 'spark/report-exec-2', 'spark/report-driver'];

function simulate(file: string, otherHandlers?: unknown[]): Promise<SimulationResult> {
  const raw = parse(readFileSync(`sandbox/scenarios/${file}`, 'utf8'), { merge: true }) as { cluster: Record<string, unknown> };
  if (otherHandlers) raw.cluster.otherHandlers = otherHandlers;
  return runScenario(parseScenario(raw));
}

const evictedBy = (result: SimulationResult, actor: string) => result.timeline.filter((e) => e.actor === actor && e.action === 'evict').map((e) => e.pod);

/** The driver of `report` began stopping only after both of its executors were gone. */
function reportOrderHeld(result: SimulationResult): boolean {
  const driverStops = result.pods['spark/report-driver']!.terminatingAt!;
  return ['spark/report-exec-1', 'spark/report-exec-2'].every((e) => result.pods[e]!.goneAt! <= driverStops);
}

describe('beside Karpenter with its interruption queue', () => {
  it('both acting: Karpenter taints karpenter.sh/disrupted and evicts every pod at once, the driver with its executors', async () => {
    const result = await simulate('beside-karpenter.yaml');

    expect(result.timeline.find((e) => e.actor === 'karpenter' && e.action === 'taint')).toMatchObject({ t: 11.01, node: SPOT_NODE, detail: 'karpenter.sh/disrupted:NoSchedule' });
    expect(evictedBy(result, 'karpenter')).toEqual(expect.arrayContaining([...SPARK_PODS, 'default/web-7d9f-a']));
    // Every eviction in the same instant, before Lifeguard's first.
    expect(new Set(SPARK_PODS.map((p) => result.pods[p]!.terminatingAt))).toEqual(new Set([11.02]));
    expect(reportOrderHeld(result)).toBe(false);
    expect(result.summary).toMatchObject({ driversBeforeExecutors: 1, executorsKilled: 0, pdbViolations: 0, deadlineMet: true });
    // Karpenter ends the instance itself once its drain is done, before EC2 would.
    expect(result.nodes[SPOT_NODE]!.terminatedAt).toBeLessThan(130);
  });

  it('EKS Auto Mode does the same: its Karpenter cannot be told to leave Spot warnings alone', async () => {
    const result = await simulate('beside-karpenter.yaml', [{ kind: 'eks-auto-mode' }]);
    expect(evictedBy(result, 'eks-auto-mode')).toEqual(expect.arrayContaining(SPARK_PODS));
    expect(result.summary.driversBeforeExecutors).toBe(1);
  });

  it('recommended: Spark pods annotated karpenter.sh/do-not-disrupt are left to Lifeguard, in its order', async () => {
    const result = await simulate('beside-karpenter-recommended.yaml');

    expect(evictedBy(result, 'karpenter')).toEqual(['default/web-7d9f-a']);
    expect(reportOrderHeld(result)).toBe(true);
    expect(result.summary).toMatchObject({ driversBeforeExecutors: 0, executorsKilled: 0, executorsDecommissioned: 4, pdbViolations: 0, deadlineMet: true });
    // Karpenter waits for the pods it keeps off its list, then terminates the instance.
    const lastGone = Math.max(...SPARK_PODS.map((p) => result.pods[p]!.goneAt!));
    expect(result.nodes[SPOT_NODE]!.terminatedAt).toBeGreaterThanOrEqual(lastGone);
  });

  it('recommended, the other way: without --interruption-queue Karpenter leaves the warning to Lifeguard', async () => {
    const result = await simulate('beside-karpenter.yaml', [{ kind: 'karpenter', interruptionQueue: false }]);

    expect(result.timeline.filter((e) => e.actor === 'karpenter').map((e) => e.action)).toEqual(['ignores']);
    expect(reportOrderHeld(result)).toBe(true);
    expect(result.summary).toMatchObject({ driversBeforeExecutors: 0, executorsKilled: 0, executorsDecommissioned: 4 });
  });
});

describe('beside aws-node-termination-handler', () => {
  it('draining (queue processor, its defaults): evicts every pod at once as kubectl drain does, the driver with its executors', async () => {
    const result = await simulate('beside-karpenter.yaml', [{ kind: 'nth' }]);

    expect(result.timeline.find((e) => e.actor === 'nth')).toMatchObject({ action: 'cordon', t: 11.005 });
    expect(evictedBy(result, 'nth')).toEqual(expect.arrayContaining(SPARK_PODS));
    expect(result.summary).toMatchObject({ driversBeforeExecutors: 1, executorsKilled: 0, pdbViolations: 0 });
  });

  it('with a podTerminationGracePeriod shorter than the decommission, it kills the executors', async () => {
    const result = await simulate('beside-karpenter.yaml', [{ kind: 'nth', podTerminationGracePeriod: 30 }]);
    // Each executor needs 40 to 55 s to migrate its blocks and exit; NTH gives 30.
    expect(result.summary).toMatchObject({ executorsKilled: 4, driversBeforeExecutors: 1 });
  });

  it.each([
    ['IMDS mode with enableSpotInterruptionDraining=false', { kind: 'nth', mode: 'imds', enableSpotInterruptionDraining: false }, []],
    ['cordonOnly', { kind: 'nth', cordonOnly: true }, ['cordon']],
    ['its managed tag off the Spark nodes', { kind: 'nth', nodeSelector: { 'karpenter.sh/nodepool': 'on-demand' } }, []],
  ])('recommended, %s: Lifeguard alone evicts, in its order', async (_, handler, nthActions) => {
    const result = await simulate('beside-karpenter.yaml', [handler]);

    expect(result.timeline.filter((e) => e.actor === 'nth' && e.action !== 'ignores').map((e) => e.action)).toEqual(nthActions);
    expect(reportOrderHeld(result)).toBe(true);
    expect(result.summary).toMatchObject({ driversBeforeExecutors: 0, executorsKilled: 0, executorsDecommissioned: 4, pdbViolations: 0, deadlineMet: true });
  });
});
