import type { V1Node } from '@kubernetes/client-node';
import { isPreconditionFailure, type JsonPatchOp, type KubeApi } from '../kube/port.ts';
import type { RetryWithinBudget } from './retry-budget.ts';

/** Another writer changed the node between the read and the write: read again and decide again. */
export const CONFLICT = Symbol('conflict');

/**
 * Patches the node guarded by the resourceVersion it was read at, so a decision is only written
 * on the node it was made for.
 */
export function writeGuarded(kube: KubeApi, node: V1Node, ops: JsonPatchOp[], retry: RetryWithinBudget): Promise<V1Node | typeof CONFLICT> {
  const resourceVersion = node.metadata?.resourceVersion;
  const guard: JsonPatchOp[] = resourceVersion !== undefined ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }] : [];
  return patchUnlessChanged(kube, node.metadata?.name ?? '', [...guard, ...ops], retry);
}

/**
 * Patches the node; a failed precondition (409/422: a `test` op in `ops` no longer holds) →
 * CONFLICT. Transient failures are retried through `retry`: a write that did land before a 5xx
 * fails its retry's precondition, and the caller reads again.
 */
export async function patchUnlessChanged(kube: KubeApi, name: string, ops: JsonPatchOp[], retry: RetryWithinBudget): Promise<V1Node | typeof CONFLICT> {
  try {
    return await retry(`patch node ${name}`, () => kube.patchNode(name, ops));
  } catch (err) {
    if (isPreconditionFailure(err)) return CONFLICT;
    throw err;
  }
}
