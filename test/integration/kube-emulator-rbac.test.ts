import { readFileSync } from 'node:fs';
import { ApiException, CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.ts';
import { handleInterruption, type InterruptionReport } from '../../lib/interruption/handle.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import { RecordingLog } from '../../lib/observability/log.ts';
import { InMemoryInstanceDirectory } from '../../sandbox/aws/in-memory-ports.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { SANDBOX_USERS, startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions, type KubeEvent } from '../../sandbox/kube/index.ts';
import { buildPolicy, LIFEGUARD_RBAC_MANIFEST, parseRbacManifest } from '../../sandbox/kube/rbac/manifest.ts';
import { runToEnd } from '../support/fake-kube.ts';
import { executor, nodes, ON_DEMAND_NODE, SPOT_INSTANCE, SPOT_NODE, web } from '../support/scenarios.ts';

/**
 * The emulator authorizes every request as kube-apiserver's RBAC authorizer would, against the
 * manifest Lifeguard ships: Lifeguard's identity is refused what deploy/kubernetes-rbac.yaml does
 * not grant, with the API server's own 403 Status, so an API call added without its rule fails
 * every test that makes it.
 */

const LIFEGUARD = SANDBOX_USERS.lifeguard.name;
const spotEvent = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8')) as { time: string };
const SHIPPED = readFileSync(LIFEGUARD_RBAC_MANIFEST, 'utf8');

let emulator: KubeEmulator | undefined;
let clock: VirtualClock;
let timeline: KubeEvent[];

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: Partial<KubeEmulatorOptions> = {}): Promise<KubeEmulator> {
  clock = new VirtualClock(Date.parse(spotEvent.time) + 2_000);
  timeline = [];
  emulator = await startKubeEmulator({ clock, onEvent: (e) => timeline.push(e), ...options });
  for (const node of nodes) emulator.addNode(node);
  return emulator;
}

/** The Status body of a refused client-node call. */
async function refusal(call: () => Promise<unknown>): Promise<{ code: number; body: unknown }> {
  try {
    await clock.io(call);
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: JSON.parse(error.body as string) };
    throw error;
  }
  throw new Error('the call was allowed');
}

const core = (kc: KubeConfig) => kc.makeApiClient(CoreV1Api);

