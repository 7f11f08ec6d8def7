import { describe, expect, it } from 'vitest';
import { driver, executor, nodes, ON_DEMAND_NODE, OTHER_NODE, SPOT_NODE, simulate, spotWarning, web } from '../support/scenarios.ts';

/** What `kubectl get events` shows after Lifeguard worked on a node. */
describe('Kubernetes Events', () => {
  it('tells the story of a drain on the node, and of pods only where something needs a look, with the AWS event id', async () => {
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: [driver(SPOT_NODE), executor('exec-1'), web('web-a', SPOT_NODE)] }, events: [{ at: 10, event: spotWarning(undefined, { id: 'aws-evt-1' }) }], until: 300 });
    const story = r.kubeEvents.map((e) => `${e.regarding} ${e.reason}`);
    // No Event per evicted pod: in a mass reclaim that would double every drain's API writes.
    expect(story).toEqual([`Node/${SPOT_NODE} DrainStarted`, 'Pod/spark/etl-driver SparkDriverAtRisk', `Node/${SPOT_NODE} Drained`]);
    expect(r.kubeEvents[0]!.note).toMatch(/^tainted and cordoned: .*; drain: 1 spark-executor, 1 workload, 1 spark-driver/);
    for (const e of r.kubeEvents) expect(e.note).toContain('AWS event aws-evt-1');
    expect(r.kubeEvents.find((e) => e.reason === 'SparkDriverAtRisk')!.type).toBe('Warning');
  });

  it('a refused eviction retried many times is one aggregated event with its count', async () => {
    const r = await simulate({
      cluster: {
        name: 'spark',
        nodes,
        pods: [web('web-a', SPOT_NODE), web('web-b', OTHER_NODE), web('web-c', ON_DEMAND_NODE, { ready: false })],
        pdbs: [{ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 }],
      },
      events: [{ at: 10, event: spotWarning() }],
      until: 300,
    });
    const blocked = r.kubeEvents.filter((e) => e.reason === 'EvictionBlocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ regarding: 'Pod/default/web-a', type: 'Warning' });
    expect(blocked[0]!.count).toBeGreaterThan(5);
    expect(blocked[0]!.lastT).toBeGreaterThan(blocked[0]!.t);
    // Spot lets Lifeguard force it out at the last moment that fits its grace.
    expect(r.kubeEvents.map((e) => e.reason)).toContain('ForceDeleted');
  });

  it('a revert is on the node too', async () => {
    const r = await simulate({ cluster: { name: 'spark', nodes, pods: [] }, events: [{ at: 10, event: { source: 'aws.ec2', 'detail-type': 'EC2 Instance Rebalance Recommendation', detail: { 'instance-id': 'i-0aaa1111bbbb22220' } } }], until: 2000 });
    expect(r.kubeEvents.map((e) => e.reason)).toEqual(['Cordoned', 'Reverted']);
    expect(r.kubeEvents[0]!.t).toBe(10);
    // Not before the 30-minute TTL: the schedule names the next whole minute (1860 s) and fires within it.
    expect(r.kubeEvents[1]!.t).toBeGreaterThanOrEqual(1860);
    expect(r.kubeEvents[1]!.t).toBeLessThan(1920);
  });
});
