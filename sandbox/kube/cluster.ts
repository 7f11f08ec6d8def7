import type { Clock } from '../../lib/util/clock.ts';
import { KubeApiHandlers } from './api.ts';
import { WorkloadControllers } from './controllers.ts';
import type { EventObject, NodeObject, PdbObject, PodHistoryEntry, PodObject } from './objects.ts';
import { pdbsForPod, pdbWithStatus } from './pdb.ts';
import { mulberry32 } from './random.ts';
import { nodeSpecSchema, parseSpec, type NodeSpec, type ParsedNodeSpec, type PdbSpec, type PodSpec } from './specs.ts';
import { ClusterStore, type KubeEvent } from './store.ts';
import { Kubelet } from './termination.ts';
import { Timers } from './timers.ts';
import { addPdb, addPod, insertNode } from './world-objects.ts';

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

/** What a test or a world reads of the cluster: copies, never the store's own objects. */
type ClusterReads = Pick<KubeCluster, 'node' | 'pod' | 'pods' | 'pdbs' | 'budgetsOf' | 'podHistory' | 'events'>;

function clusterReads(store: ClusterStore): ClusterReads {
  return {
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

export function createKubeCluster(options: KubeClusterOptions): KubeCluster {
  const { clock } = options;
  const store = new ClusterStore(clock, mulberry32(options.seed), options.onEvent, options.watchCacheSize);
  const timers = new Timers(clock);
  const controllers = new WorkloadControllers(store, timers, options.recreateDelaySeconds * 1000, options.readyDelaySeconds * 1000);
  const kubelet = new Kubelet(store, timers, controllers);
  const handlers = new KubeApiHandlers(store, kubelet, controllers);
  const insert = (spec: ParsedNodeSpec): NodeObject => insertNode(store, controllers, spec);
  const nodeNamed = (name: string, caller: string): NodeObject => {
    const node = store.nodes.get(name);
    if (!node) throw new Error(`${caller}: no node named "${name}"`);
    return node;
  };
  return {
    store,
    timers,
    handlers,
    addNode: (input) => insert(parseSpec(nodeSpecSchema, input, `node ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`)),
    insertNode: insert,
    addPod: (input: PodSpec) => addPod(store, input),
    addPdb: (input: PdbSpec) => addPdb(store, input),
    terminateNode: (name) => kubelet.terminateNode(nodeNamed(name, 'terminateNode')),
    restartNode: (name) => kubelet.restartNode(nodeNamed(name, 'restartNode')),
    ...clusterReads(store),
  };
}
