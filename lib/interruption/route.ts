import { parseEvent } from '../events/parse.ts';
import { handleInterruption, type InterruptionDeps, type InterruptionReport } from './handle.ts';

/** One protected EKS cluster as the handler sees it. */
export interface ClusterTarget {
  name: string;
  kube: InterruptionDeps['kube'];
  nodes: InterruptionDeps['nodes'];
}

/**
 * One set of EventBridge rules serves every configured cluster: the event goes to each cluster
 * that has a node for one of its instances (usually exactly one). An event no cluster knows is
 * handled by the first, which reports it ignored and changes nothing.
 */
export async function handleForClusters(
  event: unknown,
  clusters: readonly ClusterTarget[],
  base: Omit<InterruptionDeps, 'kube' | 'nodes'>,
): Promise<InterruptionReport[]> {
  const [first] = clusters;
  if (!first) throw new Error('no EKS cluster is configured (config: eks[]): Lifeguard has no node to protect');
  const run = (cluster: ClusterTarget) => handleInterruption(event, { ...base, kube: cluster.kube, nodes: cluster.nodes });
  if (clusters.length === 1) return [await run(first)];

  let instanceIds: string[];
  try {
    instanceIds = parseEvent(event).instanceIds;
  } catch {
    return [await run(first)]; // reported as ignored, with the reason
  }
  const owners: ClusterTarget[] = [];
  for (const cluster of clusters) {
    const resolved = await Promise.all(instanceIds.map((id) => cluster.nodes.resolve(id)));
    if (resolved.some(Boolean)) owners.push(cluster);
  }
  return Promise.all((owners.length ? owners : [first]).map(run));
}
