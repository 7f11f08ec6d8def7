import type { V1Node } from '@kubernetes/client-node';
import type { JsonPatchOp } from './port.ts';

/** RFC 6901: `~` → `~0`, `/` → `~1` in one path segment. */
export const pointerSegment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

export const annotationPath = (key: string): string => `/metadata/annotations/${pointerSegment(key)}`;

/**
 * JSON-patch ops that set `set` and remove `remove` among the node's annotations. When the node has
 * no annotations map yet, one `add` creates it with every value (a patch cannot add into a missing
 * map). Keys to remove that are absent are left out: removing a missing member fails the patch.
 */
export function annotationOps(node: V1Node, set: Record<string, string>, remove: readonly string[] = []): JsonPatchOp[] {
  const existing = node.metadata?.annotations;
  if (!existing) return Object.keys(set).length ? [{ op: 'add', path: '/metadata/annotations', value: { ...set } }] : [];
  const ops: JsonPatchOp[] = Object.entries(set).map(([key, value]) => ({ op: 'add', path: annotationPath(key), value }));
  for (const key of remove) if (key in existing && !(key in set)) ops.push({ op: 'remove', path: annotationPath(key) });
  return ops;
}
