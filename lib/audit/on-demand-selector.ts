import type { V1Node } from '@kubernetes/client-node';
import { isSpot } from './node-groups.ts';

/**
 * The Spark setting that keeps a driver off Spot, in the labels this cluster's nodes carry. Who
 * launched the Spot node decides: a managed node group labels eks.amazonaws.com/capacityType
 * (SPOT / ON_DEMAND), Karpenter karpenter.sh/capacity-type (spot / on-demand); a self-managed group
 * has what its bootstrap sets, commonly node.kubernetes.io/lifecycle=spot, and its On-Demand nodes
 * may carry another value of it or none.
 */
export function onDemandDriverSetting(spotNode: V1Node | undefined, nodes: readonly V1Node[]): string {
  const labels = spotNode?.metadata?.labels ?? {};
  const selector = (key: string, value: string) => `spark.kubernetes.driver.node.selector.${key}=${value}`;
  if (labels['eks.amazonaws.com/nodegroup'] || (labels['eks.amazonaws.com/capacityType'] === 'SPOT' && !launchedByKarpenter(labels))) {
    return selector('eks.amazonaws.com/capacityType', 'ON_DEMAND');
  }
  if (launchedByKarpenter(labels) || labels['karpenter.sh/capacity-type'] === 'spot') return selector('karpenter.sh/capacity-type', 'on-demand');
  // Self-managed: the value the On-Demand nodes really carry, else an affinity that only says "not Spot".
  const onDemand = nodes.filter((n) => !isSpot(n)).map((n) => n.metadata?.labels?.['node.kubernetes.io/lifecycle']);
  const value = onDemand.length > 0 && onDemand.every((v) => v !== undefined && v === onDemand[0]) ? onDemand[0] : undefined;
  if (value) return selector('node.kubernetes.io/lifecycle', value);
  return 'a driver pod template (spark.kubernetes.driver.podTemplateFile) with the node affinity node.kubernetes.io/lifecycle NotIn [spot]';
}

const launchedByKarpenter = (labels: Record<string, string>) => Boolean(labels['karpenter.sh/nodepool'] ?? labels['karpenter.sh/provisioner-name']);
