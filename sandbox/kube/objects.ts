import { nodeStatus } from './node-status.ts';
import { podStarted, setContainersReady } from './pod-status.ts';
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
