import { describe, expect, it } from 'vitest';
import { apfFigures, runApfBurst, type ApfBurstOptions } from '../../bench/apf.ts';

// A Spot pool reclaim within 2 s in a cluster of ~25,000 pods, run twice under the sandbox's
// default limits: with kube-apiserver's own API Priority and Fairness configuration, and with
// Lifeguard's deploy/kubernetes-flowcontrol.yaml applied. bench/apf.ts runs the same at larger sizes.
// To keep the run short the cluster holds a tenth of the bystander pods at ten times the per-object
// service time: each drain's pod stream costs the server the seats and time of a 25,000-pod scan.

const NODES = 120;
const SCALED = { bystanderPods: 2_500, limits: { perObjectMs: 0.05 } };

describe('the cordon on the server: Lifeguard’s FlowSchemas and priority levels', () => {
  it('keeps cordon PATCHes out of the drains’ queue: without the manifest they wait behind pod streams and evictions, with it they do not wait', async () => {
    const run = async (flowControl: ApfBurstOptions['flowControl']) => {
      const options = { nodes: NODES, flowControl, ...SCALED };
      const result = await runApfBurst(options);
      return { api: result.load!.api, figures: apfFigures(result, options) };
    };
    const without = await run('default');
    const withManifest = await run('lifeguard');

    // Without: every Lifeguard request is one flow of global-default, saturated by the drains.
    expect(Object.keys(without.api.levels)).toEqual(['global-default']);
    expect(without.api.levels['global-default']!.maxSeatsInUse).toBe(without.api.levels['global-default']!.concurrency);
    // With: node reads and writes in lifeguard-cordon, the rest in lifeguard-drain, nothing left in global-default.
    expect(Object.keys(withManifest.api.levels)).toEqual(['lifeguard-cordon', 'lifeguard-drain']);
    const nodeRequests = ['get nodes', 'list nodes', 'patch nodes'].reduce((sum, key) => sum + (withManifest.api.byVerb[key] ?? 0), 0);
    expect(withManifest.api.levels['lifeguard-cordon']!.requests).toBe(nodeRequests);

    const waited = without.api.queueWaits['patch nodes']!;
    const unqueued = withManifest.api.queueWaits['patch nodes']!;
    expect(waited.p99Ms).toBeGreaterThan(500);
    expect(unqueued.maxMs).toBeLessThan(50);
    expect(without.figures.cordonP99Ms).toBeGreaterThan(2_000);
    expect(withManifest.figures.cordonP99Ms).toBeLessThan(1_000);
    // Both runs cordon and drain every node in time.
    for (const { figures } of [without, withManifest]) expect(figures).toMatchObject({ neverCordoned: 0, deadlineMisses: 0, executorsKilled: 0 });
  }, 180_000);
});
