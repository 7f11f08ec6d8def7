import type { Clock } from '../../lib/util/clock.ts';
import { KubeApiHandlers } from './api.ts';
import { WorkloadControllers } from './controllers.ts';
import { buildNode, buildPdb, buildPod, internalIp, ownerReference, type NodeObject, type OwnerReference, type PdbObject, type PodObject } from './objects.ts';
import { pdbsForPod, pdbWithStatus } from './pdb.ts';
import { mulberry32 } from './random.ts';
import { nodeSpecSchema, parseSpec, pdbSpecSchema, podSpecSchema, type NodeSpec, type ParsedNodeSpec, type PdbSpec, type PodSpec } from './specs.ts';
import { ClusterStore, podKey, type KubeEvent } from './store.ts';
import type { EventObject, PodHistoryEntry, PodRecord } from './objects.ts';
import { Kubelet } from './termination.ts';
import { Timers } from './timers.ts';

export interface KubeClusterOptions {
  clock: Clock;
  seed: number;
  recreateDelaySeconds: number;
  readyDelaySeconds: number;
  watchCacheSize: number;
  onEvent: (event: KubeEvent) => void;
}

/**
 * The emulated cluster without its HTTP face: the store, the kubelets, the workload controllers
 * and the API handlers, plus what the world does to it. The HTTP server (sandbox/kube/server.ts)
 * and in-process test doubles both sit on this one model of Kubernetes.
 */
export interface KubeCluster {
  readonly store: ClusterStore;
  readonly timers: Timers;
  readonly handlers: KubeApiHandlers;
  addNode(spec: NodeSpec): NodeObject;
  /** A node from an already-checked spec (a caller that builds its own, e.g. with a short instance id). */
  insertNode(spec: ParsedNodeSpec): NodeObject;
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
  /** The budgets that select a pod, with their computed status (none: no pod, or no budget selects it). */
  budgetsOf(namespace: string, name: string): PdbObject[];
  /** One entry per pod that ever existed (per uid), in creation order. */
  podHistory(): PodHistoryEntry[];
  /** events.k8s.io/v1 Events recorded through the API, in creation order. */
  events(): EventObject[];
}

export function createKubeCluster(options: KubeClusterOptions): KubeCluster {
  const { clock } = options;
  const store = new ClusterStore(clock, mulberry32(options.seed), options.onEvent, options.watchCacheSize);
  const timers = new Timers(clock);
  const controllers = new WorkloadControllers(store, timers, options.recreateDelaySeconds * 1000, options.readyDelaySeconds * 1000);
  const kubelet = new Kubelet(store, timers, controllers);
  const handlers = new KubeApiHandlers(store, kubelet, controllers);

  const insertNode = (spec: ParsedNodeSpec): NodeObject => {
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
    const addresses = { podIP: store.nextPodAddress(), hostIP: internalIp(store.nodes.get(spec.node)!) ?? '' };
    const object = buildPod(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: now, nodeName: spec.node, addresses, ...(owner ? { owner } : {}) });
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

  return {
    store,
    timers,
    handlers,
    addNode: (input) => insertNode(parseSpec(nodeSpecSchema, input, `node ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`)),
    insertNode,
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
    budgetsOf: (namespace, name) => {
      const record = store.podRecord(namespace, name);
      return record ? pdbsForPod(store, record.object).map((p) => pdbWithStatus(store, p)) : [];
    },
    podHistory: () => store.history.map((h) => ({ ...h, ...(h.owner ? { owner: { ...h.owner } } : {}) })),
    events: () => [...store.events.values()].map((e) => structuredClone(e)),
  };
}
