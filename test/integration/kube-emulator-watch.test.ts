import { Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApi } from '../../lib/kube/client.ts';
import type { KubeApi, KubeApiError, PodWatchEvent } from '../../lib/kube/port.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from '../../sandbox/kube/index.ts';

/**
 * Pod watches against the emulator through the real @kubernetes/client-node (its Watch, under
 * Lifeguard's port): what a drain relies on — changes after a list's resourceVersion, objects
 * entering and leaving the selection, 410 Expired, the server's timeout, no seats held.
 */

const N1 = 'ip-10-0-1-10.ec2.internal';
const N2 = 'ip-10-0-1-11.ec2.internal';
const N3 = 'ip-10-0-2-20.ec2.internal';

let clock: VirtualClock;
let emulator: KubeEmulator;
let kube: KubeApi;

async function start(options: Partial<KubeEmulatorOptions> = {}): Promise<void> {
  clock = new VirtualClock();
  emulator = await startKubeEmulator({ clock, latencyMs: 5, ...options });
  for (const [name, zone] of [[N1, 'a'], [N2, 'b'], [N3, 'a']] as const) emulator.addNode({ name, instanceId: `i-0${name.length}${zone}${name.slice(-14, -13)}aaaabbbbcccc`.slice(0, 19), zone: `us-east-1${zone}` });
  emulator.addPod({ name: 'exec-1', namespace: 'spark', node: N1, labels: { 'spark-role': 'executor' }, preStop: '/opt/decom.sh', shutdownSeconds: 20, terminationGracePeriodSeconds: 60 });
  emulator.addPod({ name: 'web-a', node: N1, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 2 });
  emulator.addPod({ name: 'web-b', node: N2, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 2 });
  kube = createKubeApi(emulator.kubeConfig('lifeguard'), { clock, random: () => 0.5 });
}

afterEach(async () => {
  await emulator?.close();
});

/** Runs the clock until `work` settles. */
async function run<T>(work: () => Promise<T>): Promise<T> {
  let done = false;
  const result = work().finally(() => (done = true));
  await clock.runUntil(clock.now() + 3_600_000, () => done);
  return result;
}

function recorder() {
  const seen: Array<{ at: number; type: PodWatchEvent['type']; name: string; terminating: boolean }> = [];
  const ends: Array<KubeApiError | undefined> = [];
  return {
    seen,
    ends,
    handlers: {
      onEvent: (e: PodWatchEvent) => seen.push({ at: clock.now(), type: e.type, name: e.pod.metadata!.name!, terminating: Boolean(e.pod.metadata?.deletionTimestamp) }),
      onEnd: (error?: KubeApiError) => ends.push(error),
    },
  };
}

