import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApi } from '../../../lib/kube/client.ts';
import { isPreconditionFailure, KubeApiError, PATCH_NOT_APPLIED, type KubeApi } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Virtual time at which the request arrived. */
  at: number;
}

/** What the fake API server does with one request: answer, or drop the connection. */
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';

interface FakeApiServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A loopback server answering requests in order from `replies` (the last reply repeats). */
async function fakeApiServer(clock: VirtualClock, replies: Reply[]): Promise<FakeApiServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: clock.now() });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, {
        'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'test-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'tester' }],
    currentContext: 'test',
  });
  return kc;
}

/** Runs `work` to completion on the virtual clock; returns its outcome without throwing. */
async function drive<T>(clock: VirtualClock, work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let done = false;
  const outcome: { value?: T; error?: unknown } = {};
  const running = work().then(
    (value) => { outcome.value = value; },
    (error: unknown) => { outcome.error = error; },
  ).finally(() => { done = true; });
  await clock.runUntil(clock.now() + 10 * 60_000, () => done);
  await running;
  return outcome;
}

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const status = (code: number, reason: string, message: string, details?: unknown) => ({
  kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...(details ? { details } : {}),
});
const pdbRefusal = status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
  causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }],
});

function setup(clock: VirtualClock, url: string, extra: Partial<Parameters<typeof createKubeApi>[1]> = {}): { api: KubeApi; log: RecordingLog } {
  const log = new RecordingLog();
  const api = createKubeApi(kubeConfigFor(url), { clock, log, random: () => 0.5, baseDelayMs: 100, maxDelayMs: 1_000, ...extra });
  return { api, log };
}

