import { handleBatch } from './batch.ts';
import type { InterruptionDeps } from './deps.ts';
import type { InterruptionReport } from './report.ts';

export type { InterruptionDeps } from './deps.ts';
export type { InstanceReport, InstanceStatus, InterruptionReport, LifecycleStatus } from './report.ts';

/**
 * Handles one delivery end to end: an EventBridge event, or one of Lifeguard's own continuations
 * (a one-time schedule firing, a drain handed over). Each instance's node gets one step of its
 * lifecycle (lib/lifecycle/table.ts): schedule, cordon, drain, hand over, revert... A Health event listing
 * many instances is handled as a batch of one (batch.ts): every node cordoned, then drained.
 *
 * Never throws for bad input (a malformed, unsupported or foreign event is reported `ignored` and
 * changes nothing: a retry could not help). Throws when the work could not be done now — the
 * Kubernetes API failed for good, another invocation holds the node — so the delivery is retried;
 * the node's lifecycle record makes that retry resume.
 */
export async function handleInterruption(event: unknown, deps: InterruptionDeps): Promise<InterruptionReport> {
  const { kube, nodes, clusterName, ...base } = deps;
  const [result] = await handleBatch([{ id: 'event', body: event }], [{ name: clusterName, kube, nodes }], base);
  if (result!.error !== undefined) throw result!.error;
  return result!.reports[0]!;
}
