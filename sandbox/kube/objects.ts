import { nodeStatus } from './node-status.ts';
import { fnv1a } from './random.ts';
import type { ParsedNodeSpec, ParsedPdbSpec, ParsedPodSpec } from './specs.ts';

/**
 * The objects as they travel on the wire (JSON; timestamps are RFC 3339 strings), and how the
 * emulator builds them from scenario specs.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface Taint {
  key: string;
  value?: string | undefined;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string | undefined;
  operator?: string | undefined;
  value?: string | undefined;
  effect?: string | undefined;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
  observedGeneration?: number;
}

export interface NodeObject {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { providerID: string; unschedulable?: boolean; taints?: Taint[]; [field: string]: unknown };
  status: { conditions: Condition[]; addresses: Array<{ type: string; address: string }>; [field: string]: unknown };
}

export interface PodObject {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta & { namespace: string };
  spec: {
    nodeName?: string;
    containers: Array<{ name: string; image: string; lifecycle?: { preStop?: { exec: { command: string[] } } } }>;
    terminationGracePeriodSeconds: number;
    restartPolicy: string;
    schedulerName: string;
    serviceAccountName: string;
    priorityClassName?: string;
    tolerations?: Toleration[];
    hostNetwork?: boolean;
    [field: string]: unknown;
  };
  status: { phase: string; conditions: Condition[]; podIP?: string; startTime?: string; nominatedNodeName?: string; [field: string]: unknown };
}

export interface PdbObject {
  apiVersion: 'policy/v1';
  kind: 'PodDisruptionBudget';
  metadata: ObjectMeta & { namespace: string };
  spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: PdbStatus;
}

export interface PdbStatus {
  observedGeneration: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  conditions: Condition[];
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const OWNER_API_VERSION: Record<string, string> = {
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  Pod: 'v1',
  Node: 'v1',
};

export function ownerReference(kind: string, name: string, uid: string): OwnerReference {
  return { apiVersion: OWNER_API_VERSION[kind] ?? 'v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export function controllerOf(pod: PodObject): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

export function isPodReady(pod: PodObject): boolean {
  return pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function setPodReady(pod: PodObject, ready: boolean, at: number): void {
  const status = ready ? 'True' : 'False';
  for (const type of ['Ready', 'ContainersReady']) {
    const existing = pod.status.conditions.find((c) => c.type === type);
    if (existing) {
      if (existing.status !== status) Object.assign(existing, { status, lastTransitionTime: iso(at) });
    } else {
      pod.status.conditions.push({ type, status, lastProbeTime: null, lastTransitionTime: iso(at) });
    }
  }
  setContainersReady(pod, ready);
}

/** The node's InternalIP, where its pods' hostIP points. */
export const internalIp = (node: NodeObject): string | undefined => node.status.addresses.find((a) => a.type === 'InternalIP')?.address;

/** The region of an Availability Zone (us-east-1a → us-east-1). */
export const regionOf = (zone: string): string => zone.replace(/[a-z]$/, '');

export function buildNode(spec: ParsedNodeSpec, meta: { uid: string; resourceVersion: string; at: number }): NodeObject {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/zone': spec.zone,
    'topology.kubernetes.io/region': regionOf(spec.zone),
    'karpenter.sh/capacity-type': spec.capacityType === 'SPOT' ? 'spot' : 'on-demand',
    'eks.amazonaws.com/capacityType': spec.capacityType,
    ...spec.labels,
  };
  const node: NodeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: iso(meta.at), labels, annotations: {} },
    spec: { providerID: `aws:///${spec.zone}/${spec.instanceId}` },
    status: nodeStatus(spec, iso(meta.at)),
  };
  if (spec.unschedulable) node.spec.unschedulable = true;
  if (spec.taints.length > 0) node.spec.taints = spec.taints.map((t) => ({ ...t }));
  return node;
}

export function buildPod(
  spec: ParsedPodSpec,
  meta: { uid: string; resourceVersion: string; at: number; owner?: OwnerReference; nodeName?: string; addresses?: { podIP: string; hostIP: string } },
): PodObject {
  const annotations = { ...spec.annotations };
  if (spec.mirror) annotations['kubernetes.io/config.mirror'] = `mirror-${meta.uid.slice(0, 8)}`;
  const container: PodObject['spec']['containers'][number] = { name: 'main', image: `sandbox/${spec.name}:latest` };
  if (spec.preStop) container.lifecycle = { preStop: { exec: { command: [spec.preStop] } } };
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: iso(meta.at),
      labels: { ...spec.labels },
      annotations,
    },
    spec: {
      containers: [container],
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
      restartPolicy: spec.owner !== 'none' && spec.owner.kind === 'Job' ? 'Never' : 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
    },
    status: { phase: spec.phase, conditions: [] },
  };
  if (meta.nodeName !== undefined) pod.spec.nodeName = meta.nodeName;
  if (meta.owner) pod.metadata.ownerReferences = [meta.owner];
  if (spec.priorityClassName) pod.spec.priorityClassName = spec.priorityClassName;
  if (spec.tolerations.length > 0) pod.spec.tolerations = spec.tolerations.map((t) => ({ ...t }));
  if (spec.phase !== 'Pending') {
    pod.status.startTime = iso(meta.at);
    pod.status.conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: iso(meta.at) });
    if (meta.addresses) podStarted(pod, meta.addresses, iso(meta.at));
  }
  setPodReady(pod, spec.ready && spec.phase === 'Running', meta.at);
  return pod;
}

