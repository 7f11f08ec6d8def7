import { parseEvent } from '../events/parse.ts';
import { CONTINUATION_KEY, isContinuationPayload } from '../lifecycle/continuation.ts';
import { handleInterruption, type InterruptionDeps, type InterruptionReport } from './handle.ts';

/** One protected EKS cluster as the handler sees it. */
export interface ClusterTarget {
  name: string;
  kube: InterruptionDeps['kube'];
  nodes: InterruptionDeps['nodes'];
}

/**
 * One set of EventBridge rules serves every configured cluster: the event goes to each cluster
 * that has a node for one of its instances (usually exactly one), and to each that cannot tell yet
 * (its lookup failed, or must wait for its next node list): there the handler's own retries settle
 * it, and a node that joined moments ago keeps its notice. A continuation goes to the cluster it
 * names. An event no cluster knows is handled by the first, which reports it ignored and changes
 * nothing.
 */
export async function handleForClusters(
  event: unknown,
  clusters: readonly ClusterTarget[],
  base: Omit<InterruptionDeps, 'kube' | 'nodes' | 'clusterName'>,
): Promise<InterruptionReport[]> {
  const [first] = clusters;
  if (!first) throw new Error('no EKS cluster is configured (config: eks[]): Lifeguard has no node to protect');
  const run = (cluster: ClusterTarget) => handleInterruption(event, { ...base, kube: cluster.kube, nodes: cluster.nodes, clusterName: cluster.name });
  const named = continuationCluster(event);
  if (named !== undefined) return [await run(clusters.find((c) => c.name === named) ?? first)];
  if (clusters.length === 1) return [await run(first)];

  let instanceIds: string[];
  try {
    instanceIds = parseEvent(event).instanceIds;
  } catch {
    return [await run(first)]; // reported as ignored, with the reason
  }
  const owners: ClusterTarget[] = [];
  for (const cluster of clusters) {
    const resolved = await Promise.allSettled(instanceIds.map((id) => cluster.nodes.resolve(id)));
    if (resolved.some((r) => r.status === 'rejected' || r.value !== undefined)) owners.push(cluster);
  }
  return Promise.all((owners.length ? owners : [first]).map(run));
}

/** The cluster a continuation names, if the event is one (validated later, by the handler). */
function continuationCluster(event: unknown): string | undefined {
  if (!isContinuationPayload(event)) return undefined;
  const cluster = (event[CONTINUATION_KEY] as { cluster?: unknown } | null)?.cluster;
  return typeof cluster === 'string' ? cluster : undefined;
}
