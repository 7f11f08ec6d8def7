import { RBAC_GROUP, type ClusterRole, type ClusterRoleBinding, type PolicyRule } from './objects.ts';

/**
 * The default roles and bindings every kube-apiserver creates at startup
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go) that matter to a client of the
 * emulator: cluster-admin for system:masters, API discovery for every authenticated user, the
 * version and health endpoints for everyone, and a user's questions about its own permissions.
 */

const rule = (verbs: string[], grant: Partial<Omit<PolicyRule, 'verbs'>>): PolicyRule => ({
  verbs,
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
  ...grant,
});

const clusterRole = (name: string, rules: PolicyRule[]): ClusterRole => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});

const bindToGroups = (role: string, groups: string[]): ClusterRoleBinding => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name: role },
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
  subjects: groups.map((name) => ({ kind: 'Group' as const, apiGroup: RBAC_GROUP, name })),
});

export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const MASTERS = 'system:masters';

export const DEFAULT_RBAC_OBJECTS = [
  clusterRole('cluster-admin', [rule(['*'], { apiGroups: ['*'], resources: ['*'] }), rule(['*'], { nonResourceURLs: ['*'] })]),
  clusterRole('system:discovery', [
    rule(['get'], { nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'] }),
  ]),
  clusterRole('system:public-info-viewer', [rule(['get'], { nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/'] })]),
  clusterRole('system:basic-user', [rule(['create'], { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] })]),
  bindToGroups('cluster-admin', [MASTERS]),
  bindToGroups('system:discovery', [AUTHENTICATED]),
  // Since Kubernetes 1.14 only the version and health endpoints are open to unauthenticated users.
  bindToGroups('system:public-info-viewer', [AUTHENTICATED, UNAUTHENTICATED]),
  bindToGroups('system:basic-user', [AUTHENTICATED]),
];
