import { describe, expect, it } from 'vitest';
import {
  driver,
  executor,
  nodes,
  ON_DEMAND_NODE,
  OTHER_NODE,
  simulate,
  SPOT_NODE,
  spotWarning,
  terminatingAt,
  web,
  writes,
} from '../support/scenarios.ts';

// Lifeguard's handler, through the real @kubernetes/client-node, against the Kubernetes API
// emulator, on a virtual clock. The Spot warning arrives at t=10 s; the instance dies at t=130 s.

describe('Spot interruption, end to end', () => {
  it('evicts every executor first in line, the other pods with them, and they decommission before the deadline', async () => {
    const result = await simulate({
      cluster: {
        name: 'spark',
        nodes,
        pods: [driver(), executor('exec-1'), executor('exec-2', SPOT_NODE, { shutdownSeconds: 50 }), web('web-a', SPOT_NODE), web('web-b', OTHER_NODE), web('web-c', ON_DEMAND_NODE)],
        pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 }],
        api: { latencyMs: 5 },
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 180,
    });

    // The executors' evictions come first; the web pod's right behind them, not after their decommission.
    const terminating = (pod: string) => result.timeline.findIndex((e) => e.actor === 'kubelet' && e.action === 'terminating' && e.pod === pod);
    expect(terminating('default/web-a')).toBeGreaterThan(Math.max(terminating('spark/exec-1'), terminating('spark/exec-2')));
    expect(terminatingAt(result, 'default/web-a')).toBeLessThan(result.pods['spark/exec-1']!.goneAt!);
    expect(result.pods['spark/exec-1']).toMatchObject({ outcome: 'evicted', ending: 'exited' });
    expect(result.pods['spark/exec-2']).toMatchObject({ outcome: 'evicted', ending: 'exited' });
    expect(result.pods['spark/exec-2']!.goneAt).toBeLessThan(130);
    expect(result.pods['default/web-a']!.outcome).toBe('evicted');
    expect(result.pods['spark/etl-driver']!.outcome).toBe('untouched');
    expect(result.nodes[SPOT_NODE]).toMatchObject({ unschedulable: true, terminatedAt: 130 });
    expect(result.nodes[SPOT_NODE]!.taints).toContainEqual(expect.objectContaining({ key: 'lifeguard.io/interruption', effect: 'NoSchedule' }));
    expect(result.summary).toMatchObject({
      deadlineMet: true,
      podsKilledAtDeadline: 0,
      pdbViolations: 0,
      forcedDeletions: 0,
      executorsDecommissioned: 2,
      executorsKilled: 0,
      errors: [],
    });
    // Resolve the node (one LIST), read it, patch it: three 5 ms round trips.
    expect(result.summary.cordonLatencySeconds).toBe(0.015);
  });

  it('evicts a driver on the interrupted node only after its executors are gone, and reports it at risk', async () => {
    const result = await simulate({
      cluster: { name: 'spark', nodes, pods: [driver(SPOT_NODE), executor('exec-1'), executor('exec-2', SPOT_NODE, { shutdownSeconds: 45 })] },
      events: [{ at: 10, event: spotWarning() }],
      until: 180,
    });

    const driverEvicted = terminatingAt(result, 'spark/etl-driver');
    expect(driverEvicted).toBeGreaterThanOrEqual(result.pods['spark/exec-1']!.goneAt!);
    expect(driverEvicted).toBeGreaterThanOrEqual(result.pods['spark/exec-2']!.goneAt!);
    const drain = result.invocations[0]!.report!.instances[0]!.drain!;
    expect(drain.warnings.map((w) => w.code)).toContain('spark-driver-on-node');
    expect(drain.applications).toContainEqual(expect.objectContaining({ appId: 'spark-0001', driverOnNode: true, executors: 2, executorsGone: 2 }));
    expect(result.timeline).toContainEqual(expect.objectContaining({ actor: 'lifeguard', action: 'event', detail: 'Spark Driver At Risk' }));
  });

  it('backs off on a PDB refusal and evicts once the budget recovers', async () => {
    // Three replicas, at least two available: the second pod on the node must wait for the first one's replacement.
    const result = await simulate({
      cluster: {
        name: 'spark',
        nodes,
        pods: [web('web-a', SPOT_NODE), web('web-b', SPOT_NODE), web('web-c', ON_DEMAND_NODE)],
        pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 }],
        recreateDelaySeconds: 5,
        readyDelaySeconds: 5,
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 180,
    });

    expect(result.timeline.filter((e) => e.action === 'evict-refused-pdb').length).toBeGreaterThan(0);
    const pods = result.invocations[0]!.report!.instances[0]!.drain!.pods;
    const retried = pods.filter((p) => p.attempts > 1);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.outcome).toBe('evicted');
    expect(result.summary).toMatchObject({ deadlineMet: true, forcedDeletions: 0, pdbViolations: 0, podsKilledAtDeadline: 0 });
  });

  it('under Spot, force-deletes a pod its budget never frees, with a grace clamped to the time left, before the deadline', async () => {
    // Two replicas, both must stay available: no eviction can ever be allowed.
    const result = await simulate({
      cluster: {
        name: 'spark',
        nodes,
        pods: [web('web-a', SPOT_NODE, { terminationGracePeriodSeconds: 60, shutdownSeconds: 10 }), web('web-b', ON_DEMAND_NODE)],
        pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 }],
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 180,
    });

    const deletion = result.timeline.find((e) => e.actor === 'api' && e.action === 'delete' && e.pod === 'default/web-a');
    expect(deletion).toBeDefined();
    const pod = result.pods['default/web-a']!;
    expect(pod.outcome).toBe('deleted');
    expect(pod.lifeguard).toMatchObject({ forced: true, outcome: 'deleted' });
    // Deleted before the deadline, with a grace that ends before it (5 s margin by default).
    expect(deletion!.t).toBeLessThan(130);
    expect(deletion!.t + pod.gracePeriodSeconds!).toBeLessThanOrEqual(130 - 5 + 1);
    expect(pod.gracePeriodSeconds!).toBeLessThanOrEqual(60);
    expect(pod.goneAt!).toBeLessThan(130);
    // It was tried through the Eviction API first, and refused.
    expect(result.timeline.filter((e) => e.action === 'evict-refused-pdb' && e.pod === 'default/web-a').length).toBeGreaterThan(0);
    expect(result.summary).toMatchObject({ forcedDeletions: 1, pdbViolations: 0, podsKilledAtDeadline: 0 });
  });

  it('never force-deletes on a rebalance recommendation: it only taints PreferNoSchedule and cordons', async () => {
    const result = await simulate({
      cluster: { name: 'spark', nodes, pods: [executor('exec-1'), web('web-a', SPOT_NODE)] },
      events: [{ at: 10, event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance Rebalance Recommendation', detail: { 'instance-id': 'i-0aaa1111bbbb22220' } } }],
      until: 120,
    });

    expect(writes(result).map((w) => w.action)).toEqual(['patch']);
    expect(result.nodes[SPOT_NODE]!.unschedulable).toBe(true);
    expect(result.nodes[SPOT_NODE]!.taints).toContainEqual(expect.objectContaining({ key: 'lifeguard.io/interruption', effect: 'PreferNoSchedule' }));
    expect(result.pods['spark/exec-1']!.outcome).toBe('untouched');
  });

  it('on a stopping instance (deadline: now) evicts with the pods\' own grace instead of killing them outright', async () => {
    const result = await simulate({
      cluster: { name: 'spark', nodes, pods: [executor('exec-1', SPOT_NODE, { terminationGracePeriodSeconds: 60, shutdownSeconds: 20 }), web('web-a', SPOT_NODE)] },
      events: [{ at: 5, event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': 'i-0aaa1111bbbb22220', state: 'stopping' } } }],
      until: 90,
    });

    expect(result.pods['spark/exec-1']).toMatchObject({ outcome: 'evicted', ending: 'exited', gracePeriodSeconds: 60 });
    expect(result.summary).toMatchObject({ forcedDeletions: 0, executorsDecommissioned: 1, executorsKilled: 0 });
  });

  it('does nothing the second time one event is delivered', async () => {
    const event = spotWarning(undefined, { id: '7e2b8a50-3c4d-4e5f-9a0b-1c2d3e4f5a6b', time: '2026-01-01T00:00:10Z' });
    const result = await simulate({
      cluster: { name: 'spark', nodes, pods: [executor('exec-1'), web('web-a', SPOT_NODE)] },
      events: [
        { at: 10, event },
        { at: 90, event },
      ],
      until: 180,
    });

    expect(result.invocations).toHaveLength(2);
    expect(result.invocations[1]!.report!.instances[0]!.status).toBe('duplicate');
    expect(writes(result).filter((w) => w.t >= 90)).toEqual([]);
    expect(result.summary.errors).toEqual([]);
  });

  it('changes nothing for an instance that is no node of the cluster', async () => {
    const result = await simulate({
      cluster: { name: 'spark', nodes, pods: [executor('exec-1')] },
      events: [{ at: 10, event: spotWarning('i-0fff0000ffff00000') }],
      until: 60,
    });

    expect(result.invocations[0]!.report!.instances[0]!.status).toBe('ignored');
    expect(writes(result)).toEqual([]);
    expect(result.nodes[SPOT_NODE]!.unschedulable).toBe(false);
  });

  it('survives API faults (429 with Retry-After, 500, dropped connections) and still meets the deadline', async () => {
    const result = await simulate({
      // A seed whose fault draws include every kind (the drain makes fewer requests since it watches).
      seed: 4,
      cluster: {
        name: 'spark',
        nodes,
        pods: [driver(), executor('exec-1'), executor('exec-2'), executor('exec-3'), web('web-a', SPOT_NODE), web('web-b', OTHER_NODE)],
        pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, maxUnavailable: 1 }],
        api: { latencyMs: 5, faults: { rate: 0.3, statuses: [429, 500, 503, 'reset'], retryAfterSeconds: 1 } },
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 180,
    });

    const faults = result.timeline.filter((e) => e.action === 'fault');
    expect(faults.length).toBeGreaterThan(3);
    const kinds = new Set(faults.map((f) => f.detail?.split(/[: ]/)[0]));
    expect([...kinds].sort()).toEqual(['429', '500', '503', 'connection']);
    expect(result.summary).toMatchObject({ deadlineMet: true, podsKilledAtDeadline: 0, pdbViolations: 0, executorsDecommissioned: 3, errors: [] });
  });

  it('is deterministic: the same scenario gives the same timeline', async () => {
    const scenario = {
      seed: 3,
      cluster: { name: 'spark', nodes, pods: [executor('exec-1'), web('web-a', SPOT_NODE), web('web-b', OTHER_NODE)], api: { latencyMs: 5, faults: { rate: 0.2, statuses: [500, 'reset'] } } },
      events: [{ at: 10, event: spotWarning() }],
      until: 150,
    };
    const [a, b] = [await simulate(scenario), await simulate(scenario)];
    expect(a.timeline).toEqual(b.timeline);
    expect(a.summary).toEqual(b.summary);
  });
});
