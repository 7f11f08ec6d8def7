import { describe, expect, it } from 'vitest';
import { authorize, type UserInfo } from '../../../sandbox/kube/rbac/authorizer.ts';
import { DEFAULT_RBAC_OBJECTS } from '../../../sandbox/kube/rbac/defaults.ts';
import { buildPolicy, parseRbacManifest } from '../../../sandbox/kube/rbac/manifest.ts';
import { requestAttributes } from '../../../sandbox/kube/rbac/request-info.ts';

/** kube-apiserver's RBAC rule matching and binding resolution, on small manifests. */

const GROUP = 'rbac.authorization.k8s.io';

function clusterRole(name: string, rules: string): string {
  return `apiVersion: ${GROUP}/v1\nkind: ClusterRole\nmetadata: { name: ${name} }\nrules: ${rules}\n`;
}

function role(namespace: string, name: string, rules: string): string {
  return `apiVersion: ${GROUP}/v1\nkind: Role\nmetadata: { name: ${name}, namespace: ${namespace} }\nrules: ${rules}\n`;
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', roleKind: 'ClusterRole' | 'Role', roleName: string, subject: string, namespace?: string): string {
  const meta = namespace ? `{ name: b-${roleName}, namespace: ${namespace} }` : `{ name: b-${roleName} }`;
  return `apiVersion: ${GROUP}/v1\nkind: ${kind}\nmetadata: ${meta}\nroleRef: { apiGroup: ${GROUP}, kind: ${roleKind}, name: ${roleName} }\nsubjects: [${subject}]\n`;
}

const toAlice = `{ kind: User, apiGroup: ${GROUP}, name: alice }`;
const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };

/** Whether `user` may send `method url` under the manifest documents (plus the cluster's default roles). */
function may(documents: string[], method: string, url: string, user: UserInfo = alice): boolean {
  const policy = buildPolicy([...DEFAULT_RBAC_OBJECTS, ...parseRbacManifest(documents.join('---\n'), 'test')]);
  const parsed = new URL(url, 'http://emulator.invalid');
  return authorize(policy, user, requestAttributes(method, parsed.pathname, parsed.searchParams)).allowed;
}

