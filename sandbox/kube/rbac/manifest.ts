import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestObjects } from '../manifest-objects.ts';
import { parseSpec } from '../specs.ts';
import { RBAC_GROUP, RBAC_KINDS, type ClusterRoleBinding, type PolicyRule, type RbacObject, type RoleBinding } from './objects.ts';

/** The manifest Lifeguard ships, the one a cluster administrator applies. */
export const LIFEGUARD_RBAC_MANIFEST = fileURLToPath(new URL('../../../deploy/kubernetes-rbac.yaml', import.meta.url));

/** Everything the authorizer reads: roles by name, and the bindings that hand them out. */
export interface RbacPolicy {
  clusterRoles: Map<string, PolicyRule[]>;
  /** By "namespace/name". */
  roles: Map<string, PolicyRule[]>;
  clusterRoleBindings: ClusterRoleBinding[];
  roleBindings: RoleBinding[];
}

/**
 * The RBAC objects of a YAML manifest (several documents, or a `kind: List`), each validated; an
 * object of another API group (a ServiceAccount, a FlowSchema) is not the authorizer's business and
 * is passed over. `source` names the manifest in errors.
 */
export function parseRbacManifest(text: string, source: string): RbacObject[] {
  return manifestObjects(text, source, parseRbacObject);
}

/** The manifest at `path`, read and parsed. */
export function readRbacManifest(path: string): RbacObject[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`RBAC manifest ${path} cannot be read: ${(error as Error).message}`);
  }
  return parseRbacManifest(text, path);
}

function parseRbacObject(item: unknown, where: string): RbacObject | undefined {
  const { apiVersion, kind, metadata } = (item ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${RBAC_GROUP}/`)) return undefined;
  if (typeof kind !== 'string' || !(kind in RBAC_KINDS)) {
    throw new Error(`${where}: kind: expected one of ${Object.keys(RBAC_KINDS).join(', ')} in ${RBAC_GROUP} (got ${JSON.stringify(kind)})`);
  }
  const what = `${where} (${kind} ${typeof metadata?.name === 'string' ? metadata.name : 'without a name'})`;
  return parseSpec(RBAC_KINDS[kind as keyof typeof RBAC_KINDS], item, what) as RbacObject;
}

/** Roles by name and the bindings, from objects applied in order; the same object twice is a mistake. */
export function buildPolicy(objects: readonly RbacObject[]): RbacPolicy {
  const policy: RbacPolicy = { clusterRoles: new Map(), roles: new Map(), clusterRoleBindings: [], roleBindings: [] };
  const seen = new Set<string>();
  for (const object of objects) {
    const namespace = 'namespace' in object.metadata ? (object.metadata.namespace as string) : '';
    const key = `${object.kind} ${namespace ? `${namespace}/` : ''}${object.metadata.name}`;
    if (seen.has(key)) throw new Error(`RBAC: ${key} is defined twice (the second would silently replace the first)`);
    seen.add(key);
    switch (object.kind) {
      case 'ClusterRole':
        policy.clusterRoles.set(object.metadata.name, object.rules);
        break;
      case 'Role':
        policy.roles.set(`${namespace}/${object.metadata.name}`, object.rules);
        break;
      case 'ClusterRoleBinding':
        policy.clusterRoleBindings.push(object);
        break;
      case 'RoleBinding':
        policy.roleBindings.push(object);
        break;
    }
  }
  return policy;
}
