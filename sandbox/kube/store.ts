import type { Clock } from '../../lib/util/clock.ts';
import { podAddress, type EventObject, type NodeObject, type PdbObject, type PodHistoryEntry, type PodRecord } from './objects.ts';
import { PodChangeLog } from './pod-changes.ts';
import { nameSuffix, uuidFrom } from './random.ts';

export type KubeEventActor = 'api' | 'kubelet' | 'controller' | 'node';

/** One state change, for the scenario timeline. */
export interface KubeEvent {
  /** Clock time, ms since the epoch. */
  at: number;
  actor: KubeEventActor;
  action: string;
  node?: string | undefined;
  /** namespace/name */
  pod?: string;
  detail?: string;
}

/** A pod's controller (ReplicaSet, StatefulSet, DaemonSet, Job): RS and STS are kept at their size, which feeds PDB status. */
export interface WorkloadController {
  uid: string;
  kind: string;
  name: string;
  namespace: string;
  replicas: number;
  /** Clock ms and resourceVersion when the emulator first met it (its first pod). */
  createdAt: number;
  resourceVersion: string;
}

export const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * The cluster's state. Single-threaded: every API request and every timer callback changes it
 * in one synchronous step, which gives the same atomicity the API server gets from etcd
 * transactions (an eviction's PDB check and the pod's deletion cannot interleave with another's).
 */
export class ClusterStore {
  readonly nodes = new Map<string, NodeObject>();
  readonly terminatedNodes = new Set<string>();
  readonly pods = new Map<string, PodRecord>();
  readonly pdbs = new Map<string, PdbObject>();
  readonly controllers = new Map<string, WorkloadController>();
  private readonly controllersByUid = new Map<string, WorkloadController>();
  readonly history: PodHistoryEntry[] = [];
  /** Pods by the node they are bound to: a node's pods without scanning every pod. */
  private readonly podsByNode = new Map<string, Set<PodRecord>>();
  /** How many pods bound to each node are not terminating (the scheduler's load), kept as pods bind, terminate and go. */
  private readonly runningByNode = new Map<string, number>();
  private readonly countedRunning = new WeakSet<PodRecord>();
  /** Pods by namespace: a budget's status looks only at its own namespace's pods. */
  private readonly podsByNamespace = new Map<string, Set<PodRecord>>();
  /** Each pod's place in `pods`' iteration order (a Map keeps a key where it was first set). */
  private readonly placeInPods = new WeakMap<PodRecord, number>();
  private placed = 0;
  /** Counts pods added and removed: what a budget selects can change only when it moves (pods' labels are not changed). */
  podMembership = 0;
  /** events.k8s.io/v1 Events, namespace/name → event (sandbox/kube/events.ts). */
  readonly events = new Map<string, EventObject>();
  /** Every pod change, for watches. */
  readonly podChanges: PodChangeLog;
  private revision = 1000;
  private podAddresses = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly onEvent: (event: KubeEvent) => void,
    watchCacheSize?: number,
  ) {
    this.podChanges = new PodChangeLog(watchCacheSize);
  }

  now(): number {
    return this.clock.now();
  }

  /** A fresh resourceVersion, like etcd's revision: one counter for every object. */
  nextResourceVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  get currentResourceVersion(): string {
    return String(this.revision);
  }

  newUid(): string {
    return uuidFrom(this.random);
  }

  /** The next pod IP: each pod that starts on a node gets its own. */
  nextPodAddress(): string {
    return podAddress(this.podAddresses++);
  }

  newNameSuffix(): string {
    return nameSuffix(this.random);
  }

  emit(event: Omit<KubeEvent, 'at'>): void {
    this.onEvent({ at: this.clock.now(), ...event });
  }

  /** The workload controller for (namespace, kind, name), created on first use. */
  controllerFor(namespace: string, kind: string, name: string): WorkloadController {
    const key = `${namespace}/${kind}/${name}`;
    let controller = this.controllers.get(key);
    if (!controller) {
      controller = { uid: this.newUid(), kind, name, namespace, replicas: 0, createdAt: this.now(), resourceVersion: this.currentResourceVersion };
      this.controllers.set(key, controller);
      this.controllersByUid.set(controller.uid, controller);
    }
    return controller;
  }

  controllerByUid(uid: string): WorkloadController | undefined {
    return this.controllersByUid.get(uid);
  }

  podRecord(namespace: string, name: string): PodRecord | undefined {
    return this.pods.get(podKey(namespace, name));
  }

  insertPod(record: PodRecord): void {
    const key = podKey(record.object.metadata.namespace, record.object.metadata.name);
    const holder = this.pods.get(key);
    this.placeInPods.set(record, holder ? this.placeInPods.get(holder)! : this.placed++);
    this.pods.set(key, record);
    this.history.push(record.history);
    this.indexByNode(record);
    const namespace = record.object.metadata.namespace;
    this.podsByNamespace.set(namespace, (this.podsByNamespace.get(namespace) ?? new Set()).add(record));
    this.podMembership++;
    this.podChanges.record('ADDED', record);
  }

  /** Binds an unscheduled pod to a node (the only way a stored pod's spec.nodeName changes). */
  bindPod(record: PodRecord, nodeName: string): void {
    this.unindexByNode(record);
    record.object.spec.nodeName = nodeName;
    this.indexByNode(record);
  }

  removePod(record: PodRecord): void {
    const key = podKey(record.object.metadata.namespace, record.object.metadata.name);
    if (this.pods.get(key) === record) {
      this.pods.delete(key);
      this.unindexByNode(record);
      this.podsByNamespace.get(record.object.metadata.namespace)?.delete(record);
      this.podMembership++;
      record.object.metadata.resourceVersion = this.nextResourceVersion();
      this.podChanges.record('DELETED', record);
    }
    record.cancelReady?.();
    record.cancelTermination?.();
  }

  /** The pods bound to `nodeName`, in insertion order. */
  podsOnNode(nodeName: string): PodRecord[] {
    return [...(this.podsByNode.get(nodeName) ?? [])];
  }

  /** The pods bound to `nodeName`, in the order iterating `pods` meets them (what a scan of every pod would find). */
  podsOnNodeInStoreOrder(nodeName: string): PodRecord[] {
    return this.podsOnNode(nodeName).sort((a, b) => this.placeInPods.get(a)! - this.placeInPods.get(b)!);
  }

  /** The pods of one namespace (live: do not change the store while iterating). */
  podsInNamespace(namespace: string): Iterable<PodRecord> {
    return this.podsByNamespace.get(namespace) ?? [];
  }

  /** How many pods bound to `nodeName` are not terminating (no deletionTimestamp), without looking at them. */
  runningPodsOnNode(nodeName: string): number {
    return this.runningByNode.get(nodeName) ?? 0;
  }

  private indexByNode(record: PodRecord): void {
    const node = record.object.spec.nodeName;
    if (!node) return;
    let set = this.podsByNode.get(node);
    if (!set) {
      set = new Set();
      this.podsByNode.set(node, set);
    }
    set.add(record);
    if (record.object.metadata.deletionTimestamp === undefined) {
      this.countedRunning.add(record);
      this.runningByNode.set(node, this.runningPodsOnNode(node) + 1);
    }
  }

  private unindexByNode(record: PodRecord): void {
    const node = record.object.spec.nodeName;
    if (!node) return;
    const set = this.podsByNode.get(node);
    set?.delete(record);
    if (set?.size === 0) this.podsByNode.delete(node);
    this.uncountRunning(record, node);
  }

  private uncountRunning(record: PodRecord, node: string): void {
    if (!this.countedRunning.delete(record)) return;
    const left = this.runningPodsOnNode(node) - 1;
    if (left > 0) this.runningByNode.set(node, left);
    else this.runningByNode.delete(node);
  }

  /** Stamps a changed pod with a new resourceVersion and tells its watchers. */
  touchPod(record: PodRecord): void {
    record.object.metadata.resourceVersion = this.nextResourceVersion();
    // Every change goes through here, the start of a termination too: a terminating pod is load no more.
    const node = record.object.spec.nodeName;
    if (node && record.object.metadata.deletionTimestamp !== undefined) this.uncountRunning(record, node);
    this.podChanges.record('MODIFIED', record);
  }
}