describe('pod watch', () => {
  it("delivers a node's pod changes after the list's resourceVersion, in order, as they happen", async () => {
    await start();
    const list = await run(() => kube.listPodsOnNode(N1));
    const r = recorder();
    const watch = await run(() => kube.watchPodsOnNode(N1, list.resourceVersion!, r.handlers));
    const t0 = clock.now();
    await run(() => kube.evictPod('spark', 'exec-1', list.items.find((p) => p.metadata!.name === 'exec-1')!.metadata!.uid!));
    await clock.runUntil(t0 + 30_000);
    watch.stop();
    // The DELETED event carries the object's last state, deletionTimestamp included.
    expect(r.seen.map(({ type, name, terminating }) => `${type} ${name}${terminating ? ' (terminating)' : ''}`)).toEqual(['MODIFIED exec-1 (terminating)', 'DELETED exec-1 (terminating)']);
    // The DELETED arrives when the executor exits (20 s after its eviction), not at a poll.
    expect(r.seen[1]!.at - r.seen[0]!.at).toBe(20_000);
    expect(r.ends).toEqual([]);
    expect(emulator.metrics().requests['watch pods']).toBe(1);
  });

  it('replays what happened between the list and the watch, and sends nothing for pods of other nodes', async () => {
    await start();
    const list = await run(() => kube.listPodsOnNode(N1));
    emulator.terminateNode(N2); // web-b: not on N1
    const web = list.items.find((p) => p.metadata!.name === 'web-a')!;
    await run(() => kube.evictPod('default', 'web-a', web.metadata!.uid!));
    const r = recorder();
    await run(() => kube.watchPodsOnNode(N1, list.resourceVersion!, r.handlers));
    expect(r.seen.map((s) => `${s.type} ${s.name}`)).toEqual(['MODIFIED web-a']);
  });

  it('a pod bound to the watched node is ADDED to that watch', async () => {
    await start();
    const lists = { [N1]: await run(() => kube.listPodsOnNode(N1)), [N3]: await run(() => kube.listPodsOnNode(N3)) };
    const r1 = recorder();
    const r3 = recorder();
    await run(() => kube.watchPodsOnNode(N1, lists[N1].resourceVersion!, r1.handlers));
    await run(() => kube.watchPodsOnNode(N3, lists[N3].resourceVersion!, r3.handlers));
    emulator.terminateNode(N2);
    await clock.runUntil(clock.now() + 20_000);
    const replacement = emulator.pods().find((p) => p.metadata.name.startsWith('web-') && p.metadata.name !== 'web-a')!;
    const onN3 = replacement.spec.nodeName === N3;
    const there = onN3 ? r3 : r1;
    const elsewhere = onN3 ? r1 : r3;
    expect(there.seen.filter((s) => s.name === replacement.metadata.name).map((s) => s.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(elsewhere.seen.filter((s) => s.name === replacement.metadata.name)).toEqual([]);
  });

  it('a resourceVersion older than the kept changes ends the watch with 410 Expired', async () => {
    await start({ watchCacheSize: 2 });
    const list = await run(() => kube.listPodsOnNode(N1));
    emulator.terminateNode(N1);
    emulator.terminateNode(N2); // three deletions: more than the two changes kept
    const r = recorder();
    await run(() => kube.watchPodsOnNode(N1, list.resourceVersion!, r.handlers));
    await clock.runUntil(clock.now() + 1_000);
    expect(r.seen).toEqual([]);
    expect(r.ends.map((e) => [e?.status, e?.reason])).toEqual([[410, 'Expired']]);
  });

  it("ends at the server's timeout without an error, and stop() ends it without onEnd", async () => {
    await start();
    const list = await run(() => kube.listPodsOnNode(N1));
    const timed = createKubeApi(emulator.kubeConfig('lifeguard'), { clock, watchTimeoutSeconds: 30 });
    const r = recorder();
    await run(() => timed.watchPodsOnNode(N1, list.resourceVersion!, r.handlers));
    const stopped = recorder();
    const watch = await run(() => kube.watchPodsOnNode(N1, list.resourceVersion!, stopped.handlers));
    watch.stop();
    await clock.runUntil(clock.now() + 31_000);
    expect(r.ends).toEqual([undefined]);
    expect(stopped.ends).toEqual([]);
  });

  it('without a resourceVersion, starts with an ADDED per pod on the node (client-node Watch, raw)', async () => {
    await start();
    const seen: string[] = [];
    await run(() => new Watch(emulator.kubeConfig('admin')).watch('/api/v1/pods', { fieldSelector: `spec.nodeName=${N1}` }, (type, obj: { metadata: { name: string } }) => seen.push(`${type} ${obj.metadata.name}`), () => {}).then((c) => (clock.schedule(10, () => c.abort()), c)));
    expect(seen.sort()).toEqual(['ADDED exec-1', 'ADDED web-a']);
  });

  it('reads boolean parameters as apimachinery does: watch=True (the official Python client) and watch= are watches, watch=FALSE and watch=0 lists', async () => {
    await start();
    const kinds: Record<string, string> = {};
    for (const value of ['True', 'true', '1', '', 'yes', 'FALSE', '0']) {
      const controller = new AbortController();
      const response = await run(() => clock.io(() => fetch(`${emulator.url}/api/v1/pods?watch=${value}&fieldSelector=spec.nodeName%3D${N1}`, { headers: { authorization: 'Bearer admin' }, signal: controller.signal })));
      const reader = response.body!.getReader();
      const { value: chunk } = await run(() => clock.io(() => reader.read()));
      const first = JSON.parse(new TextDecoder().decode(chunk).split('\n')[0]!) as { type?: string; kind?: string };
      kinds[value] = first.type ? 'watch' : first.kind!;
      controller.abort();
    }
    expect(kinds).toEqual({ True: 'watch', true: 'watch', '1': 'watch', '': 'watch', yes: 'watch', FALSE: 'PodList', '0': 'PodList' });
  });

  it('holds no seat once started: with one seat, requests still go while watches are open', async () => {
    await start({ limits: { concurrency: 1, queues: 1, handSize: 1 } });
    const list = await run(() => kube.listPodsOnNode(N1));
    for (let i = 0; i < 3; i++) await run(() => kube.watchPodsOnNode(N1, list.resourceVersion!, recorder().handlers));
    expect(await run(() => kube.getNode(N3))).toMatchObject({ metadata: { name: N3 } });
    expect(emulator.metrics().throttled).toEqual({ queueFull: 0, timeOut: 0 });
  });

  it('answers a bad selector before any stream with a 400, which the port reports as a refusal', async () => {
    await start();
    const error = await run(() => kube.watchPodsOnNode('bad name,,', '1', recorder().handlers).then(() => undefined, (e: unknown) => e as KubeApiError));
    expect(error?.status).toBe(400);
  });
});

describe('streaming list (WatchList: a WATCH with sendInitialEvents=true)', () => {
  it("resolves with the node's pods once the initial-events bookmark arrives, then carries on with changes, in one request", async () => {
    await start();
    const r = recorder();
    const streamed = await run(() => kube.streamPodsOnNode(N1, r.handlers));
    expect(streamed!.list.items.map((p) => p.metadata!.name).sort()).toEqual(['exec-1', 'web-a']);
    expect(Number(streamed!.list.resourceVersion)).toBeGreaterThan(0);
    const web = streamed!.list.items.find((p) => p.metadata!.name === 'web-a')!;
    await run(() => kube.evictPod('default', 'web-a', web.metadata!.uid!));
    await clock.runUntil(clock.now() + 5_000);
    streamed!.watch.stop();
    expect(r.seen.map((s) => `${s.type} ${s.name}`)).toEqual(['MODIFIED web-a', 'DELETED web-a']);
    const reads = emulator.requests.filter((q) => q.path === '/api/v1/pods');
    expect(reads.map((q) => [q.operation, q.status])).toEqual([['watch-pods', 200]]);
    expect(reads[0]!.query).toContain('sendInitialEvents=true');
    expect(reads[0]!.query).toContain('resourceVersionMatch=NotOlderThan');
  });

  it('a throttled stream is retried like the LIST it replaces, and delivers nothing from the refused tries', async () => {
    await start({ faults: { rate: 0.5, statuses: [429], retryAfterSeconds: 1, only: ['watch-pods'] } });
    const r = recorder();
    const streamed = await run(() => kube.streamPodsOnNode(N1, r.handlers));
    streamed!.watch.stop();
    const tries = emulator.requests.filter((q) => q.operation === 'watch-pods').map((q) => q.status);
    expect(tries.at(-1)).toBe(200);
    expect(tries.slice(0, -1).length).toBeGreaterThan(0);
    expect(new Set(tries.slice(0, -1))).toEqual(new Set([429]));
    expect(streamed!.list.items.map((p) => p.metadata!.name).sort()).toEqual(['exec-1', 'web-a']);
    expect(r.seen).toEqual([]);
  });

  it('without the WatchList feature (1.33 by default): 422 once, undefined, and the client does not ask again', async () => {
    await start({ watchList: false });
    expect(await run(() => kube.streamPodsOnNode(N1, recorder().handlers))).toBeUndefined();
    expect(await run(() => kube.streamPodsOnNode(N3, recorder().handlers))).toBeUndefined();
    expect(emulator.requests.filter((q) => q.operation === 'watch-pods').map((q) => q.status)).toEqual([422]);
  });

  it('checks the options as kube-apiserver does: each refusal a 422 naming its field', async () => {
    await start();
    const base = `${emulator.url}/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D${N1}`;
    const answer = async (query: string) => {
      const response = await run(() => clock.io(() => fetch(`${base}&${query}`, { headers: { Authorization: 'Bearer admin' } })));
      return { code: response.status, fields: ((await response.json()) as { details: { causes: Array<{ field: string }> } }).details.causes.map((c) => c.field) };
    };
    expect(await answer('sendInitialEvents=true&allowWatchBookmarks=true')).toEqual({ code: 422, fields: ['resourceVersionMatch'] });
    expect(await answer('sendInitialEvents=true&resourceVersionMatch=NotOlderThan')).toEqual({ code: 422, fields: ['allowWatchBookmarks'] });
    expect(await answer('resourceVersionMatch=NotOlderThan')).toEqual({ code: 422, fields: ['resourceVersionMatch'] });
  });

  it('is charged like the LIST it replaces while it sends the initial state, and then holds no seat', async () => {
    await start({ limits: { concurrency: 1, queues: 1, handSize: 1 } });
    for (let i = 0; i < 3; i++) await run(() => kube.streamPodsOnNode(N1, recorder().handlers));
    expect(await run(() => kube.getNode(N3))).toMatchObject({ metadata: { name: N3 } });
    expect(emulator.metrics().throttled).toEqual({ queueFull: 0, timeOut: 0 });
  });
});

describe('every pod at once (a batch of drains shares one stream: lib/interruption/pod-feed.ts)', () => {
  it('streams every pod of the cluster without a field selector, then every change, in one request', async () => {
    await start();
    const r = recorder();
    const streamed = await run(() => kube.streamAllPods!(r.handlers));
    expect(streamed!.list.items.map((p) => p.metadata!.name).sort()).toEqual(['exec-1', 'web-a', 'web-b']);
    const web = streamed!.list.items.find((p) => p.metadata!.name === 'web-b')!;
    await run(() => kube.evictPod('default', 'web-b', web.metadata!.uid!));
    await clock.runUntil(clock.now() + 5_000);
    streamed!.watch.stop();
    expect(r.seen.map((s) => `${s.type} ${s.name}`)).toEqual(['MODIFIED web-b', 'DELETED web-b']);
    const reads = emulator.requests.filter((q) => q.path === '/api/v1/pods');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.query).toContain('sendInitialEvents=true');
    expect(reads[0]!.query).not.toContain('fieldSelector');
  });

  it('keeps only the pods asked for; without WatchList, lists every pod (paged, filtered page by page)', async () => {
    await start();
    const onN2 = (pod: { spec?: { nodeName?: string } }) => pod.spec?.nodeName === N2;
    const streamed = await run(() => kube.streamAllPods!(recorder().handlers, onN2));
    streamed!.watch.stop();
    expect(streamed!.list.items.map((p) => p.metadata!.name)).toEqual(['web-b']);

    await emulator.close();
    await start({ watchList: false });
    expect(await run(() => kube.streamAllPods!(recorder().handlers))).toBeUndefined();
    const list = await run(() => kube.listAllPods!(onN2));
    expect(list.items.map((p) => p.metadata!.name)).toEqual(['web-b']);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    expect(emulator.requests.filter((q) => q.path === '/api/v1/pods').map((q) => [q.operation, q.status])).toEqual([
      ['watch-pods', 422],
      ['list-pods', 200],
    ]);
  });
});
