import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Clock } from '../../lib/util/clock.ts';
import { KubeApiHandlers } from './api.ts';
import { WorkloadControllers } from './controllers.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { PriorityLevel } from './flow-control.ts';
import { apiLimitsSchema, resolveLimits, type ApiLimitsOptions } from './limits.ts';
import { ApiMetrics, type ApiMetricsSnapshot } from './metrics.ts';
import { buildNode, buildPdb, buildPod, ownerReference, type NodeObject, type OwnerReference, type PdbObject, type PodObject } from './objects.ts';
import { pdbWithStatus } from './pdb.ts';
import { mulberry32 } from './random.ts';
import { startHttpServer, type RequestRecord } from './server.ts';
import { nodeSpecSchema, parseSpec, pdbSpecSchema, podSpecSchema, type NodeSpec, type PdbSpec, type PodSpec } from './specs.ts';
import type { EventObject } from './events.ts';
import { ClusterStore, podKey, type KubeEvent, type PodHistoryEntry, type PodRecord } from './store.ts';
import { Kubelet } from './termination.ts';
import { Timers } from './timers.ts';

export { nodeSpecSchema, podSpecSchema, pdbSpecSchema, taintSpecSchema, tolerationSpecSchema } from './specs.ts';
export type { NodeSpec, PodSpec, PdbSpec } from './specs.ts';
export { faultOptionsSchema, KUBE_OPERATIONS } from './faults.ts';
export type { FaultOptions, KubeOperation } from './faults.ts';
export type { KubeEvent, KubeEventActor, PodHistoryEntry, TerminationCause } from './store.ts';
export type { NodeObject, PodObject, PdbObject } from './objects.ts';
export type { RequestRecord } from './server.ts';
export { apiLimitsSchema, maxSeatsFor, nominalConcurrency, SERVER_CONCURRENCY_LIMIT, PRIORITY_LEVEL_SHARES } from './limits.ts';
export type { ApiLimitsOptions } from './limits.ts';
export type { ApiMetricsSnapshot } from './metrics.ts';
export type { EventObject } from './events.ts';

export interface KubeEmulatorOptions {
  clock: Clock;
  /** Server-side latency added to every request, in clock milliseconds. */
  latencyMs?: number;
  faults?: FaultOptions;
  /** Seeds uids, replacement names and fault draws (default 1). */
  seed?: number;
  /** A controller-owned pod is replaced this long after it starts terminating (ReplicaSet) or is gone (StatefulSet). Default 10. */
  recreateDelaySeconds?: number;
  /** ...and the replacement turns Ready this long after it is placed. Default 5. */
  readyDelaySeconds?: number;
  /** Pod changes kept for watches that resume from a resourceVersion; older ones get 410 Expired. Default 20,000. */
  watchCacheSize?: number;
  onEvent?: (event: KubeEvent) => void;
  /**
   * API Priority and Fairness as the emulator models it (sandbox/kube/limits.ts): `{}` turns it on
   * with EKS's defaults; leave it out for an API server without limits. With limits, `latencyMs` is
   * the base service time of a one-seat request, held while the request occupies its seats.
   */
  limits?: ApiLimitsOptions;
}

export interface KubeEmulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /**
   * A client-node KubeConfig for the emulator (plain HTTP, so skipTLSVerify). `user` becomes the
   * bearer token, which names the request's flow under `limits` (default "sandbox"): give every
   * client of one IAM identity the same user, as EKS would.
   */
  kubeConfig(user?: string): KubeConfig;
  close(): Promise<void>;
  addNode(spec: NodeSpec): NodeObject;
  addPod(spec: PodSpec): PodObject;
  addPdb(spec: PdbSpec): PdbObject;
  /** The instance behind the node is gone: its pods are killed at once; the node stays, NotReady. Returns the pods killed. */
  terminateNode(name: string): number;
  /** The instance is running again (started after a stop, back from a reboot): the node turns Ready. */
  restartNode(name: string): void;
  node(name: string): NodeObject | undefined;
  pod(namespace: string, name: string): PodObject | undefined;
  pods(): PodObject[];
  /** Budgets with their computed status. */
  pdbs(): PdbObject[];
  /** One entry per pod that ever existed (per uid), in creation order. */
  podHistory(): PodHistoryEntry[];
  /** Every request answered (or reset), in order. */
  readonly requests: readonly RequestRecord[];
  /** Requests by verb and resource, 429s, queue depth, seats, connections, per flow. */
  metrics(): ApiMetricsSnapshot;
  /** events.k8s.io/v1 Events recorded through the API, in creation order. */
  events(): EventObject[];
}

const optionsSchema = z
  .object({
    latencyMs: z.number().min(0).max(600_000).default(0),
    seed: z.number().int().default(1),
    recreateDelaySeconds: z.number().min(0).default(10),
    readyDelaySeconds: z.number().min(0).default(5),
    watchCacheSize: z.number().int().min(1).max(1_000_000).default(20_000),
  })
  .strict();

