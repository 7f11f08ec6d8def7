import type { WorkloadControllers } from './controllers.ts';
import { buildNode, buildPdb, buildPod, internalIp, ownerReference, type NodeObject, type OwnerReference, type PdbObject, type PodObject, type PodRecord } from './objects.ts';
import { pdbWithStatus } from './pdb.ts';
import { parseSpec, pdbSpecSchema, podSpecSchema, type ParsedNodeSpec, type PdbSpec, type PodSpec } from './specs.ts';
import { podKey, type ClusterStore } from './store.ts';

/** What the world adds to the emulated cluster, outside the API: nodes, pods and budgets from checked specs. */

export function insertNode(store: ClusterStore, controllers: WorkloadControllers, spec: ParsedNodeSpec): NodeObject {
  if (store.nodes.has(spec.name)) throw new Error(`node "${spec.name}" already exists`);
  const node = buildNode(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: store.now() });
  store.nodes.set(spec.name, node);
  controllers.nodeAvailable();
  return structuredClone(node);
}

/** The pod's owner: its node for a mirror pod, else its controller, whose replicas count it. */
function ownerFor(store: ClusterStore, spec: ReturnType<typeof podSpecSchema.parse>): OwnerReference | undefined {
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
}

export function addPod(store: ClusterStore, input: PodSpec): PodObject {
  const spec = parseSpec(podSpecSchema, input, `pod ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`);
  if (!store.nodes.has(spec.node)) throw new Error(`invalid pod "${spec.namespace}/${spec.name}": node: no node named "${spec.node}"`);
  if (store.terminatedNodes.has(spec.node)) throw new Error(`invalid pod "${spec.namespace}/${spec.name}": node: "${spec.node}" is terminated`);
  if (store.podRecord(spec.namespace, spec.name)) throw new Error(`pod "${spec.namespace}/${spec.name}" already exists`);
  const owner = ownerFor(store, spec);
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
}

export function addPdb(store: ClusterStore, input: PdbSpec): PdbObject {
  const spec = parseSpec(pdbSpecSchema, input, `PodDisruptionBudget ${JSON.stringify((input as { name?: unknown })?.name ?? '?')}`);
  const key = podKey(spec.namespace, spec.name);
  if (store.pdbs.has(key)) throw new Error(`PodDisruptionBudget "${key}" already exists`);
  const pdb = buildPdb(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: store.now() });
  store.pdbs.set(key, pdb);
  return pdbWithStatus(store, pdb);
}