describe('createKubeApi', () => {
  it('retries a 500 and then succeeds, after a jittered backoff on the virtual clock', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 500, body: status(500, 'InternalError', 'etcd blip') }, { status: 200, body: node('n1') }]);
    const { api, log } = setup(clock, server.url);
    const start = clock.now();
    const { value, error } = await drive(clock, () => api.getNode('n1'));
    expect(error).toBeUndefined();
    expect(value?.metadata?.name).toBe('n1');
    expect(server.seen).toHaveLength(2);
    // attempt 1: step 100 ms, equal jitter with random 0.5 → 75 ms.
    expect(server.seen[1]!.at - start).toBe(75);
    expect(log.records.some((r) => r.message === 'kubernetes call failed; retrying' && r.extra.status === 500)).toBe(true);
  });

  it('honours Retry-After: the virtual clock advances by exactly that many seconds', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [
      { status: 429, body: 'Too many requests, please try again later.\n', headers: { 'Retry-After': '3' } },
      { status: 200, body: node('n1') },
    ]);
    const { api } = setup(clock, server.url);
    const { value } = await drive(clock, () => api.getNode('n1'));
    expect(value?.metadata?.name).toBe('n1');
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.at - server.seen[0]!.at).toBe(3_000);
  });

  it('gives up at once when Retry-After is longer than allowed, and reports it', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 503, body: status(503, 'ServiceUnavailable', 'busy'), headers: { 'Retry-After': '120' } }]);
    const { api } = setup(clock, server.url, { maxRetryAfterSeconds: 30 });
    const { error } = await drive(clock, () => api.listNodes());
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(503);
    expect((error as KubeApiError).retryAfterSeconds).toBe(120);
    expect(server.seen).toHaveLength(1);
  });

  it('retries a reset connection', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, ['reset', { status: 200, body: { kind: 'NodeList', items: [node('a'), node('b')], metadata: {} } }]);
    const { api } = setup(clock, server.url);
    const { value, error } = await drive(clock, () => api.listNodes());
    expect(error).toBeUndefined();
    expect(value?.map((n) => n.metadata?.name)).toEqual(['a', 'b']);
    expect(server.seen).toHaveLength(2);
  });

  it('throws KubeApiError with the last status once maxAttempts is spent', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 503, body: status(503, 'ServiceUnavailable', 'apiserver overloaded') }]);
    const { api } = setup(clock, server.url, { maxAttempts: 3 });
    const { error } = await drive(clock, () => api.patchNode('n1', [{ op: 'add', path: '/spec/unschedulable', value: true }]));
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(503);
    expect((error as KubeApiError).reason).toBe('ServiceUnavailable');
    expect((error as KubeApiError).message).toContain('apiserver overloaded');
    expect(server.seen).toHaveLength(3);
  });

  it('a failed JSON-patch test (422, the fixed message, no causes) is a precondition failure, not retried', async () => {
    const clock = new VirtualClock();
    // Byte for byte what kube-apiserver sends: NewGenericServerResponse(422) keeps no causes and empty details.
    const server = await fakeApiServer(clock, [{ status: 422, body: status(422, 'Invalid', 'the server rejected our request due to an error in our request', {}) }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.patchNode('n1', [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }]));
    expect((error as KubeApiError).status).toBe(422);
    expect((error as KubeApiError).reason).toBe(PATCH_NOT_APPLIED);
    expect(isPreconditionFailure(error)).toBe(true);
    expect(server.seen).toHaveLength(1);
  });

  it('an invalid object (422 Invalid naming its field) is no precondition failure: it fails at once with the server\'s words', async () => {
    const clock = new VirtualClock();
    const invalid = status(422, 'Invalid', 'Node "n1" is invalid: spec.taints[1]: Duplicate value: {"key":"lifeguard.io/interruption","effect":"NoSchedule"}', {
      name: 'n1',
      kind: 'nodes',
      causes: [{ reason: 'FieldValueDuplicate', message: 'Duplicate value', field: 'spec.taints[1]' }],
    });
    const server = await fakeApiServer(clock, [{ status: 422, body: invalid }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.patchNode('n1', [{ op: 'add', path: '/spec/taints/-', value: { key: 'lifeguard.io/interruption', effect: 'NoSchedule' } }]));
    expect((error as KubeApiError).reason).toBe('Invalid');
    expect((error as KubeApiError).message).toContain('Node "n1" is invalid: spec.taints[1]: Duplicate value');
    expect(isPreconditionFailure(error)).toBe(false);
    expect(server.seen).toHaveLength(1);
  });

  it('returns a PodDisruptionBudget refusal (429 + DisruptionBudget cause) at once, not retried', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 429, body: pdbRefusal }, { status: 201, body: {} }]);
    const { api } = setup(clock, server.url);
    const start = clock.now();
    const { error } = await drive(clock, () => api.evictPod('default', 'web-1', 'uid-1'));
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(429);
    expect((error as KubeApiError).reason).toBe('DisruptionBudget');
    expect(server.seen).toHaveLength(1);
    expect(clock.now()).toBe(start);
  });

  it('retries an eviction throttled by the API server (429 without a PDB cause)', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [
      { status: 429, body: 'Too many requests, please try again later.\n', headers: { 'Retry-After': '1' } },
      { status: 201, body: {} },
    ]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.evictPod('default', 'web-1', 'uid-1'));
    expect(error).toBeUndefined();
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.at - server.seen[0]!.at).toBe(1_000);
  });

  it('does not retry the 500 an eviction gets when several PDBs match the pod', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{
      status: 500,
      body: status(500, 'InternalError', 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'),
    }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.evictPod('default', 'web-1', 'uid-1'));
    expect((error as KubeApiError).status).toBe(500);
    expect(server.seen).toHaveLength(1);
  });

  it('throws 404 on eviction of a pod that is gone (the caller decides it is done)', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 404, body: status(404, 'NotFound', 'pods "web-1" not found') }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.evictPod('default', 'web-1', 'uid-1'));
    expect((error as KubeApiError).status).toBe(404);
    expect((error as KubeApiError).reason).toBe('NotFound');
  });

  it('sends the eviction as policy/v1 with the UID precondition and grace in DeleteOptions', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 201, body: {} }]);
    const { api } = setup(clock, server.url);
    await drive(clock, () => api.evictPod('spark', 'exec-1', 'uid-42', 30));
    const req = server.seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/v1/namespaces/spark/pods/exec-1/eviction');
    expect(req.headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(req.body)).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'exec-1', namespace: 'spark' },
      deleteOptions: { preconditions: { uid: 'uid-42' }, gracePeriodSeconds: 30 },
    });
  });

  it('sends DELETE with the UID precondition and the explicit grace', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 200, body: { kind: 'Pod', metadata: { name: 'exec-1' } } }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.deletePod('spark', 'exec-1', 'uid-42', 7));
    expect(error).toBeUndefined();
    const req = server.seen[0]!;
    expect(req.method).toBe('DELETE');
    expect(req.url).toBe('/api/v1/namespaces/spark/pods/exec-1');
    expect(JSON.parse(req.body)).toMatchObject({ preconditions: { uid: 'uid-42' }, gracePeriodSeconds: 7 });
  });

  it('patches a node as a JSON patch (application/json-patch+json)', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 200, body: node('n1') }]);
    const { api } = setup(clock, server.url);
    const ops = [
      { op: 'test' as const, path: '/metadata/uid', value: 'node-uid' },
      { op: 'add' as const, path: '/spec/unschedulable', value: true },
    ];
    const { value } = await drive(clock, () => api.patchNode('n1', ops));
    expect(value?.metadata?.name).toBe('n1');
    const req = server.seen[0]!;
    expect(req.method).toBe('PATCH');
    expect(req.url).toBe('/api/v1/nodes/n1');
    expect(req.headers['content-type']).toBe('application/json-patch+json');
    expect(JSON.parse(req.body)).toEqual(ops);
  });

  it('lists the pods of one node across namespaces with a field selector', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 200, body: { kind: 'PodList', items: [{ metadata: { name: 'p', namespace: 'ns' } }], metadata: {} } }]);
    const { api } = setup(clock, server.url);
    const { value } = await drive(clock, () => api.listPodsOnNode('ip-10-0-1-10.ec2.internal'));
    expect(value?.items.map((p) => p.metadata?.name)).toEqual(['p']);
    const url = new URL(server.seen[0]!.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/pods');
    expect(url.searchParams.get('fieldSelector')).toBe('spec.nodeName=ip-10-0-1-10.ec2.internal');
  });

  it('returns undefined for a node that does not exist', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 404, body: status(404, 'NotFound', 'nodes "gone" not found') }]);
    const { api } = setup(clock, server.url);
    const { value, error } = await drive(clock, () => api.getNode('gone'));
    expect(error).toBeUndefined();
    expect(value).toBeUndefined();
    expect(server.seen).toHaveLength(1);
  });

  it('follows continue tokens when listing nodes', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [
      { status: 200, body: { kind: 'NodeList', items: [node('a')], metadata: { continue: 'page-2' } } },
      { status: 200, body: { kind: 'NodeList', items: [node('b')], metadata: {} } },
    ]);
    const { api } = setup(clock, server.url);
    const { value } = await drive(clock, () => api.listNodes());
    expect(value?.map((n) => n.metadata?.name)).toEqual(['a', 'b']);
    expect(new URL(server.seen[0]!.url, 'http://x').searchParams.get('limit')).toBe('500');
    expect(new URL(server.seen[1]!.url, 'http://x').searchParams.get('continue')).toBe('page-2');
  });

  it('does not retry an unauthorized call (401): a fresh token is the caller\'s job', async () => {
    const clock = new VirtualClock();
    const server = await fakeApiServer(clock, [{ status: 401, body: status(401, 'Unauthorized', 'Unauthorized') }]);
    const { api } = setup(clock, server.url);
    const { error } = await drive(clock, () => api.listNodes());
    expect((error as KubeApiError).status).toBe(401);
    expect(server.seen).toHaveLength(1);
  });
});
