import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../sandbox/kube/patch.ts';
import { scaledValue } from '../../sandbox/kube/pdb.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../sandbox/kube/selectors.ts';
import { ApiStatusError } from '../../sandbox/kube/status.ts';
import { FaultInjector } from '../../sandbox/kube/faults.ts';
import { nodeSpecSchema, pdbSpecSchema, podSpecSchema } from '../../sandbox/kube/index.ts';

/** The emulator's building blocks, table-tested against the Kubernetes / RFC semantics they copy. */

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiStatusError) return error.code;
    throw error;
  }
  return undefined;
}

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'a/b': '1' } }, spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } };

  it.each([
    ['add to array end', [{ op: 'add', path: '/spec/taints/-', value: { key: 'y', effect: 'NoExecute' } }], (r: typeof doc) => r.spec.taints.length === 2],
    ['escaped key', [{ op: 'replace', path: '/metadata/labels/a~1b', value: '2' }], (r: typeof doc) => r.metadata.labels['a/b'] === '2'],
    ['remove array item', [{ op: 'remove', path: '/spec/taints/0' }], (r: typeof doc) => r.spec.taints.length === 0],
    ['move', [{ op: 'move', from: '/metadata/labels/a~1b', path: '/metadata/labels/c' }], (r: typeof doc) => (r.metadata.labels as Record<string, string>).c === '1' && !('a/b' in r.metadata.labels)],
    ['test then copy', [{ op: 'test', path: '/spec/taints/0/key', value: 'x' }, { op: 'copy', from: '/spec/taints/0', path: '/spec/taints/1' }], (r: typeof doc) => r.spec.taints.length === 2],
  ])('%s', (_name, ops, check) => {
    expect(check(applyJsonPatch(doc, ops) as typeof doc)).toBe(true);
    expect(doc.spec.taints).toHaveLength(1); // the input is never mutated
  });

  it.each([
    ['failed test', [{ op: 'test', path: '/spec/taints/0/key', value: 'z' }], 422],
    ['remove missing key', [{ op: 'remove', path: '/metadata/annotations' }], 422],
    ['replace missing key', [{ op: 'replace', path: '/spec/unschedulable', value: true }], 422],
    ['add under missing parent', [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }], 422],
    ['index out of range', [{ op: 'add', path: '/spec/taints/5', value: {} }], 422],
    ['unknown op', [{ op: 'frobnicate', path: '/spec' }], 400],
    ['not an array', { op: 'add' }, 400],
    ['missing value', [{ op: 'add', path: '/spec/x' }], 400],
  ])('%s → %i', (_name, ops, code) => {
    expect(codeOf(() => applyJsonPatch(doc, ops))).toBe(code);
  });

  it('is atomic: a failing later op leaves nothing applied', () => {
    expect(codeOf(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/unschedulable', value: true }, { op: 'test', path: '/spec/unschedulable', value: false }]))).toBe(422);
    expect(doc.spec).not.toHaveProperty('unschedulable');
  });
});

