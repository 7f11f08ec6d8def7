import type { ApiRequest, ApiResponse } from './routes.ts';
import { listResponse } from './list.ts';
import type { NodeObject } from './objects.ts';
import { fnv1a, mulberry32, uuidFrom } from './random.ts';
import { notFound } from './status.ts';
import type { ClusterStore } from './store.ts';

/**
 * The node heartbeats kubelets keep in kube-node-lease (coordination.k8s.io/v1 Leases named after
 * their node, renewed every 10 s, 40 s long), read-only, for `kubectl describe node`. Built on
 * request: a Ready node's kubelet renewed it just now; a node that went down renewed it last when
 * its Ready condition changed.
 */

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

function nodeLease(store: ClusterStore, node: NodeObject) {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  const renewed = ready?.status === 'True' ? store.now() : Date.parse(ready?.lastTransitionTime ?? node.metadata.creationTimestamp);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.metadata.name,
      namespace: NODE_LEASE_NAMESPACE,
      uid: uuidFrom(mulberry32(fnv1a(`lease/${node.metadata.uid}`))),
      resourceVersion: node.metadata.resourceVersion,
      creationTimestamp: node.metadata.creationTimestamp,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid }],
    },
    spec: { holderIdentity: node.metadata.name, leaseDurationSeconds: 40, renewTime: microTime(renewed) },
  };
}

/** LIST and GET of Leases: the node leases in kube-node-lease, none anywhere else. */
export function handleLeaseRequest(store: ClusterStore, request: ApiRequest): ApiResponse {
  const { namespace, name } = request.route.params;
  const leases = namespace === undefined || namespace === NODE_LEASE_NAMESPACE ? [...store.nodes.values()] : [];
  if (name !== undefined) {
    const node = leases.find((n) => n.metadata.name === name);
    if (!node) throw notFound('leases', name, 'coordination.k8s.io');
    return { status: 200, body: nodeLease(store, node) };
  }
  return listResponse('LeaseList', 'coordination.k8s.io/v1', leases.map((n) => nodeLease(store, n)), request.query, store.currentResourceVersion);
}