export function buildPdb(spec: ParsedPdbSpec, meta: { uid: string; resourceVersion: string; at: number }): PdbObject {
  const pdb: PdbObject = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      generation: 1,
      creationTimestamp: iso(meta.at),
    },
    spec: { selector: { matchLabels: { ...spec.selector } } },
  };
  if (spec.minAvailable !== undefined) pdb.spec.minAvailable = spec.minAvailable;
  if (spec.maxUnavailable !== undefined) pdb.spec.maxUnavailable = spec.maxUnavailable;
  return pdb;
}

/** Does the pod tolerate the taint (core/v1 Toleration.ToleratesTaint)? */
export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (!t.key && t.operator !== 'Exists') return false;
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

/** An events.k8s.io/v1 Event as the emulator keeps it. */
export interface EventObject {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string> };
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: { kind?: string; name?: string; namespace?: string; uid?: string; apiVersion?: string; resourceVersion?: string; fieldPath?: string };
  note?: string;
  type: 'Normal' | 'Warning';
  related?: EventObject['regarding'];
  /** The core/v1 fields an events.k8s.io/v1 Event carries for old readers. */
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
}

export type TerminationCause = 'eviction' | 'delete' | 'node-termination';

/** The life of one pod (one uid), for the scenario result. */
export interface PodHistoryEntry {
  uid: string;
  namespace: string;
  name: string;
  /** The node it ran on (undefined while a replacement is unschedulable). */
  node?: string;
  owner?: { kind: string; name: string };
  createdAt: number;
  terminatingAt?: number;
  goneAt?: number;
  /** How its termination began. */
  cause?: TerminationCause;
  gracePeriodSeconds?: number;
  shutdownSeconds: number;
  /** `exited`: it finished its shutdown within the grace; `killed`: SIGKILL at the end of the grace or with its node. */
  ending?: 'exited' | 'killed';
  /** uid of the pod this one was created to replace. */
  replacementOf?: string;
}

/** A pod in the store: the API object plus what only the simulation knows. */
export interface PodRecord {
  object: PodObject;
  spec: ParsedPodSpec;
  history: PodHistoryEntry;
  /** Cancels the pending exit / kill of a terminating pod. */
  cancelTermination?: (() => void) | undefined;
  /** Clock ms at which the pod will be gone if nothing shortens it. */
  terminationDeadline?: number;
  /** Cancels a pending "becomes Ready". */
  cancelReady?: (() => void) | undefined;
}

/*
 * The parts of a pod's status the kubelet fills in once the pod is on a node: its addresses and
 * its containers' states, for clients that print them (`kubectl get pods -o wide` shows the IP,
 * READY counts ready running containers). Readiness itself stays with setPodReady.
 */

/** Pod addresses come from 100.64.0.0/16, in the order pods start: like EKS custom networking's secondary CIDR, one address per pod. */
export function podAddress(index: number): string {
  return `100.64.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

const containerId = (pod: PodObject, name: string) => `containerd://${[0, 1].map((i) => fnv1a(`${i}/${pod.metadata.uid}/${name}`).toString(16).padStart(8, '0')).join('')}`;

/** The pod's containers started on a node: addresses set, each container running (not yet ready). */
export function podStarted(pod: PodObject, addresses: { podIP: string; hostIP: string }, startedAt: string): void {
  Object.assign(pod.status, {
    hostIP: addresses.hostIP,
    hostIPs: [{ ip: addresses.hostIP }],
    podIP: addresses.podIP,
    podIPs: [{ ip: addresses.podIP }],
    qosClass: 'BestEffort',
  });
  const finished = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  pod.status.containerStatuses = pod.spec.containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    containerID: containerId(pod, c.name),
    ready: false,
    started: !finished,
    restartCount: 0,
    state: finished
      ? { terminated: { exitCode: pod.status.phase === 'Succeeded' ? 0 : 1, reason: pod.status.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt, finishedAt: startedAt, containerID: containerId(pod, c.name) } }
      : { running: { startedAt } },
  }));
}

/** Every running container's `ready` follows the pod's Ready condition (one container per pod here). */
export function setContainersReady(pod: PodObject, ready: boolean): void {
  const statuses = pod.status.containerStatuses as Array<{ ready: boolean; state: { running?: unknown } }> | undefined;
  for (const status of statuses ?? []) status.ready = ready && status.state.running !== undefined;
}