export async function startKubeEmulator(options: KubeEmulatorOptions): Promise<KubeEmulator> {
  const { clock, faults, onEvent, limits: limitsInput, ...numeric } = options;
  if (!clock || typeof clock.now !== 'function' || typeof clock.sleep !== 'function') throw new Error('invalid kube emulator options: clock: a Clock is required');
  const settings = parseSpec(optionsSchema, numeric, 'kube emulator options');
  const random = mulberry32(settings.seed);
  const store = new ClusterStore(clock, random, onEvent ?? (() => {}), settings.watchCacheSize);
  const timers = new Timers(clock);
  const controllers = new WorkloadControllers(store, timers, settings.recreateDelaySeconds * 1000, settings.readyDelaySeconds * 1000);
  const kubelet = new Kubelet(store, timers, controllers);
  const handlers = new KubeApiHandlers(store, kubelet, controllers);
  const faultInjector = faults ? new FaultInjector(faults, settings.seed) : undefined;
  const requests: RequestRecord[] = [];
  const metrics = new ApiMetrics();
  const limits = limitsInput === undefined ? undefined : resolveLimits(parseSpec(apiLimitsSchema, limitsInput, 'kube emulator options: limits'));
  const flowControl = limits
    ? {
        level: new PriorityLevel(limits, timers, (waiting) => metrics.queueDepth(waiting)),
        limits,
        counts: () => ({ pods: store.pods.size, nodes: store.nodes.size, pdbs: store.pdbs.size, events: store.events.size }),
      }
    : undefined;
  const { url, server } = await startHttpServer({
    store,
    handlers,
    timers,
    latencyMs: settings.latencyMs,
    faults: faultInjector,
    requests,
    metrics,
    ...(flowControl ? { flowControl } : {}),
  });
  server.on('connection', () => metrics.connection());

  const addNode = (input: NodeSpec): NodeObject => {
    const spec = parseSpec(nodeSpecSchema, input, `node ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`);
    if (store.nodes.has(spec.name)) throw new Error(`node "${spec.name}" already exists`);
    const node = buildNode(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: store.now() });
    store.nodes.set(spec.name, node);
    controllers.nodeAvailable();
    return structuredClone(node);
  };

  const ownerFor = (spec: ReturnType<typeof podSpecSchema.parse>): OwnerReference | undefined => {
    if (spec.owner === 'none') {
      if (!spec.mirror) return undefined;
      const node = store.nodes.get(spec.node)!;
      return ownerReference('Node', node.metadata.name, node.metadata.uid);
    }
    const { kind, name } = spec.owner;
    if (kind === 'Pod') {
      const ownerPod = store.podRecord(spec.namespace, name);
      if (ownerPod) return ownerReference('Pod', name, ownerPod.object.metadata.uid);
    }
    const controller = store.controllerFor(spec.namespace, kind, name);
    if (kind === 'ReplicaSet' || kind === 'StatefulSet') controller.replicas += 1;
    return ownerReference(kind, name, controller.uid);
  };

  const addPod = (input: PodSpec): PodObject => {
    const spec = parseSpec(podSpecSchema, input, `pod ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`);
    if (!store.nodes.has(spec.node)) throw new Error(`invalid pod "${spec.namespace}/${spec.name}": node: no node named "${spec.node}"`);
    if (store.terminatedNodes.has(spec.node)) throw new Error(`invalid pod "${spec.namespace}/${spec.name}": node: "${spec.node}" is terminated`);
    if (store.podRecord(spec.namespace, spec.name)) throw new Error(`pod "${spec.namespace}/${spec.name}" already exists`);
    const owner = ownerFor(spec);
    const now = store.now();
    const object = buildPod(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: now, nodeName: spec.node, ...(owner ? { owner } : {}) });
    const record: PodRecord = {
      object,
      spec,
      history: {
        uid: object.metadata.uid,
        namespace: spec.namespace,
        name: spec.name,
        node: spec.node,
        createdAt: now,
        shutdownSeconds: spec.shutdownSeconds,
        ...(spec.owner !== 'none' ? { owner: { kind: spec.owner.kind, name: spec.owner.name } } : {}),
      },
    };
    store.insertPod(record);
    return structuredClone(object);
  };

  const addPdb = (input: PdbSpec): PdbObject => {
    const spec = parseSpec(pdbSpecSchema, input, `PodDisruptionBudget ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`);
    const key = podKey(spec.namespace, spec.name);
    if (store.pdbs.has(key)) throw new Error(`PodDisruptionBudget "${key}" already exists`);
    const pdb = buildPdb(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: store.now() });
    store.pdbs.set(key, pdb);
    return pdbWithStatus(store, pdb);
  };

  let closed = false;
  return {
    url,
    requests,
    metrics: () => metrics.snapshot(),
    kubeConfig(user = 'sandbox') {
      if (!/^[\x21-\x7e]+$/.test(user)) throw new Error(`kubeConfig: user: must be a non-empty token of visible ASCII characters, got ${JSON.stringify(user)}`);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'sandbox', server: url, skipTLSVerify: true }],
        users: [{ name: 'sandbox', token: user }],
        contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox' }],
        currentContext: 'sandbox',
      });
      return kc;
    },
    async close() {
      if (closed) return;
      closed = true;
      timers.cancelAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    addNode,
    addPod,
    addPdb,
    terminateNode(name) {
      const node = store.nodes.get(name);
      if (!node) throw new Error(`terminateNode: no node named "${name}"`);
      return kubelet.terminateNode(node);
    },
    restartNode(name) {
      const node = store.nodes.get(name);
      if (!node) throw new Error(`restartNode: no node named "${name}"`);
      kubelet.restartNode(node);
    },
    node: (name) => {
      const node = store.nodes.get(name);
      return node ? structuredClone(node) : undefined;
    },
    pod: (namespace, name) => {
      const record = store.podRecord(namespace, name);
      return record ? structuredClone(record.object) : undefined;
    },
    pods: () => [...store.pods.values()].map((r) => structuredClone(r.object)),
    pdbs: () => [...store.pdbs.values()].map((p) => pdbWithStatus(store, p)),
    podHistory: () => store.history.map((h) => ({ ...h, ...(h.owner ? { owner: { ...h.owner } } : {}) })),
    events: () => [...store.events.values()].map((e) => structuredClone(e)),
  };
}
