import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { humanDuration } from '../../sandbox/kube/table-rows.ts';

/**
 * What clients nobody here wrote read from the emulator (kubectl, client-go, the official Python
 * client), over plain HTTP: discovery, core/v1 Events as views of events.k8s.io/v1 Events, apps/v1
 * owners, node and pod status, PUT, and server-side Tables. test/integration/kubectl.test.ts drives
 * the real kubectl against the same server.
 */

const N1 = 'ip-10-0-1-10.ec2.internal';
const N2 = 'ip-10-0-1-11.ec2.internal';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** Clients nobody here wrote, signed in as a cluster administrator: what they read, not what RBAC lets them. */
const ADMIN = { authorization: 'Bearer admin' };

let clock: VirtualClock;
let emulator: KubeEmulator;

beforeEach(async () => {
  clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  emulator = await startKubeEmulator({ clock });
  emulator.addNode({ name: N1, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a', capacityType: 'SPOT' });
  emulator.addNode({ name: 'node-b', instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1b' });
  emulator.addNode({ name: N2, instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1b' });
  emulator.addPod({ name: 'log-agent-a', namespace: 'kube-system', node: N1, labels: { app: 'log-agent', tier: 'node' }, owner: { kind: 'DaemonSet', name: 'log-agent' } });
  emulator.addPod({ name: 'log-agent-b', namespace: 'kube-system', node: N2, labels: { app: 'log-agent', tier: 'node' }, owner: { kind: 'DaemonSet', name: 'log-agent' }, ready: false });
  emulator.addPod({ name: 'web-a', node: N1, labels: { app: 'web', pod: 'a' }, owner: { kind: 'ReplicaSet', name: 'web-7d9f' } });
  emulator.addPod({ name: 'web-b', node: N2, labels: { app: 'web', pod: 'b' }, owner: { kind: 'ReplicaSet', name: 'web-7d9f' } });
  emulator.addPod({ name: 'db-0', node: N2, labels: { app: 'db' }, owner: { kind: 'StatefulSet', name: 'db' } });
  emulator.addPod({ name: 'job-x', node: N2, phase: 'Succeeded', owner: { kind: 'Job', name: 'job' } });
  emulator.addPdb({ name: 'web', selector: { app: 'web' }, minAvailable: 1 });
});

afterEach(async () => {
  await emulator.close();
});

// Response bodies are read field by field; each access is checked by the assertion that makes it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

async function request(method: string, path: string, options: { accept?: string; body?: unknown; contentType?: string } = {}) {
  const response = await clock.io(() =>
    fetch(`${emulator.url}${path}`, {
      method,
      headers: { ...ADMIN, ...(options.accept ? { accept: options.accept } : {}), ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    }),
  );
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Doc };
}
const get = (path: string, accept?: string) => request('GET', path, accept ? { accept } : {});

/** An Event as Lifeguard's recorder writes it (events.k8s.io/v1). */
async function recordEvent(name: string, regarding: Record<string, string>, reason: string, extra: Record<string, unknown> = {}) {
  const { status } = await request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
    body: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      eventTime: new Date(clock.now()).toISOString(),
      reportingController: 'lifeguard.io/interruption',
      reportingInstance: 'instance-1',
      action: 'Drain',
      reason,
      regarding: { apiVersion: 'v1', ...regarding },
      note: `${reason} note`,
      type: 'Normal',
      ...extra,
    },
  });
  expect(status).toBe(201);
}

describe('discovery', () => {
  it('serves /version, /api, /apis and the resource lists kubectl reads, in the unaggregated form', async () => {
    expect((await get('/version')).body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0' });
    // client-go asks for aggregated discovery first; a plain application/json answer makes it fall back.
    const api = await get('/api', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json');
    expect(api.contentType).toBe('application/json');
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await get('/apis')).body;
    expect(groups.groups.map((g: { preferredVersion: { groupVersion: string } }) => g.preferredVersion.groupVersion)).toEqual(['apps/v1', 'coordination.k8s.io/v1', 'events.k8s.io/v1', 'policy/v1']);
    expect((await get('/apis/apps')).body).toMatchObject({ kind: 'APIGroup', name: 'apps' });

    const core = (await get('/api/v1')).body;
    const byName = Object.fromEntries(core.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.nodes).toMatchObject({ kind: 'Node', namespaced: false, shortNames: ['no'], verbs: ['get', 'list', 'patch', 'update'] });
    expect(byName.pods).toMatchObject({ kind: 'Pod', namespaced: true, verbs: expect.arrayContaining(['watch', 'delete']) });
    // kubectl drain evicts only when pods/eviction names its group and version.
    expect(byName['pods/eviction']).toMatchObject({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    const apps = (await get('/apis/apps/v1')).body;
    expect(apps.groupVersion).toBe('apps/v1');
    expect(apps.resources.map((r: { name: string }) => r.name)).toEqual(['daemonsets', 'deployments', 'replicasets', 'statefulsets']);
    expect((await get('/apis/batch/v1')).status).toBe(404);
  });
});

describe('core/v1 Events are the events.k8s.io/v1 Events', () => {
  beforeEach(async () => {
    const node = emulator.node(N1)!;
    await recordEvent('n1.drain', { kind: 'Node', name: N1, uid: node.metadata.uid }, 'DrainStarted');
    await recordEvent('web-a.blocked', { kind: 'Pod', name: 'web-a', namespace: 'default' }, 'EvictionBlocked', { type: 'Warning', series: { count: 4, lastObservedTime: new Date(clock.now()).toISOString() } });
  });

  it('converts each field as the API server does', async () => {
    const { body } = await get('/api/v1/namespaces/default/events/n1.drain');
    expect(body).toMatchObject({
      kind: 'Event',
      apiVersion: 'v1',
      involvedObject: { kind: 'Node', name: N1 },
      reason: 'DrainStarted',
      message: 'DrainStarted note',
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      reportingComponent: 'lifeguard.io/interruption',
      reportingInstance: 'instance-1',
      action: 'Drain',
      type: 'Normal',
    });
    expect(body.regarding).toBeUndefined();
  });

  it("answers kubectl describe node's and kubectl get events' field selectors, and refuses what core/v1 does not select on", async () => {
    const names = async (path: string) => (await get(path)).body.items?.map((e: { metadata: { name: string } }) => e.metadata.name);
    const uid = emulator.node(N1)!.metadata.uid;
    expect(await names(`/api/v1/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${N1},involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=${uid}`)}&limit=500`)).toEqual(['n1.drain']);
    // describe also asks with the node's name as uid (the kubelet's convention): Lifeguard's events name the real uid.
    expect(await names(`/api/v1/events?fieldSelector=${encodeURIComponent(`involvedObject.uid=${N1},involvedObject.kind=Node`)}`)).toEqual([]);
    expect(await names('/api/v1/events?fieldSelector=reportingComponent%3Dlifeguard.io%2Finterruption')).toEqual(['n1.drain', 'web-a.blocked']);
    expect(await names('/api/v1/namespaces/default/events?fieldSelector=type%3DWarning,source%3Dlifeguard.io%2Finterruption')).toEqual(['web-a.blocked']);
    expect(await names('/apis/events.k8s.io/v1/events?fieldSelector=regarding.kind%3DPod,reportingController%3Dlifeguard.io%2Finterruption')).toEqual(['web-a.blocked']);
    const refused = await get('/api/v1/events?fieldSelector=regarding.kind%3DNode');
    expect([refused.status, refused.body.message]).toEqual([400, 'field label not supported: regarding.kind']);
  });

  it('prints as the server prints events: the series count, the object, the reporting controller', async () => {
    const { body } = await get('/api/v1/events', TABLE);
    expect(body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    expect(body.rows.map((r: { cells: unknown[] }) => r.cells)).toEqual([
      ['0s', 'Normal', 'DrainStarted', `node/${N1}`, '', 'lifeguard.io/interruption, instance-1', 'DrainStarted note', '0s', 1, 'n1.drain'],
      ['0s', 'Warning', 'EvictionBlocked', 'pod/web-a', '', 'lifeguard.io/interruption, instance-1', 'EvictionBlocked note', '0s', 4, 'web-a.blocked'],
    ]);
  });
});

describe('apps/v1 owners', () => {
  it('serves the DaemonSet a pod names, with the status its pods give it (kubectl drain looks it up)', async () => {
    const ds = (await get('/apis/apps/v1/namespaces/kube-system/daemonsets/log-agent')).body;
    expect(ds).toMatchObject({
      kind: 'DaemonSet',
      metadata: { name: 'log-agent', namespace: 'kube-system' },
      spec: { selector: { matchLabels: { app: 'log-agent', tier: 'node' } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, numberUnavailable: 1 },
    });
    const pod = emulator.pod('kube-system', 'log-agent-a')!;
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'log-agent', uid: ds.metadata.uid });
    expect((await get('/apis/apps/v1/namespaces/default/daemonsets/log-agent')).status).toBe(404);
  });

  it('lists ReplicaSets and StatefulSets with their replicas; Deployments, which no scenario pod names, are an empty list', async () => {
    const rs = (await get('/apis/apps/v1/replicasets')).body;
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]).toMatchObject({ metadata: { name: 'web-7d9f', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } }, status: { replicas: 2, readyReplicas: 2 } });
    expect((await get('/apis/apps/v1/namespaces/default/statefulsets/db')).body).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } });
    expect((await get('/apis/apps/v1/deployments')).body).toMatchObject({ kind: 'DeploymentList', items: [] });
    const table = (await get('/apis/apps/v1/namespaces/kube-system/daemonsets', TABLE)).body;
    expect(table.rows[0].cells).toEqual(['log-agent', 2, 2, 1, 2, 1, '<none>', '0s', 'main', 'sandbox/log-agent-a:latest', 'app=log-agent,tier=node']);
  });
});

describe('node and pod status', () => {
  it('nodes report capacity, allocatable, addresses, node info and the kubelet conditions', () => {
    const node = emulator.node(N1)!;
    expect(node.status.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.1.10' },
      { type: 'InternalDNS', address: N1 },
      { type: 'Hostname', address: N1 },
    ]);
    expect(node.status).toMatchObject({ capacity: { cpu: '4', pods: '58' }, allocatable: { cpu: '3920m' }, nodeInfo: { kubeletVersion: 'v1.32.0', operatingSystem: 'linux' } });
    expect(node.status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    // A node not named after its private IP still gets one.
    expect(emulator.node('node-b')!.status.addresses[0]!.address).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });

  it('running pods have their own IP, their node as host IP and a running container; a replacement gets its IP when it is placed', async () => {
    const pods = emulator.pods();
    const ips = pods.map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(pods.length);
    const web = emulator.pod('default', 'web-a')!;
    expect(web.status).toMatchObject({ hostIP: '10.0.1.10', podIPs: [{ ip: web.status.podIP }], containerStatuses: [{ name: 'main', ready: true, started: true, state: { running: {} } }] });
    expect(emulator.pod('kube-system', 'log-agent-b')!.status.containerStatuses).toMatchObject([{ ready: false }]);
    expect(emulator.pod('default', 'job-x')!.status.containerStatuses).toMatchObject([{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }]);

    await request('POST', '/api/v1/namespaces/default/pods/web-a/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-a' } } });
    await clock.runUntil(clock.now() + 60_000);
    const replacement = emulator.pods().find((p) => p.metadata.name.startsWith('web-7d9f-'))!;
    expect(replacement.status.podIP).toBeDefined();
    expect(ips).not.toContain(replacement.status.podIP);
    expect(replacement.status.containerStatuses).toMatchObject([{ ready: true }]);
  });
});

describe('node leases', () => {
  it("hold each node's heartbeat in kube-node-lease: renewed now while the node is Ready, frozen when it went down", async () => {
    const start = clock.now();
    emulator.terminateNode(N2);
    await clock.runUntil(start + 60_000);
    const lease = (name: string) => get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`).then((r) => r.body);
    expect(await lease(N1)).toMatchObject({ kind: 'Lease', spec: { holderIdentity: N1, leaseDurationSeconds: 40, renewTime: '2026-01-01T00:01:00.000000Z' }, metadata: { ownerReferences: [{ kind: 'Node', name: N1 }] } });
    expect((await lease(N2)).spec.renewTime).toBe('2026-01-01T00:00:00.000000Z');
    expect((await get('/apis/coordination.k8s.io/v1/namespaces/default/leases')).body.items).toEqual([]);
    expect((await get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/nope')).status).toBe(404);
  });
});

describe('PUT of a node', () => {
  it('replaces the node (status stays the server’s), refuses a stale resourceVersion with 409 and another kind with 400', async () => {
    const node = (await get(`/api/v1/nodes/${N2}`)).body;
    const updated = await request('PUT', `/api/v1/nodes/${N2}`, { body: { ...node, spec: { ...node.spec, unschedulable: true }, status: { conditions: [] } } });
    expect(updated.status).toBe(200);
    expect(updated.body.spec.unschedulable).toBe(true);
    expect(updated.body.status.conditions).toHaveLength(4);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(node.metadata.resourceVersion));
    expect(emulator.node(N2)!.spec.unschedulable).toBe(true);

    const stale = await request('PUT', `/api/v1/nodes/${N2}`, { body: node });
    expect([stale.status, stale.body.reason]).toEqual([409, 'Conflict']);
    // No resourceVersion: an unconditional update, which nodes allow.
    const unconditional = await request('PUT', `/api/v1/nodes/${N2}`, { body: { ...node, metadata: { ...node.metadata, resourceVersion: undefined } } });
    expect([unconditional.status, unconditional.body.spec.unschedulable]).toEqual([200, undefined]);
    expect((await request('PUT', `/api/v1/nodes/${N2}`, { body: { ...node, kind: 'Pod' } })).status).toBe(400);
  });
});

describe('Tables (server-side printing)', () => {
  it("answers kubectl get's Accept header with a Table: wide cells included, row objects as metadata", async () => {
    emulator.terminateNode(N2);
    const nodes = await get('/api/v1/nodes', TABLE);
    expect(nodes.contentType).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(nodes.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(nodes.body.metadata.resourceVersion).toBeDefined();
    expect(nodes.body.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 6))).toEqual([
      [N1, 'Ready', '<none>', '0s', 'v1.32.0', '10.0.1.10'],
      [N2, 'NotReady', '<none>', '0s', 'v1.32.0', '10.0.1.11'],
      ['node-b', 'Ready', '<none>', '0s', 'v1.32.0', emulator.node('node-b')!.status.addresses[0]!.address],
    ]);
    expect(nodes.body.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: emulator.node(N1)!.metadata });

    await clock.runUntil(clock.now() + 150_000);
    const pods = (await get('/api/v1/namespaces/default/pods?includeObject=Object', TABLE)).body;
    const web = emulator.pod('default', 'web-a')!;
    expect(pods.columnDefinitions.filter((c: { priority: number }) => c.priority === 1).map((c: { name: string }) => c.name)).toEqual(['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(pods.rows.find((r: { cells: string[] }) => r.cells[0] === 'web-a').cells).toEqual(['web-a', '1/1', 'Running', '0', '2m30s', web.status.podIP, N1, '<none>', '<none>']);
    expect(pods.rows[0].object.kind).toBe('Pod');
  });

  it('prints a single object as a one-row Table; v1beta1 when that is what the client prefers', async () => {
    const table = (await get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/web', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io')).body;
    expect(table).toMatchObject({ apiVersion: 'meta.k8s.io/v1beta1', rows: [{ cells: ['web', '1', 'N/A', 1, '0s'] }] });
  });

  it('answers 406 when nothing the client accepts can be offered, and plain JSON to clients that accept anything', async () => {
    const refused = await get('/api/v1/pods', 'application/vnd.kubernetes.protobuf');
    expect([refused.status, refused.body.reason]).toEqual([406, 'NotAcceptable']);
    expect((await get('/api/v1/pods', '*/*')).body.kind).toBe('PodList');
    expect((await get('/api/v1/pods', 'application/vnd.kubernetes.protobuf, application/json')).body.kind).toBe('PodList');
    expect((await get('/api/v1/pods?includeObject=Everything', TABLE)).status).toBe(400);
  });

  it('sends a watch as one-row Tables, the column definitions only with the first event', async () => {
    const list = (await get('/api/v1/namespaces/default/pods', TABLE)).body;
    const controller = new AbortController();
    const response = await clock.io(() => fetch(`${emulator.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, { headers: { ...ADMIN, accept: TABLE }, signal: controller.signal }));
    const reader = response.body!.getReader();
    const lines: Array<{ type: string; object: Doc }> = [];
    let buffered = '';
    const read = async (count: number) => {
      while (lines.length < count) {
        const { value } = await clock.io(() => reader.read());
        buffered += new TextDecoder().decode(value);
        const complete = buffered.split('\n');
        buffered = complete.pop()!;
        lines.push(...complete.filter(Boolean).map((l) => JSON.parse(l) as (typeof lines)[number]));
      }
    };
    await request('DELETE', '/api/v1/namespaces/default/pods/web-b');
    await read(1);
    await clock.runUntil(clock.now() + 60_000);
    await read(3);
    controller.abort();
    expect(lines.map((l) => `${l.type} ${l.object.kind} ${l.object.rows[0].cells[0]} ${l.object.rows[0].cells[2]}`).slice(0, 2)).toEqual(['MODIFIED Table web-b Terminating', 'DELETED Table web-b Terminating']);
    expect(lines[0]!.object.columnDefinitions).toHaveLength(9);
    expect(new Set(lines.slice(1).map((l) => l.object.columnDefinitions))).toEqual(new Set([null]));
  });
});

it('ages read as the API server writes them (HumanDuration)', () => {
  const s = 1000;
  expect([0, 59 * s, 119 * s, 120 * s, 150 * s, 600 * s, 3 * 3600 * s, 3.5 * 3600 * s, 9 * 3600 * s, 50 * 3600 * s, 400 * 86_400 * s, 800 * 86_400 * s, 3000 * 86_400 * s].map(humanDuration)).toEqual([
    '0s',
    '59s',
    '119s',
    '2m',
    '2m30s',
    '10m',
    '3h',
    '3h30m',
    '9h',
    '2d2h',
    '400d',
    '2y70d',
    '8y',
  ]);
});
