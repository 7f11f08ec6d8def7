import type { WorkloadControllers } from './controllers.ts';
import type { NodeObject, PodObject, PodRecord, Taint, TerminationCause } from './objects.ts';
import { discoveryDocument } from './discovery.ts';
import { getEvent, listEvents } from './event-views.ts';
import { handleEventRequest } from './events.ts';
import { listResponse } from './list.ts';
import { handleLeaseRequest } from './node-leases.ts';
import { applyPatch, PATCH_CONTENT_TYPES, type PatchContentType } from './patch.ts';
import { computePdbStatus, pdbsForPod, pdbWithStatus } from './pdb.ts';
import type { ApiRequest, ApiResponse } from './routes.ts';
import { POD_FIELDS, podFields } from './pod-fields.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import {
  ApiStatusError,
  badRequest,
  conflict,
  disruptionBudgetExceeded,
  invalid,
  multiplePdbs,
  notFound,
  PatchNotAppliedError,
  STALE_OBJECT,
  unsupportedMediaType,
} from './status.ts';
import { podKey, type ClusterStore } from './store.ts';
import type { Kubelet } from './termination.ts';
import { isWatchRequest } from './watch.ts';
import { handleAppsRequest } from './workloads.ts';
import { gracePeriodFromQuery, parseDeleteOptions, parseEviction, validateNode, type DeleteOptions } from './validation.ts';

const NODE_FIELDS = ['metadata.name', 'spec.unschedulable'] as const;
const PDB_FIELDS = ['metadata.name', 'metadata.namespace'] as const;


const copy = <T>(value: T): T => structuredClone(value);
const isDryRun = (query: URLSearchParams, options?: DeleteOptions) =>
  query.getAll('dryRun').includes('All') || (options?.dryRun ?? []).includes('All');

/**
 * The API server's handlers, over the store. Each runs in one synchronous step. A response body
 * may be the store's own object, not a copy: the caller serializes (or copies) it in the same step,
 * before anything can change it, as the HTTP server does (a thousand drains listing a thousand nodes
 * must not clone them all first).
 */
export class KubeApiHandlers {
  constructor(
    private readonly store: ClusterStore,
    private readonly kubelet: Kubelet,
    private readonly controllers: WorkloadControllers,
  ) {}

  handle(request: ApiRequest): ApiResponse {
    if (isWatchRequest(request.query)) {
      throw badRequest('the sandbox Kubernetes API emulator serves watches of pods only; list this resource instead');
    }
    const { params } = request.route;
    switch (request.route.operation) {
      case 'list-nodes':
        return this.listNodes(request.query);
      case 'get-node':
        return { status: 200, body: this.requireNode(params.name!) };
      case 'patch-node':
        return this.patchNode(params.name!, request);
      case 'put-node':
        return this.putNode(params.name!, request);
      case 'list-pods':
        return this.listPods(params.namespace, request.query);
      case 'watch-pods':
        throw badRequest('a pod watch is a stream: the HTTP server serves it (sandbox/kube/watch.ts)');
      case 'get-pod':
        return { status: 200, body: this.requirePod(params.namespace!, params.name!).object };
      case 'delete-pod':
        return this.deletePod(params.namespace!, params.name!, request);
      case 'evict-pod':
        return this.evictPod(params.namespace!, params.name!, request);
      case 'list-pdbs':
        return this.listPdbs(params.namespace, request.query);
      case 'get-pdb': {
        const pdb = this.store.pdbs.get(podKey(params.namespace!, params.name!));
        if (!pdb) throw notFound('poddisruptionbudgets', params.name!, 'policy');
        return { status: 200, body: pdbWithStatus(this.store, pdb) };
      }
      case 'create-event':
      case 'patch-event':
        return handleEventRequest(this.store, request);
      case 'list-events':
        return listEvents(this.store, params.namespace, request.query, 'events.k8s.io/v1');
      case 'list-core-events':
        return listEvents(this.store, params.namespace, request.query, 'v1');
      case 'get-core-event':
        return getEvent(this.store, params.namespace!, params.name!, 'v1');
      case 'list-daemonsets':
      case 'get-daemonset':
        return handleAppsRequest(this.store, 'daemonsets', request);
      case 'list-replicasets':
      case 'get-replicaset':
        return handleAppsRequest(this.store, 'replicasets', request);
      case 'list-statefulsets':
      case 'get-statefulset':
        return handleAppsRequest(this.store, 'statefulsets', request);
      case 'list-deployments':
      case 'get-deployment':
        return handleAppsRequest(this.store, 'deployments', request);
      case 'list-leases':
      case 'get-lease':
        return handleLeaseRequest(this.store, request);
      case 'discovery':
        return { status: 200, body: discoveryDocument(params, request.path ?? '', request.host ?? '') };
    }
  }

