import type { V1Node } from '@kubernetes/client-node';

// Labels that name a node's group, in order of preference: EKS managed node groups, Karpenter,
// eksctl self-managed groups.
const GROUP_LABELS = ['eks.amazonaws.com/nodegroup', 'karpenter.sh/nodepool', 'karpenter.sh/provisioner-name', 'alpha.eksctl.io/nodegroup-name'];

/** Spot capacity, by the labels EKS managed node groups, Karpenter and common self-managed setups set. */
export function isSpot(node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return (
    labels['eks.amazonaws.com/capacityType'] === 'SPOT' ||
    labels['karpenter.sh/capacity-type'] === 'spot' ||
    labels['node.kubernetes.io/lifecycle'] === 'spot'
  );
}

/** The node's group; nodes with no group label are grouped by capacity type. */
export function nodeGroupOf(node: V1Node): string {
  const labels = node.metadata?.labels ?? {};
  for (const key of GROUP_LABELS) if (labels[key]) return labels[key];
  return isSpot(node) ? '(ungrouped Spot nodes)' : '(ungrouped On-Demand nodes)';
}
