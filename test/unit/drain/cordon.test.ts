import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, EXCLUDE_FROM_LB_LABEL, INTERRUPTION_TAINT_KEY, cordonApplied, cordonPatch, pointerSegment, revertPatch, type CordonInput } from '../../../lib/drain/cordon.ts';
import { applyJsonPatch } from '../../support/fake-kube.ts';

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

describe('cordonPatch', () => {
  it('escapes / in keys and adds missing parents (taints, annotations)', () => {
    const node: V1Node = { metadata: { name: NODE, resourceVersion: '7', labels: { a: 'b' } }, spec: {} };
    const ops = cordonPatch(node, input(), Date.parse('2026-01-01T00:00:02Z'));
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

describe('cordonApplied and revertPatch: undo only what Lifeguard did', () => {
  const none = { taint: null, cordon: false, excludeLabel: false };

  it('records the cordon and label only when Lifeguard set them', () => {
    const fresh: V1Node = { metadata: { name: NODE, labels: {} }, spec: {} };
    expect(cordonApplied(fresh, none, input())).toEqual({ taint: 'NoSchedule', cordon: true, excludeLabel: true });
    const adminCordoned: V1Node = { metadata: { name: NODE, labels: { [EXCLUDE_FROM_LB_LABEL]: 'true' } }, spec: { unschedulable: true } };
    expect(cordonApplied(adminCordoned, none, input())).toEqual({ taint: 'NoSchedule', cordon: false, excludeLabel: false });
    // What an earlier event of Lifeguard's did stays Lifeguard's.
    expect(cordonApplied(adminCordoned, { taint: 'PreferNoSchedule', cordon: true, excludeLabel: true }, input())).toEqual({ taint: 'NoSchedule', cordon: true, excludeLabel: true });
  });

  it('removes its own taint (guarded by key at that index), the cordon and the label it set, and nothing else', () => {
    const node: V1Node = {
      metadata: { name: NODE, labels: { [EXCLUDE_FROM_LB_LABEL]: 'true', a: 'b' }, annotations: { x: 'y' } },
      spec: { unschedulable: true, taints: [{ key: 'dedicated', effect: 'NoSchedule' }, { key: INTERRUPTION_TAINT_KEY, value: 'rebalance-recommendation', effect: 'PreferNoSchedule' }] },
    };
    const ops = revertPatch(node, { taint: 'PreferNoSchedule', cordon: true, excludeLabel: true }, { 'lifeguard.io/lifecycle': '{}' });
    const reverted = applyJsonPatch(structuredClone(node), ops);
    expect(reverted.spec).toEqual({ taints: [{ key: 'dedicated', effect: 'NoSchedule' }] });
    expect(reverted.metadata!.labels).toEqual({ a: 'b' });
    expect(reverted.metadata!.annotations).toEqual({ x: 'y', 'lifeguard.io/lifecycle': '{}' });
    expect(ops).toContainEqual({ op: 'test', path: '/spec/taints/1/key', value: INTERRUPTION_TAINT_KEY });
  });

  it('leaves an administrator\'s cordon and label in place', () => {
    const node: V1Node = { metadata: { name: NODE, labels: { [EXCLUDE_FROM_LB_LABEL]: 'true' } }, spec: { unschedulable: true, taints: [{ key: INTERRUPTION_TAINT_KEY, effect: 'NoSchedule' }] } };
    const reverted = applyJsonPatch(structuredClone(node), revertPatch(node, { taint: 'NoSchedule', cordon: false, excludeLabel: false }));
    expect(reverted.spec).toEqual({ unschedulable: true, taints: [] });
    expect(reverted.metadata!.labels).toEqual({ [EXCLUDE_FROM_LB_LABEL]: 'true' });
  });
});
