import { ApiException, CoreV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions, type KubeEvent } from '../../sandbox/kube/index.ts';

/**
 * The emulator spoken to by the real @kubernetes/client-node, on a virtual clock: every client
 * call is tracked I/O (`clock.io`) and time only moves when the test runs the clock.
 */

const N1 = 'ip-10-0-1-10.ec2.internal';
const N2 = 'ip-10-0-1-11.ec2.internal';
const N3 = 'ip-10-0-2-20.ec2.internal';

let clock: VirtualClock;
let emulator: KubeEmulator;
let core: CoreV1Api;
let policy: PolicyV1Api;
let events: KubeEvent[];

async function start(options: Partial<KubeEmulatorOptions> = {}): Promise<KubeEmulator> {
  const emu = await startKubeEmulator({ clock, onEvent: (e) => events.push(e), ...options });
  const kc = emu.kubeConfig('admin');
  core = kc.makeApiClient(CoreV1Api);
  policy = kc.makeApiClient(PolicyV1Api);
  return emu;
}

function seed(emu: KubeEmulator): void {
  emu.addNode({ name: N1, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a', capacityType: 'SPOT' });
  emu.addNode({ name: N2, instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1b', capacityType: 'SPOT' });
  emu.addNode({ name: N3, instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1a', capacityType: 'ON_DEMAND' });
  emu.addPod({ name: 'etl-driver', namespace: 'spark', node: N3, labels: { 'spark-role': 'driver', 'spark-app-selector': 'spark-1' } });
  const executor = {
    namespace: 'spark',
    node: N1,
    owner: { kind: 'Pod', name: 'etl-driver' },
    preStop: '/opt/decom.sh',
    shutdownSeconds: 40,
  } as const;
  emu.addPod({ ...executor, name: 'etl-exec-1', labels: { 'spark-role': 'executor', 'spark-exec-id': '1' }, terminationGracePeriodSeconds: 100 });
  emu.addPod({ ...executor, name: 'etl-exec-2', labels: { 'spark-role': 'executor', 'spark-exec-id': '2' }, terminationGracePeriodSeconds: 20 });
  for (const [suffix, node] of [['a', N1], ['b', N2], ['c', N3]] as const) {
    emu.addPod({ name: `web-7d9f-${suffix}`, node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-7d9f' }, shutdownSeconds: 5 });
  }
  emu.addPod({ name: 'db-0', node: N2, labels: { app: 'db' }, owner: { kind: 'StatefulSet', name: 'db' }, shutdownSeconds: 2 });
  emu.addPod({ name: 'log-agent-x1', namespace: 'kube-system', node: N1, labels: { app: 'log-agent' }, owner: { kind: 'DaemonSet', name: 'log-agent' } });
  emu.addPdb({ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 });
}

/** Runs one client call to completion, advancing virtual time only as far as it needs. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  let done = false;
  const outcome = clock.io(work).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void outcome.then(() => {
    done = true;
  });
  await clock.runUntil(clock.now() + 3_600_000, () => done);
  const result = await outcome;
  if (!result.ok) throw result.error;
  return result.value;
}

async function apiError(work: () => Promise<unknown>): Promise<{ code: number; status: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await call(work);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string>;
    return { code: e.code, status: JSON.parse(e.body) as Record<string, unknown>, headers: e.headers };
  }
  throw new Error('expected the call to fail');
}

const advance = (seconds: number) => clock.runUntil(clock.now() + seconds * 1000);
const names = (pods: V1Pod[]) => pods.map((p) => p.metadata!.name!).sort();
const evict = (name: string, namespace = 'default', deleteOptions?: object) =>
  core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, ...(deleteOptions ? { deleteOptions } : {}) } });

beforeEach(async () => {
  clock = new VirtualClock();
  events = [];
  emulator = await start();
  seed(emulator);
});

afterEach(async () => {
  await emulator.close();
});

describe('reading', () => {
  it('lists pods with field selectors (node, phase, name, !=, AND)', async () => {
    const onN1 = await call(() => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${N1}` }));
    expect(onN1.kind).toBe('PodList');
    expect(names(onN1.items)).toEqual(['etl-exec-1', 'etl-exec-2', 'log-agent-x1', 'web-7d9f-a']);
    const notExec1 = await call(() => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${N1},metadata.name!=etl-exec-1,status.phase=Running` }));
    expect(names(notExec1.items)).toEqual(['etl-exec-2', 'log-agent-x1', 'web-7d9f-a']);
    const pending = await call(() => core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Pending' }));
    expect(pending.items).toHaveLength(0);
    const bad = await apiError(() => core.listPodForAllNamespaces({ fieldSelector: 'spec.color=blue' }));
    expect(bad.code).toBe(400);
    expect(bad.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', message: 'field label not supported: spec.color' });
  });

  it('lists pods with label selectors (=, !=, in, notin, exists, !exists)', async () => {
    const list = async (labelSelector: string, namespace?: string) =>
      names((await call(() => (namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector })))).items);
    expect(await list('spark-role=executor')).toEqual(['etl-exec-1', 'etl-exec-2']);
    expect(await list('spark-role in (executor, driver),spark-exec-id!=2')).toEqual(['etl-driver', 'etl-exec-1']);
    expect(await list('spark-role notin (executor),app')).toEqual(['db-0', 'log-agent-x1', 'web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c']);
    expect(await list('!spark-role', 'default')).toEqual(['db-0', 'web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c']);
    expect(await list('spark-role', 'spark')).toEqual(['etl-driver', 'etl-exec-1', 'etl-exec-2']);
  });

  it('serves nodes with providerID, zone and capacity-type labels, selectable by label and name', async () => {
    const spot = await call(() => core.listNode({ labelSelector: 'karpenter.sh/capacity-type=spot' }));
    expect(names(spot.items as V1Pod[])).toEqual([N1, N2]);
    const one = await call(() => core.listNode({ fieldSelector: `metadata.name=${N2}` }));
    expect(one.items).toHaveLength(1);
    const node = await call(() => core.readNode({ name: N1 }));
    expect(node.spec?.providerID).toBe('aws:///us-east-1a/i-0aaa1111bbbb22220');
    expect(node.metadata?.labels).toMatchObject({
      'topology.kubernetes.io/zone': 'us-east-1a',
      'eks.amazonaws.com/capacityType': 'SPOT',
      'kubernetes.io/hostname': N1,
    });
    expect(node.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(node.metadata?.creationTimestamp).toBeInstanceOf(Date);
  });

  it('pages lists with limit and continue', async () => {
    const first = await call(() => core.listPodForAllNamespaces({ limit: 4 }));
    expect(first.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)).toEqual([
      'default/db-0',
      'default/web-7d9f-a',
      'default/web-7d9f-b',
      'default/web-7d9f-c',
    ]);
    expect(first.metadata?.remainingItemCount).toBe(4);
    const second = await call(() => core.listPodForAllNamespaces({ limit: 3, _continue: first.metadata!._continue! }));
    const third = await call(() => core.listPodForAllNamespaces({ limit: 3, _continue: second.metadata!._continue! }));
    expect(second.metadata?.remainingItemCount).toBe(1);
    expect(third.metadata?._continue).toBeUndefined();
    expect(names([...first.items, ...second.items, ...third.items])).toEqual(names((await call(() => core.listPodForAllNamespaces())).items));
    expect((await apiError(() => core.listNode({ _continue: 'not a token' }))).code).toBe(400);
  });

  it('answers unknown paths and missing objects with a 404 Status, malformed JSON with a 400 Status', async () => {
    const missing = await apiError(() => core.readNamespacedPod({ name: 'nope', namespace: 'default' }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'pods "nope" not found', code: 404 });
    const raw = await call(() => fetch(`${emulator.url}/api/v1/services`, { headers: { Authorization: 'Bearer admin' } }));
    expect(raw.status).toBe(404);
    expect(await call(() => raw.json())).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    const malformed = await call(() =>
      fetch(`${emulator.url}/api/v1/namespaces/default/pods/web-7d9f-a/eviction`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: 'Bearer admin' }, body: '{"kind": Evic' }),
    );
    expect(malformed.status).toBe(400);
    const body = (await call(() => malformed.json())) as { reason: string; message: string };
    expect(body.reason).toBe('BadRequest');
    expect(body.message).toMatch(/^malformed JSON body: /);
  });
});

describe('patching nodes', () => {
  it('applies a JSON patch with a test guard, and refuses a failed test with 422', async () => {
    const before = await call(() => core.readNode({ name: N1 }));
    const rv = before.metadata!.resourceVersion!;
    const patched = await call(() =>
      core.patchNode({
        name: N1,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: rv },
          { op: 'add', path: '/spec/taints', value: [{ key: 'lifeguard.io/interruption', value: 'spot', effect: 'NoSchedule' }] },
          { op: 'add', path: '/spec/unschedulable', value: true },
          { op: 'add', path: '/metadata/annotations/lifeguard.io~1event-id', value: 'evt-1' },
        ],
      }),
    );
    expect(patched.spec?.unschedulable).toBe(true);
    expect(patched.spec?.taints).toEqual([{ key: 'lifeguard.io/interruption', value: 'spot', effect: 'NoSchedule' }]);
    expect(patched.metadata?.annotations?.['lifeguard.io/event-id']).toBe('evt-1');
    expect(Number(patched.metadata!.resourceVersion)).toBeGreaterThan(Number(rv));
    const failed = await apiError(() => core.patchNode({ name: N1, body: [{ op: 'test', path: '/metadata/resourceVersion', value: rv }] }));
    // As kube-apiserver answers it: the json-patch text stays on the server, the Status has no causes.
    expect(failed.code).toBe(422);
    expect(failed.status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422, message: 'the server rejected our request due to an error in our request', details: {} });
    const duplicate = await apiError(() =>
      core.patchNode({ name: N1, body: [{ op: 'add', path: '/spec/taints/-', value: { key: 'lifeguard.io/interruption', value: 'x', effect: 'NoSchedule' } }] }),
    );
    expect(duplicate.code).toBe(422);
    expect(duplicate.status.message).toContain('spec.taints[1]: Duplicate value');
    expect(events.filter((e) => e.action === 'patch')).toHaveLength(1);
  });

  it('applies merge and strategic-merge patches chosen by content type', async () => {
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const merged = await call(() =>
      core.patchNode({ name: N2, body: { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } }, spec: { unschedulable: true } } }, merge),
    );
    expect(merged.spec?.unschedulable).toBe(true);
    expect(merged.metadata?.labels?.['topology.kubernetes.io/zone']).toBe('us-east-1b');
    expect(merged.metadata?.labels?.['node.kubernetes.io/exclude-from-external-load-balancers']).toBe('true');

    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    const tainted = await call(() =>
      core.patchNode({ name: N2, body: { spec: { taints: [{ key: 'lifeguard.io/interruption', value: 'rebalance', effect: 'PreferNoSchedule' }] } } }, strategic),
    );
    expect(tainted.spec?.taints).toEqual([{ key: 'lifeguard.io/interruption', value: 'rebalance', effect: 'PreferNoSchedule' }]);
    // Uncordon and untaint: null deletes in both flavours.
    const cleared = await call(() => core.patchNode({ name: N2, body: { spec: { unschedulable: null, taints: null } } }, strategic));
    expect(cleared.spec?.unschedulable).toBeUndefined();
    expect(cleared.spec?.taints).toBeUndefined();
    expect(emulator.node(N2)?.spec.unschedulable).toBeUndefined();

    const unsupported = await apiError(() =>
      core.patchNode({ name: N2, body: { spec: {} } }, setHeaderOptions('Content-Type', 'application/apply-patch+yaml')),
    );
    expect(unsupported.code).toBe(415);
  });

  it('refuses a patch carrying a stale resourceVersion with 409 Conflict', async () => {
    const before = await call(() => core.readNode({ name: N3 }));
    const staleRv = before.metadata!.resourceVersion!;
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await call(() => core.patchNode({ name: N3, body: { metadata: { resourceVersion: staleRv, labels: { a: '1' } } } }, merge));
    const conflict = await apiError(() => core.patchNode({ name: N3, body: { metadata: { resourceVersion: staleRv, labels: { a: '2' } } } }, merge));
    expect(conflict.code).toBe(409);
    expect(conflict.status).toMatchObject({
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on nodes "${N3}": the object has been modified; please apply your changes to the latest version and try again`,
    });
    expect(emulator.node(N3)?.metadata.labels?.a).toBe('1');
  });
});

describe('evictions and graceful termination', () => {
  it('evicts (201), then the pod exits after its shutdown time, within its grace', async () => {
    const start = clock.now();
    const answer = await call(() => evict('etl-exec-1', 'spark'));
    // The body is a Status; client-node reads it as a V1Eviction, which keeps only kind/apiVersion.
    expect(answer.kind).toBe('Status');
    expect(emulator.requests.at(-1)).toMatchObject({ operation: 'evict-pod', status: 201 });
    const terminating = await call(() => core.readNamespacedPod({ name: 'etl-exec-1', namespace: 'spark' }));
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(100);
    expect(terminating.metadata?.deletionTimestamp?.getTime()).toBe(start + 100_000);
    expect(terminating.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(['/opt/decom.sh']);
    await clock.runUntil(start + 39_000);
    expect(emulator.pod('spark', 'etl-exec-1')).toBeDefined();
    await clock.runUntil(start + 40_000);
    expect(emulator.pod('spark', 'etl-exec-1')).toBeUndefined();
    const history = emulator.podHistory().find((h) => h.name === 'etl-exec-1')!;
    expect(history).toMatchObject({ cause: 'eviction', ending: 'exited', terminatingAt: start, goneAt: start + 40_000, node: N1, gracePeriodSeconds: 100 });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['evict', 'terminating', 'exited']));
    // Pod-owned executors are not recreated.
    await advance(60);
    expect(emulator.pods().some((p) => p.metadata.name.startsWith('etl-exec-1'))).toBe(false);
  });

  it('SIGKILLs a pod whose shutdown does not fit its grace', async () => {
    const start = clock.now();
    await call(() => evict('etl-exec-2', 'spark'));
    await clock.runUntil(start + 19_999);
    expect(emulator.pod('spark', 'etl-exec-2')).toBeDefined();
    await clock.runUntil(start + 20_000);
    expect(emulator.pod('spark', 'etl-exec-2')).toBeUndefined();
    expect(emulator.podHistory().find((h) => h.name === 'etl-exec-2')).toMatchObject({ ending: 'killed', goneAt: start + 20_000 });
    expect(events.find((e) => e.action === 'killed')).toMatchObject({ actor: 'kubelet', pod: 'spark/etl-exec-2', node: N1 });
  });

  it('refuses with 429 while the budget is spent, and allows once a replacement is Ready elsewhere', async () => {
    const status = async () => (await call(() => policy.listNamespacedPodDisruptionBudget({ namespace: 'default' }))).items[0]!.status!;
    expect(await status()).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
    const start = clock.now();
    await call(() => evict('web-7d9f-a'));
    expect(await status()).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 });

    const refused = await apiError(() => evict('web-7d9f-b'));
    expect(refused.code).toBe(429);
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(refused.status).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] },
    });
    expect(events.some((e) => e.action === 'evict-refused-pdb' && e.pod === 'default/web-7d9f-b')).toBe(true);

    // The ReplicaSet replaces the terminating pod after 10 s, on another node; Ready 5 s later.
    await clock.runUntil(start + 10_000);
    const replacement = emulator.pods().find((p) => p.metadata.name.startsWith('web-7d9f-') && !['web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c'].includes(p.metadata.name))!;
    expect(replacement).toBeDefined();
    expect(replacement.spec.nodeName).not.toBe(N1);
    expect(replacement.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'web-7d9f', controller: true });
    expect((await apiError(() => evict('web-7d9f-b'))).code).toBe(429);
    await clock.runUntil(start + 15_000);
    expect(await status()).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    await call(() => evict('web-7d9f-b'));
    expect(emulator.pod('default', 'web-7d9f-b')?.metadata.deletionTimestamp).toBeDefined();
    expect(events.some((e) => e.actor === 'controller' && e.action === 'recreated')).toBe(true);
  });

  it('grants concurrent evictions no more than the budget allows', async () => {
    const results = await call(() =>
      Promise.allSettled(['web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c'].map((name) => evict(name))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as ApiException<string>).code)).toEqual([429, 429]);
    expect(emulator.pods().filter((p) => p.metadata.labels?.app === 'web' && p.metadata.deletionTimestamp)).toHaveLength(1);
  });

  it('accepts evicting an already terminating pod without spending the budget', async () => {
    await call(() => evict('web-7d9f-a'));
    await call(() => evict('web-7d9f-a'));
    expect(emulator.pdbs()[0]!.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2 });
  });

  it('lets an unready pod go while the budget is met, and counts percentages like Kubernetes', async () => {
    emulator.addPod({ name: 'api-1', node: N1, labels: { app: 'api' }, owner: { kind: 'ReplicaSet', name: 'api-5c' } });
    emulator.addPod({ name: 'api-2', node: N2, labels: { app: 'api' }, owner: { kind: 'ReplicaSet', name: 'api-5c' } });
    emulator.addPod({ name: 'api-3', node: N3, labels: { app: 'api' }, owner: { kind: 'ReplicaSet', name: 'api-5c' }, ready: false });
    emulator.addPdb({ name: 'api', namespace: 'default', selector: { app: 'api' }, maxUnavailable: '34%' });
    // 34% of 3 rounds up to 2 unavailable → 1 must stay healthy; 2 are healthy now.
    expect(emulator.pdbs().find((p) => p.metadata.name === 'api')!.status).toMatchObject({ expectedPods: 3, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 });
    await call(() => evict('api-3'));
    expect(emulator.pdbs().find((p) => p.metadata.name === 'api')!.status).toMatchObject({ disruptionsAllowed: 1 });
    await call(() => evict('api-1'));
    expect((await apiError(() => evict('api-2'))).code).toBe(429);
  });

  it('answers 500 when several budgets select the pod', async () => {
    emulator.addPdb({ name: 'web-too', namespace: 'default', selector: { app: 'web' }, maxUnavailable: 1 });
    const failed = await apiError(() => evict('web-7d9f-c'));
    expect(failed.code).toBe(500);
    expect(failed.status).toMatchObject({ status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
    expect(emulator.pod('default', 'web-7d9f-c')?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('answers 409 when the UID precondition does not match, 404 when the pod is gone', async () => {
    const failed = await apiError(() => evict('etl-exec-1', 'spark', { preconditions: { uid: 'not-the-uid' } }));
    expect(failed.code).toBe(409);
    expect(failed.status.message).toContain('Precondition failed: UID in precondition: not-the-uid');
    const uid = emulator.pod('spark', 'etl-exec-1')!.metadata.uid;
    await call(() => evict('etl-exec-1', 'spark', { preconditions: { uid }, gracePeriodSeconds: 10 }));
    expect(emulator.pod('spark', 'etl-exec-1')?.metadata.deletionGracePeriodSeconds).toBe(10);
    await advance(10);
    expect(emulator.podHistory().find((h) => h.uid === uid)).toMatchObject({ ending: 'killed' });
    expect((await apiError(() => evict('etl-exec-1', 'spark'))).code).toBe(404);
  });

  it('deletes with grace 0 at once (query parameter or DeleteOptions body) and honours the UID precondition', async () => {
    const uid = emulator.pod('default', 'web-7d9f-a')!.metadata.uid;
    const conflict = await apiError(() => core.deleteNamespacedPod({ name: 'web-7d9f-a', namespace: 'default', body: { preconditions: { uid: 'other' } } }));
    expect(conflict.code).toBe(409);
    const deleted = await call(() => core.deleteNamespacedPod({ name: 'web-7d9f-a', namespace: 'default', body: { gracePeriodSeconds: 0, preconditions: { uid } } }));
    expect(deleted.metadata?.uid).toBe(uid);
    expect(emulator.pod('default', 'web-7d9f-a')).toBeUndefined();
    expect(emulator.podHistory().find((h) => h.uid === uid)).toMatchObject({ cause: 'delete', ending: 'killed', gracePeriodSeconds: 0 });

    await call(() => core.deleteNamespacedPod({ name: 'log-agent-x1', namespace: 'kube-system', gracePeriodSeconds: 0 }));
    expect(emulator.pod('kube-system', 'log-agent-x1')).toBeUndefined();
    expect(emulator.podHistory().find((h) => h.name === 'log-agent-x1')).toMatchObject({ ending: 'exited' });
  });

  it('a second delete can shorten a grace period, never extend it', async () => {
    const start = clock.now();
    await call(() => core.deleteNamespacedPod({ name: 'etl-exec-1', namespace: 'spark' }));
    await clock.runUntil(start + 5_000);
    await call(() => core.deleteNamespacedPod({ name: 'etl-exec-1', namespace: 'spark', gracePeriodSeconds: 10 }));
    await call(() => core.deleteNamespacedPod({ name: 'etl-exec-1', namespace: 'spark', gracePeriodSeconds: 300 }));
    await clock.runUntil(start + 15_000);
    expect(emulator.pod('spark', 'etl-exec-1')).toBeUndefined();
    expect(emulator.podHistory().find((h) => h.name === 'etl-exec-1')).toMatchObject({ ending: 'killed', goneAt: start + 15_000 });
  });
});

describe('node termination and controllers', () => {
  it('kills every pod still on the node, leaves the node NotReady, and recreates controller-owned pods elsewhere', async () => {
    await call(() => evict('etl-exec-1', 'spark'));
    const at = clock.now();
    expect(emulator.terminateNode(N1)).toBe(4);
    expect(emulator.pods().filter((p) => p.spec.nodeName === N1)).toHaveLength(0);
    const byName = (name: string) => emulator.podHistory().find((h) => h.name === name)!;
    expect(byName('etl-exec-1')).toMatchObject({ cause: 'eviction', ending: 'killed', goneAt: at });
    expect(byName('etl-exec-2')).toMatchObject({ cause: 'node-termination', ending: 'killed' });
    expect(byName('log-agent-x1')).toMatchObject({ cause: 'node-termination', ending: 'killed' });
    const node = await call(() => core.readNode({ name: N1 }));
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
    expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(events.find((e) => e.action === 'node-terminated')).toMatchObject({ actor: 'node', node: N1 });

    await advance(15);
    const names = emulator.pods().map((p) => p.metadata.name);
    expect(names.filter((n) => n.startsWith('web-7d9f-'))).toHaveLength(3);
    expect(names).not.toContain('log-agent-x1');
    expect(names.filter((n) => n.startsWith('etl-exec'))).toHaveLength(0);
    expect(emulator.pods().every((p) => p.spec.nodeName !== N1)).toBe(true);
  });

  it('brings a StatefulSet pod back under the same name, with a new uid, once the old one is gone', async () => {
    const oldUid = emulator.pod('default', 'db-0')!.metadata.uid;
    const start = clock.now();
    await call(() => evict('db-0'));
    await clock.runUntil(start + 2_000 + 9_999);
    expect(emulator.pod('default', 'db-0')).toBeUndefined();
    await clock.runUntil(start + 12_000);
    const back = emulator.pod('default', 'db-0')!;
    expect(back.metadata.uid).not.toBe(oldUid);
    expect(back.spec.nodeName).not.toBe(N2);
    expect(back.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
    await clock.runUntil(start + 17_000);
    expect(emulator.pod('default', 'db-0')!.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(emulator.podHistory().filter((h) => h.name === 'db-0').map((h) => h.replacementOf)).toEqual([undefined, oldUid]);
  });
});

describe('latency and faults', () => {
  it('adds latencyMs of virtual time to every call', async () => {
    await emulator.close();
    emulator = await start({ latencyMs: 250 });
    seed(emulator);
    const t0 = clock.now();
    await call(() => core.readNode({ name: N1 }));
    expect(clock.now() - t0).toBe(250);
    await call(() => core.listPodForAllNamespaces());
    await call(() => evict('etl-exec-1', 'spark'));
    expect(clock.now() - t0).toBe(750);
    expect(emulator.requests.map((r) => [r.operation, r.status, r.answeredAt - r.at])).toEqual([
      ['get-node', 200, 250],
      ['list-pods', 200, 250],
      ['evict-pod', 201, 250],
    ]);
  });

  it('injects 429 with Retry-After, visible in the client error', async () => {
    await emulator.close();
    emulator = await start({ faults: { rate: 1, statuses: [429], retryAfterSeconds: 7, only: ['evict-pod'] } });
    seed(emulator);
    expect((await call(() => core.listNode())).items).toHaveLength(3);
    const throttled = await apiError(() => evict('web-7d9f-a'));
    expect(throttled.code).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
    expect(emulator.pod('default', 'web-7d9f-a')?.metadata.deletionTimestamp).toBeUndefined();
    expect(events.some((e) => e.action === 'fault')).toBe(true);
  });

  it('resets the connection when asked to', async () => {
    await emulator.close();
    emulator = await start({ faults: { rate: 1, statuses: ['reset'] } });
    seed(emulator);
    const error = await call(() => core.readNode({ name: N1 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApiException);
    expect(String((error as Error).message)).toMatch(/socket hang up|ECONNRESET/);
    expect(emulator.requests[0]).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('draws the same faults for the same seed', async () => {
    const run = async (seedValue: number) => {
      await emulator.close();
      emulator = await start({ seed: seedValue, faults: { rate: 0.5, statuses: [500, 503] } });
      seed(emulator);
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) {
        statuses.push(await call(() => core.readNode({ name: N1 })).then(() => 200, (e: ApiException<string>) => e.code));
      }
      return statuses;
    };
    const first = await run(42);
    expect(first).toContain(200);
    expect(first.some((s) => s === 500 || s === 503)).toBe(true);
    expect(await run(42)).toEqual(first);
    expect(await run(7)).not.toEqual(first);
  });
});

describe('kube emulator: connections', () => {
  it('announces no real-time idle timeout (it closes idle connections on its own clock)', async () => {
    const response = await call(() => fetch(`${emulator.url}/api/v1/nodes`, { headers: { Authorization: 'Bearer admin' } }));
    await call(() => response.text());
    expect(response.headers.get('connection')).toBe('keep-alive');
    // Node's server announces the real-time idle timeout it closes connections after (Keep-Alive: timeout=5).
    expect(response.headers.get('keep-alive')).toBeNull();
  });
});
