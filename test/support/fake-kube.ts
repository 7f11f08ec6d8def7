import { ApiException, type EventsV1Event, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { classify, type CallKind } from '../../lib/kube/api-failure.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi, type PodList, type PodWatch, type PodWatchHandlers, type StreamedPods } from '../../lib/kube/port.ts';
import type { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { createKubeCluster, type KubeCluster } from '../../sandbox/kube/cluster.ts';
import { applyPatch } from '../../sandbox/kube/patch.ts';
import { POD_FIELDS } from '../../sandbox/kube/pod-fields.ts';
import type { Route } from '../../sandbox/kube/routes.ts';
import { parseFieldSelector } from '../../sandbox/kube/selectors.ts';
import { ApiStatusError } from '../../sandbox/kube/status.ts';
import { followPods } from '../../sandbox/kube/watch.ts';

/** How a test describes a pod. Times are seconds. */
export interface FakePodSpec {
  name: string;
  namespace?: string;
  /** The node it runs on; a node that does not exist yet is added. */
  node: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'Pod'; name: string };
  grace?: number;
  /** A preStop exec command, e.g. ['/opt/decom.sh']. */
  preStop?: string[];
  priorityClassName?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** How long the pod takes to exit once told to terminate; killed at its grace if longer. Default 1. */
  shutdownSeconds?: number;
  /** Already terminating when the test starts (deleted with its own grace). */
  terminating?: boolean;
}

export interface FakePdb {
  namespace: string;
  name: string;
  matchLabels: Record<string, string>;
  minAvailable: number;
}

export interface FakeCall {
  at: number;
  op:
    | 'getNode'
    | 'listNodes'
    | 'patchNode'
    | 'listPodsOnNode'
    | 'watchPodsOnNode'
    | 'streamPodsOnNode'
    | 'listAllPods'
    | 'streamAllPods'
    | 'evictPod'
    | 'deletePod'
    | 'createEvent'
    | 'patchEvent';
  target: string;
  gracePeriodSeconds?: number | undefined;
  /** 200 for any success, else the error's status (0: no answer). */
  status: number;
  ops?: JsonPatchOp[];
}

export interface PodExit {
  at: number;
  /** True when the pod was killed at the end of its grace rather than exiting on its own. */
  killed: boolean;
  /** The grace its termination began with. */
  grace: number;
}

type FaultRule = (call: { op: FakeCall['op']; target: string }) => KubeApiError | undefined;

const WRITE_OPS = new Set<FakeCall['op']>(['patchNode', 'evictPod', 'deletePod']);

/**
 * The KubeApi port in process, over the sandbox's own model of Kubernetes (sandbox/kube/cluster.ts:
 * the store, the API handlers, the kubelets, the workload controllers), so unit tests and the
 * emulator behind the integration tests share one set of semantics: JSON patch and resourceVersion
 * preconditions, eviction with PodDisruptionBudgets, graceful termination, pod watches from a
 * resourceVersion. What this adds is the test's side: a VirtualClock latency per call, a record of
 * every call, injectable faults (answered before the call reaches the cluster) and an
 * evictions-in-flight gauge. Errors are classified as the real client classifies them.
 */
export class FakeKube implements KubeApi {
  readonly calls: FakeCall[] = [];
  readonly faults: FaultRule[] = [];
  /** Faults that strike after the call has landed: the cluster changed, the answer was lost (a 5xx, a reset). */
  readonly lostAnswers: Array<(call: FakeCall) => KubeApiError | undefined> = [];
  /** Node patches that meet a concurrent writer (resourceVersion bumped just before). */
  conflictingPatches = 0;
  maxInFlightEvictions = 0;
  /** Streaming lists served (the WatchList feature); false answers the first with 422, and the client asks no more. */
  watchList = true;
  private streamingRefused = false;
  private inFlightEvictions = 0;
  private readonly cluster: KubeCluster;
  private readonly watchers = new Set<{ handlers: PodWatchHandlers; unsubscribe: () => void }>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs = 10,
  ) {
    this.cluster = createKubeCluster({ clock, seed: 1, recreateDelaySeconds: 10, readyDelaySeconds: 5, watchCacheSize: 20_000, onEvent: () => {} });
  }

  get writes(): FakeCall[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op) && c.status < 300);
  }

  get writeAttempts(): FakeCall[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op));
  }

  /** Pods gone from the API, by namespace/name (the latest pod of that name). */
  get exits(): Map<string, PodExit> {
    const exits = new Map<string, PodExit>();
    for (const h of this.cluster.store.history) {
      if (h.goneAt !== undefined) exits.set(`${h.namespace}/${h.name}`, { at: h.goneAt, killed: h.ending === 'killed', grace: h.gracePeriodSeconds ?? 0 });
    }
    return exits;
  }

  addNode(name: string, instanceId = 'i-0123456789abcdef0', extra: Partial<V1Node['metadata']> = {}): V1Node {
    // Built from a spec the emulator does not re-check: tests use short instance ids.
    this.cluster.insertNode({ name, instanceId, zone: 'us-east-1a', capacityType: 'ON_DEMAND', labels: {}, taints: [], unschedulable: false });
    const node = this.cluster.store.nodes.get(name)!;
    const { labels, ...rest } = extra as Record<string, unknown> & { labels?: Record<string, string> };
    Object.assign(node.metadata, rest, { labels: { ...node.metadata.labels, ...labels } });
    return this.node(name)!;
  }

  addPod(spec: FakePodSpec): V1Pod {
    if (!this.cluster.store.nodes.has(spec.node)) this.addNode(spec.node, `i-${this.cluster.store.nodes.size.toString(16).padStart(17, '0')}`);
    const namespace = spec.namespace ?? 'default';
    this.cluster.addPod({
      name: spec.name,
      namespace,
      node: spec.node,
      labels: spec.labels ?? {},
      annotations: spec.annotations ?? {},
      ...(spec.owner ? { owner: spec.owner } : {}),
      ...(spec.grace !== undefined ? { terminationGracePeriodSeconds: spec.grace } : {}),
      ...(spec.preStop?.[0] ? { preStop: spec.preStop[0] } : {}),
      ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
      ...(spec.phase ? { phase: spec.phase } : {}),
      shutdownSeconds: spec.shutdownSeconds ?? 1,
    });
    const record = this.cluster.store.podRecord(namespace, spec.name)!;
    const hook = record.object.spec.containers[0]?.lifecycle?.preStop?.exec;
    if (hook && spec.preStop) hook.command = [...spec.preStop];
    if (spec.terminating) this.handle({ operation: 'delete-pod', method: 'DELETE', params: { namespace, name: spec.name } }, { body: {} });
    return this.pod(namespace, spec.name)!;
  }

  addPdb(pdb: FakePdb): void {
    this.cluster.addPdb({ namespace: pdb.namespace, name: pdb.name, selector: pdb.matchLabels, minAvailable: pdb.minAvailable });
  }

  /** Every budget goes (an administrator deletes them). */
  removePdbs(): void {
    this.cluster.store.pdbs.clear();
  }

  /** The pod vanishes from the API at once, with no graceful termination (e.g. its node was garbage-collected). */
  removePod(namespace: string, name: string): void {
    const record = this.cluster.store.podRecord(namespace, name);
    if (record) this.cluster.store.removePod(record);
  }

  // Objects as the wire carries them: timestamps stay RFC 3339 strings, as in a watch event.
  pod(namespace: string, name: string): V1Pod | undefined {
    return this.cluster.pod(namespace, name) as unknown as V1Pod | undefined;
  }

  pods(): V1Pod[] {
    return this.cluster.pods() as unknown as V1Pod[];
  }

  node(name: string): V1Node | undefined {
    return this.cluster.node(name) as unknown as V1Node | undefined;
  }

  /** A concurrent writer (kubelet status update) changes the node. */
  touchNode(name: string): void {
    const node = this.cluster.store.nodes.get(name);
    if (node) node.metadata.resourceVersion = this.cluster.store.nextResourceVersion();
  }

  /** Another client writes an annotation on the node (a new resourceVersion, as the server gives every write). */
  annotateNode(name: string, key: string, value: string): void {
    const node = this.cluster.store.nodes.get(name);
    if (!node) return;
    node.metadata.annotations = { ...node.metadata.annotations, [key]: value };
    node.metadata.resourceVersion = this.cluster.store.nextResourceVersion();
  }

  callsFor(op: FakeCall['op'], target?: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op && (target === undefined || c.target === target));
  }

  // --- KubeApi ---

  async getNode(name: string): Promise<V1Node | undefined> {
    try {
      return await this.call('getNode', name, {}, () => this.handle({ operation: 'get-node', method: 'GET', params: { name } }, {}, `get node ${name}`) as V1Node);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listNodes(): Promise<V1Node[]> {
    return this.call('listNodes', '*', {}, () => (this.handle({ operation: 'list-nodes', method: 'GET', params: {} }, {}, 'list nodes') as { items: V1Node[] }).items);
  }

  async patchNode(name: string, ops: JsonPatchOp[]): Promise<V1Node> {
    return this.call('patchNode', name, { ops }, () => {
      if (this.conflictingPatches > 0 && this.cluster.store.nodes.has(name)) {
        this.conflictingPatches--;
        this.touchNode(name);
      }
      const route = { operation: 'patch-node', method: 'PATCH', params: { name } } as const;
      return this.handle(route, { body: ops, contentType: 'application/json-patch+json' }, `patch node ${name}`, { jsonPatch: true }) as V1Node;
    });
  }

  async listPodsOnNode(nodeName: string): Promise<PodList> {
    return this.call('listPodsOnNode', nodeName, {}, () => {
      const query = new URLSearchParams({ fieldSelector: `spec.nodeName=${nodeName}` });
      const list = this.handle({ operation: 'list-pods', method: 'GET', params: {} }, { query }, `list pods on ${nodeName}`) as { items: V1Pod[]; metadata: { resourceVersion: string } };
      return { items: list.items, resourceVersion: list.metadata.resourceVersion };
    });
  }

  /**
   * The cluster's own watch semantics (replay from the resourceVersion, 410 when it is too old);
   * each change arrives one latency after it happens. The server never times the watch out.
   */
  async watchPodsOnNode(nodeName: string, resourceVersion: string, handlers: PodWatchHandlers): Promise<PodWatch> {
    await this.call('watchPodsOnNode', nodeName);
    const since = resourceVersion && resourceVersion !== '0' ? Number(resourceVersion) : undefined;
    return this.follow(nodeName, since, handlers);
  }

  /** A streaming list: the node's pods as of the call, then its changes as watchPodsOnNode sends them. */
  async streamPodsOnNode(nodeName: string, handlers: PodWatchHandlers): Promise<StreamedPods | undefined> {
    return this.stream('streamPodsOnNode', nodeName, handlers);
  }

  /** Every pod, then every change: the one read a batch of drains shares (lib/interruption/pod-feed.ts). */
  async streamAllPods(handlers: PodWatchHandlers, keep?: (pod: V1Pod) => boolean): Promise<StreamedPods | undefined> {
    const streamed = await this.stream('streamAllPods', undefined, handlers);
    return streamed && keep ? { ...streamed, list: { ...streamed.list, items: streamed.list.items.filter(keep) } } : streamed;
  }

  async listAllPods(keep?: (pod: V1Pod) => boolean): Promise<PodList> {
    return this.call('listAllPods', '*', {}, () => {
      const list = this.handle({ operation: 'list-pods', method: 'GET', params: {} }, {}, 'list all pods') as { items: V1Pod[]; metadata: { resourceVersion: string } };
      return { items: keep ? list.items.filter(keep) : list.items, resourceVersion: list.metadata.resourceVersion };
    });
  }

  private async stream(op: 'streamPodsOnNode' | 'streamAllPods', nodeName: string | undefined, handlers: PodWatchHandlers): Promise<StreamedPods | undefined> {
    const target = nodeName ?? '*';
    if (this.streamingRefused) return undefined;
    if (!this.watchList) {
      this.streamingRefused = true;
      const refusal = new KubeApiError(`stream pods: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled`, 422, 'Invalid');
      await this.call(op, target, {}, () => {
        throw refusal;
      }).catch(() => undefined);
      return undefined;
    }
    await this.call(op, target);
    const items: V1Pod[] = [];
    const watch = this.follow(nodeName, undefined, handlers, (pod) => items.push(pod));
    return { list: { items, resourceVersion: this.cluster.store.currentResourceVersion }, watch };
  }

  /** Follows the node's pods (every pod without one) from `since` (or, without it, from the current ones, each given to `initial` at once). */
  private follow(nodeName: string | undefined, since: number | undefined, handlers: PodWatchHandlers, initial?: (pod: V1Pod) => void): PodWatch {
    const selection = { namespace: undefined, labels: [], fields: nodeName === undefined ? [] : parseFieldSelector(`spec.nodeName=${nodeName}`, POD_FIELDS) };
    const watcher = { handlers, unsubscribe: () => {} };
    const live = () => this.watchers.has(watcher);
    this.watchers.add(watcher);
    let starting = initial !== undefined;
    const unsubscribe = followPods(this.cluster.store, selection, since, (type, json) => {
      if (starting) return initial!(JSON.parse(json) as V1Pod);
      this.clock.schedule(this.latencyMs, () => {
        if (live()) handlers.onEvent({ type, pod: JSON.parse(json) as V1Pod });
      });
    });
    starting = false;
    if (unsubscribe) watcher.unsubscribe = unsubscribe;
    else this.clock.schedule(this.latencyMs, () => this.endWatch(watcher, new KubeApiError(`watch pods: too old resource version: ${since}`, 410, 'Expired')));
    return { stop: () => this.endWatch(watcher) };
  }

  /** The server closes every watch (its timeout, a restart): watchers see onEnd(error). */
  endWatches(error?: KubeApiError): void {
    for (const watcher of [...this.watchers]) this.endWatch(watcher, error, true);
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  async evictPod(namespace: string, name: string, uid: string, gracePeriodSeconds?: number): Promise<void> {
    await this.counted(() =>
      this.call('evictPod', `${namespace}/${name}`, { gracePeriodSeconds }, () => {
        const deleteOptions = { preconditions: { uid }, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) };
        const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions };
        this.handle({ operation: 'evict-pod', method: 'POST', params: { namespace, name } }, { body }, `evict pod ${namespace}/${name}`, { eviction: true });
      }),
    );
  }

  async deletePod(namespace: string, name: string, uid: string, gracePeriodSeconds: number): Promise<void> {
    await this.counted(() =>
      this.call('deletePod', `${namespace}/${name}`, { gracePeriodSeconds }, () => {
        const body = { preconditions: { uid }, gracePeriodSeconds };
        this.handle({ operation: 'delete-pod', method: 'DELETE', params: { namespace, name } }, { body }, `delete pod ${namespace}/${name}`);
      }),
    );
  }

  /** Events as the API server keeps them (namespace/name → event), for tests that read them. */
  get events(): Map<string, EventsV1Event> {
    return new Map(this.cluster.events().map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e as unknown as EventsV1Event]));
  }

  async createEvent(namespace: string, event: EventsV1Event): Promise<void> {
    await this.call('createEvent', `${namespace}/${event.metadata?.name ?? ''}`, {}, () => {
      this.handle({ operation: 'create-event', method: 'POST', params: { namespace } }, { body: JSON.parse(JSON.stringify(event)) }, `create event ${namespace}`);
    });
  }

  async patchEvent(namespace: string, name: string, ops: JsonPatchOp[]): Promise<void> {
    await this.call('patchEvent', `${namespace}/${name}`, { ops }, () => {
      const route = { operation: 'patch-event', method: 'PATCH', params: { namespace, name } } as const;
      this.handle(route, { body: ops, contentType: 'application/json-patch+json' }, `patch event ${namespace}/${name}`, { jsonPatch: true });
    });
  }

  // --- internals ---

  /**
   * One request to the cluster's API handlers; a refusal becomes the KubeApiError the real client
   * would throw. The body is copied, as the HTTP server serializes it: it may be the store's own object.
   */
  private handle(
    route: Route,
    request: { query?: URLSearchParams; contentType?: string; body?: unknown },
    operation: string = route.operation,
    kind: CallKind = {},
  ): unknown {
    try {
      const response = this.cluster.handlers.handle({ route, query: request.query ?? new URLSearchParams(), contentType: request.contentType, body: request.body });
      return structuredClone(response.body);
    } catch (err) {
      if (!(err instanceof ApiStatusError)) throw err;
      throw classify(new ApiException(err.code, err.message, JSON.stringify(err.body), err.headers), operation, this.clock.now(), kind).error;
    }
  }

  private endWatch(watcher: { handlers: PodWatchHandlers; unsubscribe: () => void }, error?: KubeApiError, notify = error !== undefined): void {
    if (!this.watchers.delete(watcher)) return;
    watcher.unsubscribe();
    if (notify) watcher.handlers.onEnd(error);
  }

  private async counted<T>(work: () => Promise<T>): Promise<T> {
    this.inFlightEvictions++;
    this.maxInFlightEvictions = Math.max(this.maxInFlightEvictions, this.inFlightEvictions);
    try {
      return await work();
    } finally {
      this.inFlightEvictions--;
    }
  }

  private async call<T>(op: FakeCall['op'], target: string, extra: Partial<FakeCall> = {}, work?: () => T): Promise<T> {
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    const record: FakeCall = { at: this.clock.now(), op, target, status: 200, ...stripUndefined(extra) };
    this.calls.push(record);
    try {
      for (const fault of this.faults) {
        const err = fault({ op, target });
        if (err) throw err;
      }
      const result = work ? work() : (undefined as T);
      for (const lost of this.lostAnswers) {
        const err = lost(record);
        if (err) throw err;
      }
      return result;
    } catch (err) {
      record.status = err instanceof KubeApiError ? err.status : 0;
      throw err;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** RFC 6902 as the cluster applies it (sandbox/kube/patch.ts); a failed `test` throws its 422. */
export const applyJsonPatch = <T>(doc: T, ops: JsonPatchOp[]): T => applyPatch('application/json-patch+json', doc, ops) as T;

/** Runs the virtual clock until `promise` settles (or the horizon passes) and returns its result. */
export async function runToEnd<T>(clock: VirtualClock, promise: Promise<T>, horizonMs = 60 * 60_000): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await clock.runUntil(clock.now() + horizonMs, () => done);
  if (!done) throw new Error(`still running after ${horizonMs} ms of virtual time`);
  return promise;
}

/** Spark pod labels, as Spark on Kubernetes sets them. */
export const sparkLabels = (role: 'driver' | 'executor', appId: string, execId?: string): Record<string, string> => ({
  'spark-role': role,
  'spark-app-selector': appId,
  ...(execId ? { 'spark-exec-id': execId } : {}),
});