  private list(kind: string, apiVersion: string, items: Array<{ metadata: { name: string; namespace?: string } }>, query: URLSearchParams): ApiResponse {
    return listResponse(kind, apiVersion, items, query, this.store.currentResourceVersion);
  }

  private requireNode(name: string): NodeObject {
    const node = this.store.nodes.get(name);
    if (!node) throw notFound('nodes', name);
    return node;
  }

  private requirePod(namespace: string, name: string): PodRecord {
    const record = this.store.podRecord(namespace, name);
    if (!record) throw notFound('pods', name);
    return record;
  }

  private listNodes(query: URLSearchParams): ApiResponse {
    const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, NODE_FIELDS);
    const items = [...this.store.nodes.values()]
      .filter((n) => matchesLabels(labels, n.metadata.labels))
      .filter((n) => matchesFields(fields, { 'metadata.name': n.metadata.name, 'spec.unschedulable': String(n.spec.unschedulable === true) }));
    return this.list('NodeList', 'v1', items, query);
  }

  private listPods(namespace: string | undefined, query: URLSearchParams): ApiResponse {
    const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, POD_FIELDS);
    // spec.nodeName=X is answered from the by-node index, not a scan of every pod.
    const onNode = fields.find((f) => f.field === 'spec.nodeName' && f.op === '=');
    const candidates = onNode ? this.store.podsOnNode(onNode.value) : this.store.pods.values();
    const items = [...candidates]
      .map((r) => r.object)
      .filter((p) => namespace === undefined || p.metadata.namespace === namespace)
      .filter((p) => matchesLabels(labels, p.metadata.labels) && matchesFields(fields, podFields(p)));
    return this.list('PodList', 'v1', items, query);
  }

  private listPdbs(namespace: string | undefined, query: URLSearchParams): ApiResponse {
    const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, PDB_FIELDS);
    const items = [...this.store.pdbs.values()]
      .filter((p) => namespace === undefined || p.metadata.namespace === namespace)
      .filter((p) => matchesLabels(labels, p.metadata.labels))
      .filter((p) => matchesFields(fields, { 'metadata.name': p.metadata.name, 'metadata.namespace': p.metadata.namespace }))
      .map((p) => pdbWithStatus(this.store, p));
    return this.list('PodDisruptionBudgetList', 'policy/v1', items, query);
  }

  // ------------------------------------------------------------------ nodes

  private patchNode(name: string, request: ApiRequest): ApiResponse {
    const store = this.store;
    const node = this.requireNode(name);
    const contentType = request.contentType ?? '';
    if (!(PATCH_CONTENT_TYPES as readonly string[]).includes(contentType)) throw unsupportedMediaType(contentType, PATCH_CONTENT_TYPES);
    if (request.body === undefined) throw badRequest('the patch body is empty');
    let patched: NodeObject;
    try {
      patched = applyPatch(contentType as PatchContentType, node, request.body) as NodeObject;
    } catch (error) {
      if (error instanceof ApiStatusError && error.code === 422) {
        store.emit({ actor: 'api', action: 'patch-rejected', node: name, detail: error instanceof PatchNotAppliedError ? error.why : (error.body.details?.causes?.[0]?.message ?? error.message) });
      }
      throw error;
    }
    return this.writeNode(node, patched, request, 'patch');
  }

  /** PUT: the whole Node replaced, as kubectl replace and clients that update do (nodes allow an unconditional update). */
  private putNode(name: string, request: ApiRequest): ApiResponse {
    const node = this.requireNode(name);
    const body = request.body as Partial<NodeObject> | undefined;
    if (body === undefined) throw badRequest('the request body is empty: PUT needs the whole Node');
    if (body !== null && typeof body === 'object' && body.kind !== undefined && body.kind !== 'Node') {
      throw badRequest(`the object in the body is a ${String(body.kind)}, not a Node`);
    }
    return this.writeNode(node, copy(body) as NodeObject, request, 'update');
  }

  /** The checks and server-owned fields a PATCH or PUT of a Node gets, then the write (unless nothing changed or a dry run). */
  private writeNode(node: NodeObject, patched: NodeObject, request: ApiRequest, verb: 'patch' | 'update'): ApiResponse {
    const store = this.store;
    const name = node.metadata.name;
    if (!patched || typeof patched !== 'object' || Array.isArray(patched) || !patched.metadata || typeof patched.metadata !== 'object') {
      throw badRequest(`the ${verb === 'patch' ? 'patched ' : ''}object is not a Node`);
    }
    if (patched.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (patched.metadata.uid !== undefined && patched.metadata.uid !== node.metadata.uid) {
      throw conflict('nodes', name, `Precondition failed: UID in precondition: ${String(patched.metadata.uid)}, UID in object meta: ${node.metadata.uid}`);
    }
    const sentVersion = patched.metadata.resourceVersion;
    if (sentVersion !== undefined && sentVersion !== null && sentVersion !== '' && sentVersion !== node.metadata.resourceVersion) {
      store.emit({ actor: 'api', action: 'conflict', node: name, detail: `stale resourceVersion ${String(sentVersion)} (current ${node.metadata.resourceVersion})` });
      throw conflict('nodes', name, STALE_OBJECT);
    }
    validateNode(patched);
    if (patched.spec.providerID !== node.spec.providerID) {
      throw invalid('Node', name, [{ field: 'spec.providerID', message: 'Forbidden: node updates may not change providerID except from "" to valid' }]);
    }
    // Server-owned fields: a patch of the main resource cannot change them.
    patched.apiVersion = 'v1';
    patched.kind = 'Node';
    patched.status = copy(node.status);
    Object.assign(patched.metadata, {
      uid: node.metadata.uid,
      creationTimestamp: node.metadata.creationTimestamp,
      resourceVersion: node.metadata.resourceVersion,
    });
    const changes = describeNodeChanges(node, patched);
    if (changes.length === 0 || isDryRun(request.query)) return { status: 200, body: changes.length === 0 ? node : patched };
    const becameSchedulable = node.spec.unschedulable === true && patched.spec.unschedulable !== true;
    patched.metadata.resourceVersion = store.nextResourceVersion();
    store.nodes.set(name, patched);
    store.emit({ actor: 'api', action: verb, node: name, detail: changes.join(', ') });
    if (becameSchedulable) this.controllers.nodeAvailable();
    return { status: 200, body: patched };
  }

  // ------------------------------------------------------------------ pods

  /** The grace a deletion gets (pod strategy CheckGracefulDelete). */
  private effectiveGrace(pod: PodObject, requested: number | undefined): number {
    let grace = requested ?? pod.spec.terminationGracePeriodSeconds;
    if (!pod.spec.nodeName) grace = 0; // never scheduled: nothing to shut down
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') grace = 0;
    if (grace < 0) grace = 1;
    return grace;
  }

  private checkPreconditions(record: PodRecord, options: DeleteOptions): void {
    const pod = record.object;
    const pre = options.preconditions;
    const ref = podKey(pod.metadata.namespace, pod.metadata.name);
    if (pre?.uid !== undefined && pre.uid !== pod.metadata.uid) {
      this.store.emit({ actor: 'api', action: 'conflict', node: pod.spec.nodeName, pod: ref, detail: `uid precondition ${pre.uid} != ${pod.metadata.uid}` });
      throw conflict('pods', pod.metadata.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== pod.metadata.resourceVersion) {
      this.store.emit({ actor: 'api', action: 'conflict', node: pod.spec.nodeName, pod: ref, detail: `resourceVersion precondition ${pre.resourceVersion} != ${pod.metadata.resourceVersion}` });
      throw conflict(
        'pods',
        pod.metadata.name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`,
      );
    }
  }

  /** The store-level delete both DELETE and an allowed eviction end in. */
  private terminate(record: PodRecord, options: DeleteOptions, cause: TerminationCause, dryRun: boolean): PodObject {
    this.checkPreconditions(record, options);
    const grace = this.effectiveGrace(record.object, options.gracePeriodSeconds);
    if (dryRun) return record.object;
    const pod = record.object;
    this.store.emit({
      actor: 'api',
      action: cause === 'eviction' ? 'evict' : 'delete',
      node: pod.spec.nodeName,
      pod: podKey(pod.metadata.namespace, pod.metadata.name),
      detail: `grace ${grace}s${pod.metadata.deletionTimestamp ? ' (already terminating)' : ''}`,
    });
    this.kubelet.beginTermination(record, grace, cause);
    return record.object;
  }

  private deletePod(namespace: string, name: string, request: ApiRequest): ApiResponse {
    const record = this.requirePod(namespace, name);
    const fromQuery = gracePeriodFromQuery(request.query);
    const options = parseDeleteOptions(request.body, 'DeleteOptions');
    if (options.gracePeriodSeconds === undefined && fromQuery !== undefined) options.gracePeriodSeconds = fromQuery;
    const pod = this.terminate(record, options, 'delete', isDryRun(request.query, options));
    return { status: 200, body: pod };
  }

  /** policy/v1 Eviction, as pkg/registry/core/pod/storage/eviction.go decides it. */
  private evictPod(namespace: string, name: string, request: ApiRequest): ApiResponse {
    const store = this.store;
    const record = this.requirePod(namespace, name);
    const options = parseEviction(request.body, namespace, name);
    const dryRun = isDryRun(request.query, options);
    const pod = record.object;
    const ref = podKey(namespace, name);
    const success: ApiResponse = { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };

    // Terminal, pending and already terminating pods are deleted without consulting any budget.
    const phase = pod.status.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp !== undefined) {
      this.terminate(record, options, 'eviction', dryRun);
      return success;
    }

    const pdbs = pdbsForPod(store, pod);
    if (pdbs.length > 1) {
      store.emit({ actor: 'api', action: 'evict-refused-multiple-pdbs', node: pod.spec.nodeName, pod: ref, detail: pdbs.map((p) => p.metadata.name).join(', ') });
      throw multiplePdbs();
    }
    const pdb = pdbs[0];
    if (pdb) {
      const status = computePdbStatus(store, pdb);
      const podReady = pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      // An unready pod does not count as healthy: it may go while the budget is otherwise met.
      const unhealthyButBudgetMet = !podReady && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0;
      if (!unhealthyButBudgetMet && status.disruptionsAllowed <= 0) {
        store.emit({
          actor: 'api',
          action: 'evict-refused-pdb',
          node: pod.spec.nodeName,
          pod: ref,
          detail: `${pdb.metadata.name}: needs ${status.desiredHealthy} healthy, has ${status.currentHealthy}`,
        });
        throw disruptionBudgetExceeded(pdb.metadata.name, status.desiredHealthy, status.currentHealthy);
      }
    }
    this.terminate(record, options, 'eviction', dryRun);
    return success;
  }
}

function taintId(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** A short, human-readable diff for the timeline ("unschedulable=true, +taint x:NoSchedule, ..."). */
function describeNodeChanges(before: NodeObject, after: NodeObject): string[] {
  const changes: string[] = [];
  if ((before.spec.unschedulable === true) !== (after.spec.unschedulable === true)) changes.push(`unschedulable=${after.spec.unschedulable === true}`);
  const beforeTaints = new Set((before.spec.taints ?? []).map(taintId));
  const afterTaints = new Set((after.spec.taints ?? []).map(taintId));
  for (const t of afterTaints) if (!beforeTaints.has(t)) changes.push(`+taint ${t}`);
  for (const t of beforeTaints) if (!afterTaints.has(t)) changes.push(`-taint ${t}`);
  for (const field of ['labels', 'annotations'] as const) {
    const a = before.metadata[field] ?? {};
    const b = after.metadata[field] ?? {};
    for (const [k, v] of Object.entries(b)) if (a[k] !== v) changes.push(`+${field === 'labels' ? 'label' : 'annotation'} ${k}=${v}`);
    for (const k of Object.keys(a)) if (!(k in b)) changes.push(`-${field === 'labels' ? 'label' : 'annotation'} ${k}`);
  }
  if (changes.length === 0 && JSON.stringify(before) !== JSON.stringify(after)) changes.push('other fields');
  return changes;
}