describe('RBAC rule matching', () => {
  it('matches verbs, API groups and resources exactly, or by *', () => {
    const exact = [clusterRole('r', `[{ apiGroups: [""], resources: [nodes], verbs: [get, patch] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(exact, 'GET', '/api/v1/nodes/n1')).toBe(true);
    expect(may(exact, 'PATCH', '/api/v1/nodes/n1')).toBe(true);
    expect(may(exact, 'GET', '/api/v1/nodes')).toBe(false); // list is not get
    expect(may(exact, 'DELETE', '/api/v1/nodes/n1')).toBe(false);
    expect(may(exact, 'GET', '/apis/apps/v1/namespaces/a/deployments/d')).toBe(false);

    const anyVerb = [clusterRole('r', `[{ apiGroups: [""], resources: [pods], verbs: ["*"] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(anyVerb, 'DELETE', '/api/v1/namespaces/a/pods')).toBe(true); // deletecollection
    expect(may(anyVerb, 'GET', '/api/v1/nodes/n1')).toBe(false);

    const anyGroup = [clusterRole('r', `[{ apiGroups: ["*"], resources: [events], verbs: [create] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(anyGroup, 'POST', '/apis/events.k8s.io/v1/namespaces/a/events')).toBe(true);
    expect(may(anyGroup, 'POST', '/api/v1/namespaces/a/events')).toBe(true);

    const anyResource = [clusterRole('r', `[{ apiGroups: [apps], resources: ["*"], verbs: [get] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(anyResource, 'GET', '/apis/apps/v1/namespaces/a/deployments/d')).toBe(true);
    expect(may(anyResource, 'GET', '/apis/apps/v1/namespaces/a/deployments/d/scale')).toBe(true); // * covers subresources
    expect(may(anyResource, 'GET', '/api/v1/namespaces/a/pods/p')).toBe(false);
  });

  it('keeps a resource and its subresources apart, except for */subresource', () => {
    const pods = [clusterRole('r', `[{ apiGroups: [""], resources: [pods], verbs: [create, get, update] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(pods, 'POST', '/api/v1/namespaces/a/pods/p/eviction')).toBe(false);
    expect(may(pods, 'PUT', '/api/v1/nodes/n1/status')).toBe(false);

    const eviction = [clusterRole('r', `[{ apiGroups: [""], resources: [pods/eviction], verbs: [create] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(eviction, 'POST', '/api/v1/namespaces/a/pods/p/eviction')).toBe(true);
    expect(may(eviction, 'POST', '/api/v1/namespaces/a/pods')).toBe(false);

    const anyStatus = [clusterRole('r', `[{ apiGroups: [""], resources: ["*/status"], verbs: [update] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(anyStatus, 'PUT', '/api/v1/nodes/n1/status')).toBe(true);
    expect(may(anyStatus, 'PUT', '/api/v1/namespaces/a/pods/p/status')).toBe(true);
    expect(may(anyStatus, 'PUT', '/api/v1/nodes/n1')).toBe(false);
    expect(may(anyStatus, 'PUT', '/api/v1/namespaces/a/pods/p/ephemeralcontainers')).toBe(false);
  });

  it('limits a rule with resourceNames to those names: a collection request has none', () => {
    const named = [clusterRole('r', `[{ apiGroups: [""], resources: [nodes], resourceNames: [n1], verbs: [get, list, watch, delete] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(named, 'GET', '/api/v1/nodes/n1')).toBe(true);
    expect(may(named, 'GET', '/api/v1/nodes/n2')).toBe(false);
    expect(may(named, 'GET', '/api/v1/nodes')).toBe(false);
    expect(may(named, 'GET', '/api/v1/nodes?fieldSelector=metadata.name%3Dn1')).toBe(true);
    expect(may(named, 'GET', '/api/v1/nodes?watch=true&fieldSelector=metadata.name%3Dn1')).toBe(true);
    expect(may(named, 'DELETE', '/api/v1/nodes')).toBe(false);
  });

  it('grants a namespaced Role only in its namespace, and only through a RoleBinding there', () => {
    const podsRole = `[{ apiGroups: [""], resources: [pods], verbs: [list, delete] }]`;
    const docs = [role('spark', 'r', podsRole), binding('RoleBinding', 'Role', 'r', toAlice, 'spark')];
    expect(may(docs, 'GET', '/api/v1/namespaces/spark/pods')).toBe(true);
    expect(may(docs, 'DELETE', '/api/v1/namespaces/spark/pods/p')).toBe(true);
    expect(may(docs, 'GET', '/api/v1/namespaces/default/pods')).toBe(false);
    expect(may(docs, 'GET', '/api/v1/pods')).toBe(false); // across namespaces is cluster scope
    // A RoleBinding in another namespace does not reach a Role of this one.
    expect(may([role('spark', 'r', podsRole), binding('RoleBinding', 'Role', 'r', toAlice, 'default')], 'GET', '/api/v1/namespaces/default/pods')).toBe(false);
  });

  it('grants a ClusterRole through a RoleBinding only in the binding’s namespace, never at the cluster scope', () => {
    const docs = [clusterRole('r', `[{ apiGroups: [""], resources: [pods, nodes], verbs: [list] }]`), binding('RoleBinding', 'ClusterRole', 'r', toAlice, 'spark')];
    expect(may(docs, 'GET', '/api/v1/namespaces/spark/pods')).toBe(true);
    expect(may(docs, 'GET', '/api/v1/namespaces/default/pods')).toBe(false);
    expect(may(docs, 'GET', '/api/v1/pods')).toBe(false);
    expect(may(docs, 'GET', '/api/v1/nodes')).toBe(false);
  });

  it('binds users by name, groups by membership, service accounts by their user name', () => {
    const rules = `[{ apiGroups: [""], resources: [nodes], verbs: [get] }]`;
    const toGroup = `{ kind: Group, apiGroup: ${GROUP}, name: lifeguard:node-drainer }`;
    expect(may([clusterRole('r', rules), binding('ClusterRoleBinding', 'ClusterRole', 'r', toGroup)], 'GET', '/api/v1/nodes/n1', { name: 'x', groups: ['lifeguard:node-drainer'] })).toBe(true);
    expect(may([clusterRole('r', rules), binding('ClusterRoleBinding', 'ClusterRole', 'r', toGroup)], 'GET', '/api/v1/nodes/n1')).toBe(false);

    const sa = { name: 'system:serviceaccount:ops:drainer', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const toSa = `{ kind: ServiceAccount, name: drainer, namespace: ops }`;
    expect(may([clusterRole('r', rules), binding('ClusterRoleBinding', 'ClusterRole', 'r', toSa)], 'GET', '/api/v1/nodes/n1', sa)).toBe(true);
    // In a RoleBinding a service account without a namespace is one of the binding's namespace.
    const podRules = `[{ apiGroups: [""], resources: [pods], verbs: [get] }]`;
    const localSa = [role('ops', 'r', podRules), binding('RoleBinding', 'Role', 'r', '{ kind: ServiceAccount, name: drainer }', 'ops')];
    expect(may(localSa, 'GET', '/api/v1/namespaces/ops/pods/p', sa)).toBe(true);
    expect(may(localSa, 'GET', '/api/v1/namespaces/ops/pods/p', { ...sa, name: 'system:serviceaccount:other:drainer' })).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    const docs = [clusterRole('r', `[{ nonResourceURLs: ["/metrics", "/logs/*"], verbs: [get] }]`), binding('ClusterRoleBinding', 'ClusterRole', 'r', toAlice)];
    expect(may(docs, 'GET', '/metrics')).toBe(true);
    expect(may(docs, 'GET', '/metrics/x')).toBe(false);
    expect(may(docs, 'GET', '/logs/kube-apiserver.log')).toBe(true);
    expect(may(docs, 'POST', '/metrics')).toBe(false);
  });

  it('gives every authenticated user discovery, everyone /version, and system:masters everything', () => {
    const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    for (const path of ['/version', '/api', '/api/v1', '/apis', '/apis/events.k8s.io/v1', '/openapi/v3', '/healthz']) expect(may([], 'GET', path)).toBe(true);
    expect(may([], 'GET', '/version', anonymous)).toBe(true);
    expect(may([], 'GET', '/api', anonymous)).toBe(false);
    expect(may([], 'GET', '/api/v1/nodes')).toBe(false);
    expect(may([], 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).toBe(true);
    const admin = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
    expect(may([], 'DELETE', '/api/v1/namespaces/kube-system/secrets', admin)).toBe(true);
    expect(may([], 'PUT', '/anything', admin)).toBe(true);
  });

  it('says which role a binding names and nobody defined, as the API server appends it to a 403', () => {
    const policy = buildPolicy([...DEFAULT_RBAC_OBJECTS, ...parseRbacManifest(binding('ClusterRoleBinding', 'ClusterRole', 'missing', toAlice), 'test')]);
    expect(authorize(policy, alice, requestAttributes('GET', '/api/v1/nodes', new URLSearchParams()))).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
    });
    const two = buildPolicy(parseRbacManifest([binding('ClusterRoleBinding', 'ClusterRole', 'a', toAlice), binding('RoleBinding', 'Role', 'b', toAlice, 'x')].join('---\n'), 'test'));
    expect(authorize(two, alice, requestAttributes('GET', '/api/v1/namespaces/x/pods', new URLSearchParams())).reason).toBe(
      'RBAC: [clusterrole.rbac.authorization.k8s.io "a" not found, role.rbac.authorization.k8s.io "b" not found]',
    );
  });
});
