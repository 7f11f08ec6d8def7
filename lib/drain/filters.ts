import type { V1Pod } from '@kubernetes/client-node';

/**
 * What one filter thinks of a pod. `waitForExit` marks a skipped pod that is on its way out
 * already: the drain does not evict it again but does wait for it to be gone.
 */
export interface FilterResult {
  verdict: 'evict' | 'skip';
  reason: string;
  waitForExit?: boolean;
}

/** A filter returns a verdict, or undefined when it has no opinion about the pod. */
export type PodFilter = (pod: V1Pod) => FilterResult | undefined;

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Static pods are shown through mirror pods: the API cannot evict them, the kubelet owns them. */
export const skipMirrorPods: PodFilter = (pod) =>
  pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined
    ? { verdict: 'skip', reason: 'mirror pod (static pod managed by the kubelet)' }
    : undefined;

/** Pods that already ran to completion hold nothing to move. */
export const skipFinishedPods: PodFilter = (pod) => {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed'
    ? { verdict: 'skip', reason: `finished pod (phase ${phase})` }
    : undefined;
};

/** The DaemonSet controller ignores unschedulable and would recreate its pod on this node anyway. */
export const skipDaemonSetPods: PodFilter = (pod) =>
  (pod.metadata?.ownerReferences ?? []).some((owner) => owner.kind === 'DaemonSet' && owner.controller !== false)
    ? { verdict: 'skip', reason: 'DaemonSet pod' }
    : undefined;

/** A pod with a deletionTimestamp is shutting down already: evicting it again changes nothing. */
export const waitForTerminatingPods: PodFilter = (pod) =>
  pod.metadata?.deletionTimestamp
    ? { verdict: 'skip', reason: 'already terminating', waitForExit: true }
    : undefined;

export const defaultFilters: readonly PodFilter[] = [
  skipMirrorPods,
  skipFinishedPods,
  skipDaemonSetPods,
  waitForTerminatingPods,
];

/** The first filter with an opinion decides; a pod no filter objects to is evicted. */
export function filterPod(pod: V1Pod, filters: readonly PodFilter[] = defaultFilters): FilterResult {
  for (const filter of filters) {
    const result = filter(pod);
    if (result) return result;
  }
  return { verdict: 'evict', reason: 'workload pod' };
}
