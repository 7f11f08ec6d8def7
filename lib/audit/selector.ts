import type { V1LabelSelector } from '@kubernetes/client-node';

/**
 * Does a label selector (matchLabels and matchExpressions) select these labels? An empty selector
 * selects everything, as in policy/v1 PodDisruptionBudgets.
 */
export function selects(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[expression.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expression.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
