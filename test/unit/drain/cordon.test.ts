import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, EXCLUDE_FROM_LB_LABEL, INTERRUPTION_TAINT_KEY, cordonNode, cordonPatch, markDrained, pointerSegment, type CordonInput } from '../../../lib/drain/cordon.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { silentLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, applyJsonPatch, runToEnd } from '../../support/fake-kube.ts';

const NODE = 'node-a';
const input = (over: Partial<CordonInput> = {}): CordonInput => ({
  nodeName: NODE,
  eventId: 'evt-1',
  kind: 'spot-interruption',
  deadline: Date.parse('2026-01-01T00:02:00Z'),
  effect: 'NoSchedule',
  unschedulable: true,
  ...over,
});

function setup(metadata: Partial<NonNullable<V1Node['metadata']>> = {}) {
  const clock = new VirtualClock();
  const kube = new FakeKube(clock);
  kube.addNode(NODE, 'i-0aaa', metadata);
  const cordon = (i: CordonInput) => runToEnd(clock, cordonNode(i, { kube, clock, log: silentLog }));
  return { clock, kube, cordon };
}

describe('cordonPatch', () => {
  it('escapes / in keys and adds missing parents (taints, annotations)', () => {
    const node: V1Node = { metadata: { name: NODE, resourceVersion: '7', labels: { a: 'b' } }, spec: {} };
    const ops = cordonPatch(node, input(), Date.parse('2026-01-01T00:00:02Z'));
    expect(ops[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '7' });
    expect(ops).toContainEqual({ op: 'add', path: '/spec/taints', value: [{ key: INTERRUPTION_TAINT_KEY, value: 'spot-interruption', effect: 'NoSchedule' }] });
    expect(ops).toContainEqual({ op: 'add', path: '/spec/unschedulable', value: true });
    expect(ops).toContainEqual({ op: 'add', path: '/metadata/labels/node.kubernetes.io~1exclude-from-external-load-balancers', value: 'true' });
    const annotations = ops.find((o) => o.path === '/metadata/annotations');
    expect(annotations?.value).toEqual({
      [ANNOTATIONS.eventId]: 'evt-1',
      [ANNOTATIONS.deadline]: '2026-01-01T00:02:00.000Z',
      [ANNOTATIONS.kind]: 'spot-interruption',
      [ANNOTATIONS.cordonedAt]: '2026-01-01T00:00:02.000Z',
    });
    // And it applies cleanly.
    const patched = applyJsonPatch(structuredClone(node), ops);
    expect(patched.metadata!.labels![EXCLUDE_FROM_LB_LABEL]).toBe('true');
  });

  it('appends to existing taints, writes annotation keys one by one, empty deadline when none, no unschedulable for taint', () => {
    const node: V1Node = {
      metadata: { name: NODE, resourceVersion: '3', annotations: { other: 'x', [ANNOTATIONS.drainedAt]: 'old' } },
      spec: { taints: [{ key: 'dedicated', value: 'spark', effect: 'NoSchedule' }] },
    };
    const ops = cordonPatch(node, input({ deadline: null, unschedulable: false, kind: 'rebalance-recommendation', effect: 'PreferNoSchedule' }), 0);
    expect(ops).toContainEqual({ op: 'add', path: '/spec/taints/-', value: { key: INTERRUPTION_TAINT_KEY, value: 'rebalance-recommendation', effect: 'PreferNoSchedule' } });
    expect(ops.some((o) => o.path === '/spec/unschedulable')).toBe(false);
    expect(ops).toContainEqual({ op: 'add', path: '/metadata/annotations/lifeguard.io~1deadline', value: '' });
    expect(ops).toContainEqual({ op: 'remove', path: '/metadata/annotations/lifeguard.io~1drained-at' });
    expect(ops).toContainEqual({ op: 'add', path: '/metadata/labels', value: { [EXCLUDE_FROM_LB_LABEL]: 'true' } });
  });

  it('never weakens a NoSchedule taint to PreferNoSchedule', () => {
    const node: V1Node = { metadata: { name: NODE, annotations: {} }, spec: { taints: [{ key: INTERRUPTION_TAINT_KEY, value: 'spot-interruption', effect: 'NoSchedule' }] } };
    const ops = cordonPatch(node, input({ kind: 'rebalance-recommendation', effect: 'PreferNoSchedule', eventId: 'evt-2' }), 0);
    expect(ops).toContainEqual({ op: 'replace', path: '/spec/taints/0', value: { key: INTERRUPTION_TAINT_KEY, value: 'rebalance-recommendation', effect: 'NoSchedule' } });
  });

  it('pointerSegment escapes ~ before /', () => {
    expect(pointerSegment('a~b/c')).toBe('a~0b~1c');
  });
});