async function raw(path: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await clock.io(() => fetch(`${emulator!.url}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {}));
  return { status: response.status, body: await response.json() };
}

describe('the emulator enforces the RBAC manifest', () => {
  it('refuses Lifeguard a node deletion with kube-apiserver’s 403 Status, and changes nothing', async () => {
    await start();
    const answer = await refusal(() => core(emulator!.kubeConfig('lifeguard')).deleteNode({ name: SPOT_NODE }));
    expect(answer).toEqual({
      code: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `nodes "${SPOT_NODE}" is forbidden: User "${LIFEGUARD}" cannot delete resource "nodes" in API group "" at the cluster scope`,
        reason: 'Forbidden',
        details: { name: SPOT_NODE, kind: 'nodes' },
        code: 403,
      },
    });
    expect(emulator!.node(SPOT_NODE)).toBeDefined();
    expect(timeline).toContainEqual(expect.objectContaining({ actor: 'api', action: 'forbidden', detail: (answer.body as { message: string }).message }));
    expect(emulator!.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 403, flow: LIFEGUARD, attributes: { verb: 'delete', resource: 'nodes', name: SPOT_NODE } });
  });

  it('refuses a path it does not even serve before looking for it: Lifeguard may not list secrets', async () => {
    await start();
    const answer = await refusal(() => core(emulator!.kubeConfig('lifeguard')).listNamespacedSecret({ namespace: 'default' }));
    expect(answer).toEqual({
      code: 403,
      body: expect.objectContaining({
        message: `secrets is forbidden: User "${LIFEGUARD}" cannot list resource "secrets" in API group "" in the namespace "default"`,
        reason: 'Forbidden',
        details: { kind: 'secrets' },
      }),
    });
    // As the operator the same request gets as far as routing: this emulator serves no secrets.
    expect((await raw('/api/v1/namespaces/default/secrets', 'admin')).status).toBe(404);
  });

  it('names the API group of a grouped resource: Lifeguard writes Events but may not read them', async () => {
    await start();
    const answer = await refusal(() => emulator!.kubeConfig('lifeguard').makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: 'default' }));
    expect(answer.body).toMatchObject({
      message: `events.events.k8s.io is forbidden: User "${LIFEGUARD}" cannot list resource "events" in API group "events.k8s.io" in the namespace "default"`,
      details: { group: 'events.k8s.io', kind: 'events' },
    });
    expect((await raw('/apis/events.k8s.io/v1/namespaces/default/events', 'admin')).status).toBe(200);
  });

  it('gives the anonymous user /version only, answers a token nobody issued with 401, and lets the operator do anything', async () => {
    await start();
    expect(await raw('/api/v1/nodes')).toEqual({
      status: 403,
      body: expect.objectContaining({ message: 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope' }),
    });
    expect(await raw('/api')).toEqual({
      status: 403,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'forbidden: User "system:anonymous" cannot get path "/api"', reason: 'Forbidden', details: {}, code: 403 },
    });
    expect((await raw('/version')).status).not.toBe(403);
    expect(await raw('/api/v1/nodes', 'stolen')).toEqual({
      status: 401,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    });
    expect((await raw('/apis/policy/v1/poddisruptionbudgets', 'admin')).status).toBe(200);
    expect(() => emulator!.kubeConfig('sandbox')).toThrow('kubeConfig: user: no identity "sandbox"; the emulator signs in admin, lifeguard');
  });

  it('binds further identities given by token, and follows a manifest given in place of the shipped one', async () => {
    const manifest = SHIPPED.replace('verbs: ["get", "list", "patch"]', 'verbs: ["get", "list"]');
    await start({ rbacManifest: manifest, users: { auditor: { name: 'jane', groups: ['lifeguard:node-drainer'] } } });
    const patch = () => core(emulator!.kubeConfig('auditor')).patchNode({ name: SPOT_NODE, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    expect((await refusal(patch)).body).toMatchObject({ message: expect.stringContaining('User "jane" cannot patch resource "nodes"') });
    expect(await clock.io(() => core(emulator!.kubeConfig('auditor')).readNode({ name: SPOT_NODE }))).toMatchObject({ metadata: { name: SPOT_NODE } });
  });

  it('adds why to a refusal when a binding names a role nobody defined, as kube-apiserver does', async () => {
    await start({ rbacManifest: SHIPPED.replace(/(roleRef:[\s\S]*?name: )lifeguard-node-drainer/, '$1lifeguard-drainer') });
    const answer = await refusal(() => core(emulator!.kubeConfig('lifeguard')).readNode({ name: SPOT_NODE }));
    expect((answer.body as { message: string }).message).toBe(
      `nodes "${SPOT_NODE}" is forbidden: User "${LIFEGUARD}" cannot get resource "nodes" in API group "" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "lifeguard-drainer" not found`,
    );
  });

  it('refuses options it cannot honour, naming them', async () => {
    const clock = new VirtualClock(0);
    await expect(startKubeEmulator({ clock, users: { admin: { name: 'x', groups: [] } } })).rejects.toThrow('kube emulator options: users: admin: admin and lifeguard are built in');
    await expect(startKubeEmulator({ clock, rbacManifest: SHIPPED.replace('verbs: ["create"]', 'verbs: []') })).rejects.toThrow(
      'kube emulator options: rbacManifest: document 1 (ClusterRole lifeguard-node-drainer): rules.2.verbs: verbs must contain at least one value',
    );
  });
});

/** Lifeguard's handler, as deployed, on a Spot warning for the node: through the real client, signed in as Lifeguard. */
async function handleSpotWarning(options: { instances?: boolean } = {}): Promise<InterruptionReport> {
  const log = new RecordingLog();
  const kube = createKubeApi(emulator!.kubeConfig('lifeguard'), { clock, log, random: () => 0.5 });
  const instances = options.instances ? { instances: new InMemoryInstanceDirectory({ [SPOT_INSTANCE]: SPOT_NODE }) } : {};
  const deps = { config: parseConfig({ eks: [{ name: 'spark' }] }), clock, log, kube, nodes: new NodeIndex(kube, { clock, ...instances }), clusterName: 'spark', random: () => 0.5 };
  return runToEnd(clock, handleInterruption(spotEvent, deps));
}

describe('a manifest without a rule the engine needs', () => {
  it('makes every eviction of the drain fail with 403 and the invocation fail: the cordon lands, no pod leaves', async () => {
    const withoutEviction = SHIPPED.replace(/\n {2}# Evict through the Eviction API[^\n]*\n(?: {2}.*\n){3}/, '\n');
    expect(withoutEviction).not.toContain('pods/eviction');
    await start({ rbacManifest: withoutEviction });
    emulator!.addPod(executor('exec-1'));
    emulator!.addPod(web('web-a', SPOT_NODE));

    // Lambda retries the failed invocation, then hands the event to the on-failure queue.
    await expect(handleSpotWarning()).rejects.toThrow(/^drain of ip-10-0-1-10\.ec2\.internal hit permanent Kubernetes API errors: /);

    const evictions = emulator!.requests.filter((r) => r.operation === 'evict-pod');
    expect(evictions.map((r) => `${r.status} ${r.path}`)).toEqual([
      '403 /api/v1/namespaces/spark/pods/exec-1/eviction',
      '403 /api/v1/namespaces/default/pods/web-a/eviction',
    ]);
    const refusals = timeline.filter((e) => e.action === 'forbidden').map((e) => e.detail);
    expect(refusals).toEqual([
      `pods "exec-1" is forbidden: User "${LIFEGUARD}" cannot create resource "pods/eviction" in API group "" in the namespace "spark"`,
      `pods "web-a" is forbidden: User "${LIFEGUARD}" cannot create resource "pods/eviction" in API group "" in the namespace "default"`,
    ]);
    expect(emulator!.pods().filter((p) => p.spec.nodeName === SPOT_NODE && !p.metadata.deletionTimestamp)).toHaveLength(2);
    expect(emulator!.node(SPOT_NODE)!.spec.unschedulable).toBe(true);
  });
});

/** Every `verb group/resource` the shipped manifest grants Lifeguard's group. */
function grantedToLifeguard(): string[] {
  const policy = buildPolicy(parseRbacManifest(SHIPPED, LIFEGUARD_RBAC_MANIFEST));
  const grants = new Set<string>();
  for (const binding of policy.clusterRoleBindings) {
    if (!binding.subjects.some((s) => s.kind === 'Group' && SANDBOX_USERS.lifeguard.groups.includes(s.name))) continue;
    for (const rule of policy.clusterRoles.get(binding.roleRef.name) ?? []) {
      // Names or wildcards would need a finer comparison than this one.
      expect(rule.resourceNames).toEqual([]);
      for (const verb of rule.verbs) for (const group of rule.apiGroups) for (const resource of rule.resources) grants.add(`${verb} ${group}/${resource}`);
    }
  }
  return [...grants].sort();
}

/** What Lifeguard's requests needed, as the authorizer saw them. */
function usedByLifeguard(): string[] {
  const used = new Set<string>();
  for (const r of emulator!.requests) {
    if (r.flow !== LIFEGUARD || !r.attributes?.resourceRequest) continue;
    expect(r.status, `${r.method} ${r.path}`).not.toBe(403);
    const { verb, apiGroup, resource, subresource } = r.attributes;
    used.add(`${verb} ${apiGroup}/${resource}${subresource ? `/${subresource}` : ''}`);
  }
  return [...used];
}

describe('least privilege', () => {
  it('the shipped manifest grants exactly what the engine calls: nothing refused, no rule unused', async () => {
    const used = new Set<string>();
    // A node found by its EC2 name (GET), drained with a streaming list; a budget that never
    // allows its pod's eviction: refusals repeated in one Event (created, then patched), then a
    // forced deletion before the deadline.
    await start();
    emulator!.addPod(executor('exec-1'));
    emulator!.addPod(web('web-a', SPOT_NODE, { terminationGracePeriodSeconds: 60, shutdownSeconds: 10 }));
    emulator!.addPod(web('web-b', ON_DEMAND_NODE));
    emulator!.addPdb({ name: 'web', namespace: 'default', selector: { app: 'web' }, minAvailable: 2 });
    const first = await handleSpotWarning({ instances: true });
    expect(first.instances[0]!.drain!.pods.map((p) => `${p.name} ${p.outcome}`).sort()).toEqual(['exec-1 evicted', 'web-a deleted']);
    for (const grant of usedByLifeguard()) used.add(grant);
    await emulator!.close();

    // A node found by listing (no EC2 name), on a server without streaming lists: LIST, then WATCH.
    await start({ watchList: false });
    emulator!.addPod(executor('exec-1'));
    await handleSpotWarning();
    for (const grant of usedByLifeguard()) used.add(grant);

    expect([...used].sort()).toEqual(grantedToLifeguard());
  });
});
