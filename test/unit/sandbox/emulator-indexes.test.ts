import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { createKubeCluster, type KubeCluster } from '../../../sandbox/kube/cluster.ts';
import { POD_FIELDS } from '../../../sandbox/kube/pod-fields.ts';
import { parseFieldSelector } from '../../../sandbox/kube/selectors.ts';
import { followPods } from '../../../sandbox/kube/watch.ts';
import { FakeKube } from '../../support/fake-kube.ts';

/** What the emulator keeps so a thousand drains do not scan or copy the cluster, checked against a scan. */

function cluster(clock = new VirtualClock(0)): KubeCluster {
  const c = createKubeCluster({ clock, seed: 1, recreateDelaySeconds: 10, readyDelaySeconds: 5, watchCacheSize: 1000, onEvent: () => {} });
  for (const [i, name] of ['x', 'y'].entries()) c.addNode({ name, instanceId: `i-0aaa1111bbbb2222${i}`, zone: 'us-east-1a' });
  return c;
}

/** The initial events of a watch of one node's pods, as names. */
function initialEvents(c: KubeCluster, node: string): string[] {
  const names: string[] = [];
  const selection = { namespace: undefined, labels: [], fields: parseFieldSelector(`spec.nodeName=${node}`, POD_FIELDS) };
  const stop = followPods(c.store, selection, undefined, (type, json) => names.push(`${type} ${(JSON.parse(json) as { metadata: { name: string } }).metadata.name}`));
  stop?.();
  return names;
}

/** What a scan of every pod finds on the node, in the store's order. */
const scanned = (c: KubeCluster, node: string) => [...c.store.pods.values()].filter((r) => r.object.spec.nodeName === node).map((r) => `ADDED ${r.object.metadata.name}`);

describe('a watch pinned to one node', () => {
  it("sends the node's pods from the by-node index in the order a scan of every pod meets them, also after a pod moved there", () => {
    const c = cluster();
    c.addPod({ name: 'a', node: 'y' });
    c.addPod({ name: 'b', node: 'x' });
    c.addPod({ name: 'c', node: 'x' });
    // Bound to x after b and c (a replacement that waited for a node): the index holds it last, a scan meets it first.
    c.store.bindPod(c.store.podRecord('default', 'a')!, 'x');
    expect(initialEvents(c, 'x')).toEqual(['ADDED a', 'ADDED b', 'ADDED c']);
    expect(initialEvents(c, 'x')).toEqual(scanned(c, 'x'));
    expect(initialEvents(c, 'y')).toEqual([]);
  });
});

describe("the scheduler's load per node", () => {
  it('counts the pods bound to a node that are not terminating, as a scan would, through evictions, exits and replacements', async () => {
    const clock = new VirtualClock(0);
    const c = cluster(clock);
    for (let i = 0; i < 4; i++) c.addPod({ name: `web-${i}`, node: 'x', owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 20 });
    c.addPod({ name: 'solo', node: 'y', shutdownSeconds: 5 });
    const byScan = (node: string) => c.store.podsOnNode(node).filter((r) => r.object.metadata.deletionTimestamp === undefined).length;
    const check = () => {
      for (const node of ['x', 'y']) expect(c.store.runningPodsOnNode(node)).toBe(byScan(node));
    };
    check();
    expect(c.store.runningPodsOnNode('x')).toBe(4);
    const evict = (name: string) =>
      c.handlers.handle({
        route: { operation: 'evict-pod', method: 'POST', params: { namespace: 'default', name } },
        query: new URLSearchParams(),
        contentType: 'application/json',
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } },
      });
    evict('web-0');
    evict('web-1');
    evict('solo');
    check();
    expect(c.store.runningPodsOnNode('x')).toBe(2);
    // Replacements land 10 s later on the least loaded node; the evicted pods exit after 5 and 20 s.
    for (const t of [5_000, 10_000, 20_000, 30_000]) {
      await clock.runUntil(t);
      check();
    }
    expect(c.store.runningPodsOnNode('x') + c.store.runningPodsOnNode('y')).toBe(4);
    c.terminateNode('x');
    check();
    expect(c.store.runningPodsOnNode('x')).toBe(0);
  });
});

describe('API bodies and the store', () => {
  it("hands a test double's caller a copy: the handlers answer with the store's own objects", async () => {
    const clock = new VirtualClock(0);
    const kube = new FakeKube(clock, 0);
    kube.addNode('n1', 'i-0aaa');
    kube.addPod({ name: 'p', node: 'n1' });
    const node = (await kube.getNode('n1'))!;
    node.metadata!.labels!['changed'] = 'by the caller';
    const [listed] = await kube.listNodes();
    listed!.spec!.unschedulable = true;
    const pods = await kube.listPodsOnNode('n1');
    pods.items[0]!.metadata!.name = 'renamed';
    expect(kube.node('n1')!.metadata!.labels!['changed']).toBeUndefined();
    expect(kube.node('n1')!.spec!.unschedulable).toBeUndefined();
    expect(kube.pod('default', 'p')).toBeDefined();
  });
});

describe("a budget's status", () => {
  it('follows its pods as they come and go, though each budget keeps its selection between changes', async () => {
    const clock = new VirtualClock(0);
    const c = cluster(clock);
    c.addPdb({ name: 'web', namespace: 'default', selector: { app: 'web' }, maxUnavailable: 1 });
    const status = () => c.budgetsOf('default', 'web-0')[0]!.status!;
    const byScan = () => [...c.store.pods.values()].filter((r) => r.object.metadata.labels?.app === 'web').length;
    for (let i = 0; i < 3; i++) c.addPod({ name: `web-${i}`, node: 'x', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 5 });
    c.addPod({ name: 'other', node: 'x', labels: { app: 'other' } });
    await clock.runUntil(10_000);
    expect(status()).toMatchObject({ expectedPods: 3, currentHealthy: 3, disruptionsAllowed: 1 });
    // A pod added after the status was read counts; one that goes stops counting.
    c.addPod({ name: 'web-3', node: 'y', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' } });
    await clock.runUntil(20_000);
    expect(status().currentHealthy).toBe(byScan());
    expect(status()).toMatchObject({ expectedPods: 4, currentHealthy: 4, disruptionsAllowed: 1 });
    c.terminateNode('y');
    expect(status().currentHealthy).toBe(byScan());
    expect(c.budgetsOf('default', 'other')).toEqual([]);
    expect(c.budgetsOf('default', 'nobody')).toEqual([]);
  });
});
