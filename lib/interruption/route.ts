import { handleBatch, type BatchDeps, type ClusterTarget } from './batch.ts';
import type { InterruptionReport } from './report.ts';

export type { ClusterTarget } from './batch.ts';

/**
 * One direct delivery (EventBridge or Scheduler invoking the function, `lifeguard handle`) for
 * every configured cluster: it goes to each cluster that has a node for one of its instances (or
 * cannot tell yet), a continuation to the cluster it names (routing: batch.ts). Throws when some
 * of its work could not be done now, so the delivery is retried.
 */
export async function handleForClusters(event: unknown, clusters: readonly ClusterTarget[], base: BatchDeps): Promise<InterruptionReport[]> {
  const [result] = await handleBatch([{ id: 'event', body: event }], clusters, base);
  if (result!.error !== undefined) throw result!.error;
  return result!.reports;
}