describe('cordonNode', () => {
  it('patches once; a duplicate (same event, completed) writes nothing; a partial one resumes without a patch', async () => {
    const { kube, cordon, clock } = setup();
    expect(await cordon(input())).toMatchObject({ status: 'cordoned', patched: true, attempts: 1 });
    expect(kube.writes).toHaveLength(1);

    expect(await cordon(input())).toMatchObject({ status: 'resumed', patched: false });
    expect(kube.writes).toHaveLength(1);

    expect(await runToEnd(clock, markDrained(NODE, 'evt-1', { kube, clock, log: silentLog }))).toBe(clock.now() - 10);
    const writes = kube.writeAttempts.length;
    const dup = await cordon(input());
    expect(dup).toMatchObject({ status: 'duplicate', patched: false });
    expect(kube.writeAttempts).toHaveLength(writes);
    expect(dup.cordonedAt).toBe(Date.parse('2026-01-01T00:00:00.010Z'));
  });

  it('a new event on a completed node patches again and clears the old completion marker', async () => {
    const { kube, cordon, clock } = setup();
    await cordon(input({ kind: 'rebalance-recommendation', effect: 'PreferNoSchedule', eventId: 'evt-0', complete: true }));
    expect(kube.node(NODE)!.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeDefined();
    await clock.runUntil(clock.now() + 5_000);
    const r = await cordon(input({ eventId: 'evt-1' }));
    expect(r.status).toBe('cordoned');
    const node = kube.node(NODE)!;
    expect(node.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeUndefined();
    expect(node.metadata!.annotations![ANNOTATIONS.eventId]).toBe('evt-1');
    expect(node.spec!.taints).toEqual([{ key: INTERRUPTION_TAINT_KEY, value: 'spot-interruption', effect: 'NoSchedule' }]);
  });

  it('re-reads and retries on a conflicting write, a bounded number of times', async () => {
    const ok = setup();
    ok.kube.conflictingPatches = 2;
    expect(await ok.cordon(input())).toMatchObject({ status: 'cordoned', attempts: 3 });
    expect(ok.kube.node(NODE)!.spec!.unschedulable).toBe(true);

    const stuck = setup();
    stuck.kube.conflictingPatches = 100;
    await expect(stuck.cordon(input())).rejects.toBeInstanceOf(KubeApiError);
    expect(stuck.kube.callsFor('patchNode')).toHaveLength(5);
  });

  it('reports a node that no longer exists without writing', async () => {
    const { kube, cordon } = setup();
    kube.nodes.clear();
    expect(await cordon(input())).toMatchObject({ status: 'node-gone', patched: false });
    expect(kube.writeAttempts).toHaveLength(0);
  });

  it('markDrained refuses when a newer event took the node over', async () => {
    const { kube, cordon, clock } = setup();
    await cordon(input({ eventId: 'evt-2' }));
    expect(await runToEnd(clock, markDrained(NODE, 'evt-1', { kube, clock, log: silentLog }))).toBeNull();
    expect(kube.node(NODE)!.metadata!.annotations![ANNOTATIONS.drainedAt]).toBeUndefined();
  });
});
