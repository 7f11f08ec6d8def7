import type { EventsV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import { KubeApiError, type JsonPatchOp, type KubeApi, type PodList, type PodWatch, type PodWatchEvent, type PodWatchHandlers } from '../../lib/kube/port.ts';
import type { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';

/** How a test describes a pod. Times are seconds. */
export interface FakePodSpec {
  name: string;
  namespace?: string;
  node: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { kind: string; name: string };
  grace?: number;
  /** A preStop exec command, e.g. ['/opt/decom.sh']. */
  preStop?: string[];
  priorityClassName?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** How long the pod takes to exit once told to terminate; killed at its grace if longer. */
  shutdownSeconds?: number;
  /** Already terminating when the test starts; exits after shutdownSeconds. */
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
  op: 'getNode' | 'listNodes' | 'patchNode' | 'listPodsOnNode' | 'watchPodsOnNode' | 'evictPod' | 'deletePod' | 'createEvent' | 'patchEvent';
  target: string;
  gracePeriodSeconds?: number | undefined;
  status: number;
  ops?: JsonPatchOp[];
}

export interface PodExit {
  at: number;
  /** True when the pod was killed at the end of its grace rather than exiting on its own. */
  killed: boolean;
  grace: number;
}

type FaultRule = (call: { op: FakeCall['op']; target: string }) => KubeApiError | undefined;

const WRITE_OPS = new Set<FakeCall['op']>(['patchNode', 'evictPod', 'deletePod']);

/**
 * An in-memory Kubernetes API on a VirtualClock: nodes with resourceVersions and real JSON-patch
 * semantics, pods that terminate after their shutdown time (killed at their grace), eviction with
 * PodDisruptionBudget (minAvailable) semantics, UID preconditions, and injectable faults.
 */
export class FakeKube implements KubeApi {
  readonly nodes = new Map<string, V1Node>();
  readonly pods = new Map<string, V1Pod>();
  readonly pdbs: FakePdb[] = [];
  readonly calls: FakeCall[] = [];
  readonly exits = new Map<string, PodExit>();
  readonly faults: FaultRule[] = [];
  /** Node patches that meet a concurrent writer (resourceVersion bumped just before). */
  conflictingPatches = 0;
  inFlightWrites = 0;
  maxInFlightEvictions = 0;
  private inFlightEvictions = 0;
  private shutdown = new Map<string, number>();
  private exitTimers = new Map<string, { at: number; cancel: () => void }>();
  private uidSeq = 0;
  /** One counter for every pod change, like etcd's revision. */
  private revision = 100;
  private readonly watchers = new Set<{ node: string; handlers: PodWatchHandlers }>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs = 10,
  ) {}

  get writes(): FakeCall[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op) && c.status < 300);
  }

  get writeAttempts(): FakeCall[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op));
  }

  addNode(name: string, instanceId = 'i-0123456789abcdef0', extra: Partial<V1Node['metadata']> = {}): V1Node {
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, resourceVersion: '1', labels: { 'kubernetes.io/hostname': name }, ...extra },
      spec: { providerID: `aws:///us-east-1a/${instanceId}` },
    };
    this.nodes.set(name, node);
    return structuredClone(node);
  }

  addPod(spec: FakePodSpec): V1Pod {
    const namespace = spec.namespace ?? 'default';
    const uid = spec.uid ?? `uid-${spec.name}-${++this.uidSeq}`;
    const pod: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: spec.name,
        namespace,
        uid,
        labels: spec.labels ?? {},
        ...(spec.annotations ? { annotations: spec.annotations } : {}),
        ...(spec.owner ? { ownerReferences: [{ apiVersion: 'v1', kind: spec.owner.kind, name: spec.owner.name, uid: `owner-${spec.owner.name}`, controller: true }] } : {}),
      },
      spec: {
        nodeName: spec.node,
        containers: [
          {
            name: 'main',
            image: 'example/app',
            ...(spec.preStop ? { lifecycle: { preStop: { exec: { command: spec.preStop } } } } : {}),
          },
        ],
        ...(spec.grace !== undefined ? { terminationGracePeriodSeconds: spec.grace } : {}),
        ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
      },
      status: { phase: spec.phase ?? 'Running' },
    };
    const key = `${namespace}/${spec.name}`;
    this.pods.set(key, pod);
    this.changed('ADDED', pod);
    this.shutdown.set(key, (spec.shutdownSeconds ?? 1) * 1000);
    if (spec.terminating) this.terminate(key, spec.grace ?? 30);
    return structuredClone(pod);
  }

  addPdb(pdb: FakePdb): void {
    this.pdbs.push(pdb);
  }

  pod(namespace: string, name: string): V1Pod | undefined {
    const pod = this.pods.get(`${namespace}/${name}`);
    return pod ? structuredClone(pod) : undefined;
  }

  node(name: string): V1Node | undefined {
    const node = this.nodes.get(name);
    return node ? structuredClone(node) : undefined;
  }

  /** A concurrent writer (kubelet status update) changes the node. */
  touchNode(name: string): void {
    const node = this.nodes.get(name);
    if (node?.metadata) node.metadata.resourceVersion = String(Number(node.metadata.resourceVersion ?? '0') + 1);
  }

  callsFor(op: FakeCall['op'], target?: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op && (target === undefined || c.target === target));
  }

  // --- KubeApi ---

  async getNode(name: string): Promise<V1Node | undefined> {
    await this.call('getNode', name);
    return this.node(name);
  }

  async listNodes(): Promise<V1Node[]> {
    await this.call('listNodes', '*');
    return [...this.nodes.values()].map((n) => structuredClone(n));
  }

  async patchNode(name: string, ops: JsonPatchOp[]): Promise<V1Node> {
    return this.call('patchNode', name, { ops }, () => {
      const current = this.nodes.get(name);
      if (!current) throw new KubeApiError(`nodes "${name}" not found`, 404, 'NotFound');
      if (this.conflictingPatches > 0) {
        this.conflictingPatches--;
        this.touchNode(name);
      }
      const patched = applyJsonPatch(structuredClone(current), ops);
      patched.metadata = { ...patched.metadata, resourceVersion: String(Number(current.metadata?.resourceVersion ?? '0') + 1) };
      this.nodes.set(name, patched);
      return structuredClone(patched);
    });
  }

  async listPodsOnNode(nodeName: string): Promise<PodList> {
    await this.call('listPodsOnNode', nodeName);
    return { items: [...this.pods.values()].filter((p) => p.spec?.nodeName === nodeName).map((p) => structuredClone(p)), resourceVersion: String(this.revision) };
  }

  /** Changes are delivered one latency after they happen; an older resourceVersion than the last change is not replayed. */
  async watchPodsOnNode(nodeName: string, _resourceVersion: string, handlers: PodWatchHandlers): Promise<PodWatch> {
    await this.call('watchPodsOnNode', nodeName);
    const watcher = { node: nodeName, handlers };
    this.watchers.add(watcher);
    return { stop: () => void this.watchers.delete(watcher) };
  }

  /** The server closes every watch (its timeout, a restart): watchers see onEnd(error). */
  endWatches(error?: KubeApiError): void {
    const ending = [...this.watchers];
    this.watchers.clear();
    for (const w of ending) w.handlers.onEnd(error);
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  async evictPod(namespace: string, name: string, uid: string, gracePeriodSeconds?: number): Promise<void> {
    this.inFlightEvictions++;
    this.maxInFlightEvictions = Math.max(this.maxInFlightEvictions, this.inFlightEvictions);
    try {
      await this.call('evictPod', `${namespace}/${name}`, { gracePeriodSeconds }, () => {
        const pod = this.target(namespace, name, uid);
        const budgets = this.pdbs.filter((b) => b.namespace === namespace && matches(b.matchLabels, pod.metadata?.labels ?? {}));
        if (budgets.length > 1) {
          throw new KubeApiError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', 500, 'InternalError');
        }
        const budget = budgets[0];
        if (budget && !pod.metadata?.deletionTimestamp && this.healthy(budget) - 1 < budget.minAvailable) {
          throw new KubeApiError(`Cannot evict pod as it would violate the pod's disruption budget "${budget.name}".`, 429, 'DisruptionBudget');
        }
        this.terminate(`${namespace}/${name}`, gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
      });
    } finally {
      this.inFlightEvictions--;
    }
  }

  async deletePod(namespace: string, name: string, uid: string, gracePeriodSeconds: number): Promise<void> {
    this.inFlightEvictions++;
    this.maxInFlightEvictions = Math.max(this.maxInFlightEvictions, this.inFlightEvictions);
    try {
      await this.call('deletePod', `${namespace}/${name}`, { gracePeriodSeconds }, () => {
        this.target(namespace, name, uid);
        this.terminate(`${namespace}/${name}`, gracePeriodSeconds);
      });
    } finally {
      this.inFlightEvictions--;
    }
  }

  /** Events as the API server would keep them (namespace/name → event), for tests that read them. */
  readonly events = new Map<string, EventsV1Event>();

  async createEvent(namespace: string, event: EventsV1Event): Promise<void> {
    await this.call('createEvent', `${namespace}/${event.metadata?.name ?? ''}`, {}, () => {
      this.events.set(`${namespace}/${event.metadata?.name ?? ''}`, structuredClone(event));
    });
  }

  async patchEvent(namespace: string, name: string, ops: JsonPatchOp[]): Promise<void> {
    await this.call('patchEvent', `${namespace}/${name}`, { ops }, () => {
      const event = this.events.get(`${namespace}/${name}`);
      if (!event) throw new KubeApiError(`events "${name}" not found`, 404, 'NotFound');
      this.events.set(`${namespace}/${name}`, applyJsonPatch(event as V1Node, ops) as EventsV1Event);
    });
  }

  // --- internals ---

  private changed(type: PodWatchEvent['type'], pod: V1Pod): void {
    pod.metadata!.resourceVersion = String(++this.revision);
    const snapshot = structuredClone(pod);
    for (const watcher of this.watchers) {
      if (watcher.node !== pod.spec?.nodeName) continue;
      this.clock.schedule(this.latencyMs, () => {
        if (this.watchers.has(watcher)) watcher.handlers.onEvent({ type, pod: structuredClone(snapshot) });
      });
    }
  }

  private healthy(budget: FakePdb): number {
    return [...this.pods.values()].filter(
      (p) =>
        p.metadata?.namespace === budget.namespace &&
        !p.metadata?.deletionTimestamp &&
        p.status?.phase === 'Running' &&
        matches(budget.matchLabels, p.metadata?.labels ?? {}),
    ).length;
  }

  private target(namespace: string, name: string, uid: string): V1Pod {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new KubeApiError(`pods "${name}" not found`, 404, 'NotFound');
    if (pod.metadata?.uid !== uid) {
      throw new KubeApiError(`Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`, 409, 'Conflict');
    }
    return pod;
  }

  /** Starts (or shortens) a pod's termination: it exits after its shutdown time, or is killed at its grace. */
  private terminate(key: string, graceSeconds: number): void {
    const pod = this.pods.get(key);
    if (!pod?.metadata) return;
    const now = this.clock.now();
    const graceMs = Math.max(0, graceSeconds) * 1000;
    const shutdownMs = this.shutdown.get(key) ?? 1000;
    const exitAt = now + Math.min(shutdownMs, graceMs);
    const existing = this.exitTimers.get(key);
    if (existing && existing.at <= exitAt) return;
    existing?.cancel();
    pod.metadata.deletionTimestamp = new Date(now + graceMs);
    pod.metadata.deletionGracePeriodSeconds = graceSeconds;
    this.changed('MODIFIED', pod);
    const killed = shutdownMs > graceMs;
    const cancel = this.clock.schedule(exitAt - now, () => {
      this.pods.delete(key);
      this.changed('DELETED', pod);
      this.exitTimers.delete(key);
      this.exits.set(key, { at: this.clock.now(), killed, grace: graceSeconds });
    });
    this.exitTimers.set(key, { at: exitAt, cancel });
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
      return work ? work() : (undefined as T);
    } catch (err) {
      record.status = err instanceof KubeApiError ? err.status : 0;
      throw err;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const unescape = (segment: string) => segment.replaceAll('~1', '/').replaceAll('~0', '~');

/** RFC 6902 add/remove/replace/test over a plain object; a failed test is a 422 like the API server's. */
export function applyJsonPatch<T>(doc: T, ops: JsonPatchOp[]): T {
  for (const op of ops) {
    const segments = op.path.split('/').slice(1).map(unescape);
    const last = segments.pop();
    if (last === undefined) throw new KubeApiError(`invalid path ${op.path}`, 422, 'Invalid');
    let parent: unknown = doc;
    for (const s of segments) {
      parent = (parent as Record<string, unknown> | undefined)?.[s];
      if (parent === undefined || parent === null) throw new KubeApiError(`path ${op.path}: parent does not exist`, 422, 'Invalid');
    }
    const container = parent as Record<string, unknown> & unknown[];
    switch (op.op) {
      case 'test':
        if (JSON.stringify(container[last as never]) !== JSON.stringify(op.value)) {
          throw new KubeApiError(`the server rejected our request: test failed at ${op.path}`, 422, 'Invalid');
        }
        break;
      case 'add':
        if (Array.isArray(container)) {
          if (last === '-') container.push(op.value);
          else container.splice(Number(last), 0, op.value);
        } else container[last as never] = op.value as never;
        break;
      case 'replace':
        if (!(last in container)) throw new KubeApiError(`replace: ${op.path} does not exist`, 422, 'Invalid');
        container[last as never] = op.value as never;
        break;
      case 'remove':
        if (!(last in container)) throw new KubeApiError(`remove: ${op.path} does not exist`, 422, 'Invalid');
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last as never];
        break;
    }
  }
  return doc;
}

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
