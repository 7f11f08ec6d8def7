import { listResponse } from './list.ts';
import { controllerOf, iso, isPodReady, type PodObject } from './objects.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { APPS_RESOURCES, type ApiRequest, type ApiResponse, type AppsResource } from './routes.ts';
import { notFound } from './status.ts';
import type { ClusterStore, WorkloadController } from './store.ts';

/**
 * apps/v1 DaemonSets, ReplicaSets, StatefulSets and Deployments, read-only, for clients that look
 * up a pod's owner: `kubectl drain` GETs the DaemonSet a pod names before it ignores the pod,
 * `kubectl describe pod` shows "Controlled By". The emulator keeps no workload specs: each object
 * is built on request from the controller its pods name (store.controllers) and the pods it owns
 * now, like the PodDisruptionBudget status. Scenario pods name ReplicaSets, not Deployments, so
 * the Deployment list is empty.
 */


const GENERIC_FIELDS = ['metadata.name', 'metadata.namespace'] as const;

function ownedPods(store: ClusterStore, controller: WorkloadController): PodObject[] {
  const pods: PodObject[] = [];
  for (const { object } of store.podsInNamespace(controller.namespace)) if (controllerOf(object)?.uid === controller.uid) pods.push(object);
  return pods;
}

/** The labels every owned pod carries: the selector a controller of these pods would have. */
function commonLabels(pods: PodObject[]): Record<string, string> {
  const [first, ...rest] = pods;
  return Object.fromEntries(Object.entries(first?.metadata.labels ?? {}).filter(([k, v]) => rest.every((p) => p.metadata.labels?.[k] === v)));
}

export function workloadObject(store: ClusterStore, controller: WorkloadController) {
  const pods = ownedPods(store, controller);
  const active = pods.filter((p) => p.metadata.deletionTimestamp === undefined);
  const ready = active.filter(isPodReady).length;
  const matchLabels = commonLabels(pods);
  const image = pods[0]?.spec.containers[0]?.image ?? `sandbox/${controller.name}:latest`;
  const spec = {
    selector: { matchLabels },
    template: { metadata: { labels: matchLabels }, spec: { containers: [{ name: 'main', image }] } },
  };
  const metadata = {
    name: controller.name,
    namespace: controller.namespace,
    labels: matchLabels,
    uid: controller.uid,
    resourceVersion: controller.resourceVersion,
    generation: 1,
    creationTimestamp: iso(controller.createdAt),
  };
  switch (controller.kind) {
    case 'DaemonSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata,
        spec: { ...spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
        // The emulator runs no DaemonSet controller: the pods it has are all it wants.
        status: {
          currentNumberScheduled: pods.length,
          desiredNumberScheduled: pods.length,
          numberMisscheduled: 0,
          numberReady: ready,
          updatedNumberScheduled: pods.length,
          numberAvailable: ready,
          ...(pods.length - ready > 0 ? { numberUnavailable: pods.length - ready } : {}),
          observedGeneration: 1,
        },
      };
    case 'StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata,
        spec: { ...spec, replicas: controller.replicas, serviceName: controller.name, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate' } },
        status: { replicas: pods.length, readyReplicas: ready, currentReplicas: pods.length, updatedReplicas: pods.length, availableReplicas: ready, observedGeneration: 1, collisionCount: 0 },
      };
    default:
      return {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata,
        spec: { ...spec, replicas: controller.replicas },
        // Terminating pods are not replicas (the ReplicaSet controller's active pods).
        status: { replicas: active.length, fullyLabeledReplicas: active.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
      };
  }
}

/** LIST and GET of one apps/v1 resource. */
export function handleAppsRequest(store: ClusterStore, resource: AppsResource, request: ApiRequest): ApiResponse {
  const { kind } = APPS_RESOURCES[resource];
  const { namespace, name } = request.route.params;
  const controllers = [...store.controllers.values()].filter((c) => c.kind === kind && (namespace === undefined || c.namespace === namespace));
  if (name !== undefined) {
    const controller = controllers.find((c) => c.name === name);
    if (!controller) throw notFound(resource, name, 'apps');
    return { status: 200, body: workloadObject(store, controller) };
  }
  const labels = parseLabelSelector(request.query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(request.query.get('fieldSelector') ?? undefined, GENERIC_FIELDS);
  const items = controllers
    .map((c) => workloadObject(store, c))
    .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, { 'metadata.name': o.metadata.name, 'metadata.namespace': o.metadata.namespace }));
  return listResponse(`${kind}List`, 'apps/v1', items, request.query, store.currentResourceVersion);
}
