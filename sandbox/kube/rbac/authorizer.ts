import type { RbacPolicy } from './manifest.ts';
import type { PolicyRule, Subject } from './objects.ts';
import type { RequestAttributes } from './request-info.ts';

/**
 * kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go and the rule matching
 * of pkg/apis/rbac/v1/evaluation_helpers.go): a request is allowed when a rule of a role bound to
 * the user allows it. ClusterRoleBindings apply everywhere; RoleBindings only to requests in their
 * own namespace, so never to cluster-scoped resources or to a list across namespaces.
 */

/** Who made a request (k8s.io/apiserver/pkg/authentication/user.Info). */
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export interface Decision {
  allowed: boolean;
  /**
   * Why a denial may not be what the manifest meant: `RBAC: ...` naming a role a binding refers to
   * and nobody defined, as kube-apiserver appends it to its 403 message. Empty otherwise.
   */
  reason: string;
}

export function authorize(policy: RbacPolicy, user: UserInfo, request: RequestAttributes): Decision {
  const errors: string[] = [];
  const granted = (rules: PolicyRule[] | undefined, missing: string): boolean => {
    if (!rules) {
      errors.push(missing);
      return false;
    }
    return rules.some((rule) => ruleAllows(rule, request));
  };
  for (const binding of policy.clusterRoleBindings) {
    if (!binding.subjects.some((s) => appliesTo(user, s, ''))) continue;
    const name = binding.roleRef.name;
    if (granted(policy.clusterRoles.get(name), notFound('clusterrole', name))) return { allowed: true, reason: '' };
  }
  const namespace = request.resourceRequest ? request.namespace : '';
  if (namespace !== '') {
    for (const binding of policy.roleBindings) {
      if (binding.metadata.namespace !== namespace || !binding.subjects.some((s) => appliesTo(user, s, namespace))) continue;
      const { kind, name } = binding.roleRef;
      const rules = kind === 'Role' ? policy.roles.get(`${namespace}/${name}`) : policy.clusterRoles.get(name);
      if (granted(rules, notFound(kind.toLowerCase(), name))) return { allowed: true, reason: '' };
    }
  }
  return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregate(errors)}` : '' };
}

/** Whether one rule allows the request (RuleAllows). */
export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!verbMatches(rule, request.verb)) return false;
  if (!request.resourceRequest) return nonResourceURLMatches(rule, request.path);
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return (
    rule.apiGroups.some((g) => g === '*' || g === request.apiGroup) &&
    resourceMatches(rule, combined, request.subresource) &&
    (rule.resourceNames.length === 0 || rule.resourceNames.includes(request.name))
  );
}

const verbMatches = (rule: PolicyRule, verb: string) => rule.verbs.some((v) => v === '*' || v === verb);

/** `*` is every resource and subresource; `*\/status` one subresource of every resource; else exact. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

/** An exact path, `*`, or a prefix ending in `*`. */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))));
}

function appliesTo(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount without a namespace is one of the binding's namespace.
      const saNamespace = subject.namespace || namespace;
      return saNamespace !== '' && user.name === `system:serviceaccount:${saNamespace}:${subject.name}`;
    }
  }
}

/** apierrors.NewNotFound(rbac.Resource(kind), name).Error() */
const notFound = (kind: string, name: string) => `${kind}.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;

/** utilerrors.NewAggregate(errs).Error(): one message alone, several deduplicated in brackets. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
