import type { V1Node } from '@kubernetes/client-node';
import { KubeApiError, type JsonPatchOp, type KubeApi } from '../kube/port.ts';
import type { Persist } from './persist.ts';

/** Another writer changed the node between the read and the write: read again and decide again. */
export const CONFLICT = Symbol('conflict');

/**
 * Patches the node guarded by the resourceVersion it was read at, so a decision is only written
 * on the node it was made for. 409/422 (the precondition failed) → CONFLICT. Transient failures
 * are retried through `persist`: a write that did land before a 5xx fails its retry's precondition,
 * and the caller reads again.
 */
export async function writeGuarded(kube: KubeApi, node: V1Node, ops: JsonPatchOp[], persist: Persist): Promise<V1Node | typeof CONFLICT> {
  const name = node.metadata?.name ?? '';
  const resourceVersion = node.metadata?.resourceVersion;
  const guard: JsonPatchOp[] = resourceVersion !== undefined ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }] : [];
  try {
    return await persist(`patch node ${name}`, () => kube.patchNode(name, [...guard, ...ops]));
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 409 || err.status === 422)) return CONFLICT;
    throw err;
  }
}