describe('merge and strategic merge patches', () => {
  const node = {
    metadata: { labels: { a: '1', b: '2' }, finalizers: ['f1'] },
    spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
  };

  it('merge patch: objects merge, null deletes, arrays replace', () => {
    const result = applyMergePatch(node, { metadata: { labels: { a: null, c: '3' } }, spec: { taints: [{ key: 'y', effect: 'NoExecute' }] } }) as typeof node;
    expect(result.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(result.spec.taints).toEqual([{ key: 'y', effect: 'NoExecute' }]);
  });

  it('strategic merge: taints (no patch strategy) replace; conditions merge by type; directives work', () => {
    const result = applyStrategicMergePatch(node, {
      spec: { taints: [{ key: 'y', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', $patch: 'delete' }] },
      metadata: { finalizers: ['f2'], labels: { $patch: 'replace', only: 'this' } },
    }) as typeof node;
    expect(result.spec.taints).toEqual([{ key: 'y', effect: 'NoExecute' }]);
    expect(result.status.conditions).toEqual([{ type: 'Ready', status: 'False' }]);
    expect(result.metadata.finalizers).toEqual(['f1', 'f2']);
    expect(result.metadata.labels).toEqual({ only: 'this' });
    const pruned = applyStrategicMergePatch(node, { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] } }) as typeof node;
    expect(pruned.metadata.finalizers).toEqual([]);
    expect(codeOf(() => applyStrategicMergePatch(node, { spec: { $patch: 'explode' } }))).toBe(400);
  });
});

describe('selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/zone': 'a' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web,tier=front', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web, api)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['example.com/zone', true],
    ['!example.com/zone', false],
    ['!missing', true],
    ['app in (api),tier', false],
  ])('label selector %j → %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app=', 'app=we b', 'app in web', '=web', 'app in (we b)'])('rejects %j with 400 unless valid', (selector) => {
    // "app=" is valid (empty value); the others are not.
    const code = codeOf(() => parseLabelSelector(selector));
    expect(code).toBe(selector === 'app=' ? undefined : 400);
  });

  it('field selectors: =, ==, !=, AND, escapes, unsupported fields', () => {
    const supported = ['spec.nodeName', 'status.phase', 'metadata.name'];
    const fields = { 'spec.nodeName': 'n1', 'status.phase': 'Running', 'metadata.name': 'a,b' };
    expect(matchesFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded', supported), fields)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName==n2', supported), fields)).toBe(false);
    expect(matchesFields(parseFieldSelector('metadata.name=a\\,b', supported), fields)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName=', supported), { ...fields, 'spec.nodeName': '' })).toBe(true);
    expect(codeOf(() => parseFieldSelector('spec.hostIP=1.2.3.4', supported))).toBe(400);
    expect(codeOf(() => parseFieldSelector('nonsense', supported))).toBe(400);
  });
});

describe('PodDisruptionBudget arithmetic', () => {
  it.each([
    ['50%', 7, 4],
    ['34%', 3, 2],
    ['100%', 3, 3],
    ['0%', 5, 0],
    [2, 10, 2],
  ] as const)('%s of %i rounds up to %i', (value, total, expected) => {
    expect(scaledValue(value, total)).toBe(expected);
  });
});

describe('faults', () => {
  it('depend on seed and request identity, not on interleaving', () => {
    const draw = (order: string[]) => {
      const faults = new FaultInjector({ rate: 0.5, statuses: [500, 'reset'] }, 9);
      const out = new Map<string, string>();
      for (const path of order) out.set(path, JSON.stringify(faults.decide('POST', path, 'evict-pod')));
      return out;
    };
    const paths = Array.from({ length: 12 }, (_, i) => `/api/v1/namespaces/default/pods/p${i}/eviction`);
    expect(draw(paths)).toEqual(draw([...paths].reverse()));
  });

  it('only hits the operations named in `only`', () => {
    const faults = new FaultInjector({ rate: 1, statuses: [503], only: ['evict-pod'] }, 1);
    expect(faults.decide('GET', '/api/v1/nodes', 'list-nodes')).toBeUndefined();
    expect(faults.decide('POST', '/x/eviction', 'evict-pod')).toEqual({ kind: 'status', status: 503, retryAfterSeconds: 1 });
  });

  it('rejects bad options with the field named', () => {
    expect(() => new FaultInjector({ rate: 2, statuses: [500] }, 1)).toThrow(/faults\.rate/);
  });
});

describe('spec schemas', () => {
  it('name the offending field', () => {
    expect(nodeSpecSchema.safeParse({ name: 'n', instanceId: 'i-123', zone: 'us-east-1a' }).error?.issues[0]?.path).toEqual(['instanceId']);
    expect(podSpecSchema.safeParse({ name: 'p', node: 'n', owner: { kind: 'Deployment', name: 'd' } }).error?.issues[0]?.path).toEqual(['owner']);
    expect(pdbSpecSchema.safeParse({ name: 'b', selector: { app: 'x' }, minAvailable: 1, maxUnavailable: 1 }).success).toBe(false);
    expect(pdbSpecSchema.safeParse({ name: 'b', selector: { app: 'x' }, maxUnavailable: '25%' }).success).toBe(true);
  });
});
