import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.ts';
import { handleForClusters, type ClusterTarget } from '../../../lib/interruption/route.ts';
import { NodeNotListedYetError } from '../../../lib/kube/node-index.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd } from '../../support/fake-kube.ts';

const spot = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8')) as Record<string, unknown>;
const INSTANCE = 'i-0aaa1111bbbb22220';

function world() {
  const clock = new VirtualClock(Date.parse(spot.time as string) + 1000);
  const cluster = (name: string, instances: Record<string, string>): ClusterTarget & { kube: FakeKube } => {
    const kube = new FakeKube(clock);
    for (const [id, node] of Object.entries(instances)) kube.addNode(node, id);
    return { name, kube, nodes: { resolve: async (id: string) => (instances[id] ? { nodeName: instances[id]!, via: 'index' } : undefined) } };
  };
  const a = cluster('alpha', { 'i-0aaa1111bbbb22229': 'a-node' });
  const b = cluster('beta', { [INSTANCE]: 'b-node' });
  const base = { config: parseConfig({ eks: [{ name: 'alpha' }, { name: 'beta' }] }), clock, log: new RecordingLog(), random: () => 0.5 };
  const route = (event: unknown) => runToEnd(clock, handleForClusters(event, [a, b], base));
  return { a, b, route };
}

describe('handleForClusters', () => {
  it('sends an event to the cluster that has its node, and only to it', async () => {
    const { a, b, route } = world();
    const reports = await route(spot);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.instances[0]).toMatchObject({ instanceId: INSTANCE, nodeName: 'b-node', status: 'drained' });
    expect(a.kube.writeAttempts).toHaveLength(0);
    expect(b.kube.writeAttempts.length).toBeGreaterThan(0);
  });

  it('an instance no cluster owns: reported ignored by the first, nothing written anywhere', async () => {
    const { a, b, route } = world();
    const reports = await route({ ...spot, detail: { 'instance-id': 'i-0fff1111bbbb22220', 'instance-action': 'terminate' } });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.instances[0]).toMatchObject({ status: 'ignored', reason: 'instance i-0fff1111bbbb22220 is no node of cluster alpha' });
    expect([...a.kube.writeAttempts, ...b.kube.writeAttempts]).toHaveLength(0);
  });

  it('a cluster that cannot tell yet (its node list must wait) is asked too, and settles it in its own handling: the owner is not held up, nothing is lost', async () => {
    const { a, route } = world();
    let misses = 0;
    a.nodes = {
      resolve: async (id: string) => {
        if (misses++ === 0) throw new NodeNotListedYetError(`instance ${id}: listing again in 20 s`, 20_000);
        return undefined;
      },
    };
    const reports = await route(spot);
    expect(reports.map((r) => r.instances[0]!.status)).toEqual(['ignored', 'drained']);
    expect(reports[1]!.instances[0]).toMatchObject({ nodeName: 'b-node' });
    expect(a.kube.writeAttempts).toHaveLength(0);
  });

  it('a malformed event: one ignored report with the field, no cluster touched', async () => {
    const { a, b, route } = world();
    const reports = await route({ ...spot, detail: {} });
    expect(reports).toEqual([expect.objectContaining({ ignored: true, field: 'detail.instance-id' })]);
    expect([...a.kube.calls, ...b.kube.calls]).toHaveLength(0);
  });

  it('a continuation goes to the cluster it names', async () => {
    const { a, b, route } = world();
    const continuation = { 'lifeguard-continuation': { type: 'resume-drain', cluster: 'beta', nodeName: 'b-node', instanceId: INSTANCE, eventId: spot.id, event: spot } };
    const reports = await route(continuation);
    expect(reports[0]!.instances[0]).toMatchObject({ nodeName: 'b-node', status: 'stale' });
    expect(a.kube.calls).toHaveLength(0);
    expect(b.kube.calls.length).toBeGreaterThan(0);
  });

  it('refuses to run with no cluster configured, saying where to configure one', async () => {
    await expect(handleForClusters(spot, [], { config: parseConfig({}), clock: new VirtualClock(), log: new RecordingLog() })).rejects.toThrow(/config: eks\[\]/);
  });
});
