import type { UserInfo } from '../rbac/authorizer.ts';
import type { RequestAttributes } from '../rbac/request-info.ts';
import type { FlowSchema, NonResourcePolicyRule, PolicyRulesWithSubjects, ResourcePolicyRule, Subject } from './objects.ts';

/**
 * Which FlowSchema a request falls under, as kube-apiserver's APF filter decides it
 * (k8s.io/apiserver/pkg/util/flowcontrol: apf_controller.go startRequest, rule.go): the schemas in
 * order of matchingPrecedence (lower first; ties by name), the first whose rules match wins. A rule
 * matches when one of its subjects is the user and, for a resource request, one of its resource
 * rules, else one of its non-resource rules, matches the request.
 */

/** Schemas in the order they are tried: matchingPrecedence, then name (FlowSchemaSequence). */
export function matchingOrder(schemas: readonly FlowSchema[]): FlowSchema[] {
  return [...schemas].sort((a, b) => a.spec.matchingPrecedence - b.spec.matchingPrecedence || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** The first of `ordered` that matches; undefined only if none does (the mandatory catch-all matches every user). */
export function classify(ordered: readonly FlowSchema[], user: UserInfo, request: RequestAttributes): FlowSchema | undefined {
  return ordered.find((schema) => schema.spec.rules.some((rule) => matchesRule(rule, user, request)));
}

/** computeFlowDistinguisher: the user's name, the request's namespace, or nothing. */
export function flowDistinguisher(schema: FlowSchema, user: UserInfo, request: RequestAttributes): string {
  switch (schema.spec.distinguisherMethod?.type) {
    case 'ByUser':
      return user.name;
    case 'ByNamespace':
      return request.resourceRequest ? request.namespace : '';
    default:
      return '';
  }
}

function matchesRule(rule: PolicyRulesWithSubjects, user: UserInfo, request: RequestAttributes): boolean {
  if (!rule.subjects.some((subject) => matchesSubject(subject, user))) return false;
  return request.resourceRequest ? rule.resourceRules.some((r) => matchesResourceRule(r, request)) : rule.nonResourceRules.some((r) => matchesNonResourceRule(r, request.verb, request.path));
}

function matchesSubject(subject: Subject, user: UserInfo): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.user !== undefined && (subject.user.name === '*' || subject.user.name === user.name);
    case 'Group':
      return subject.group !== undefined && (subject.group.name === '*' || user.groups.includes(subject.group.name));
    case 'ServiceAccount': {
      const sa = subject.serviceAccount;
      if (!sa) return false;
      const prefix = `system:serviceaccount:${sa.namespace}:`;
      return sa.name === '*' ? user.name.startsWith(prefix) : user.name === `${prefix}${sa.name}`;
    }
  }
}

/** `*` alone in a list matches everything (validation keeps it alone); otherwise an exact member. */
const contains = (list: readonly string[], value: string) => (list.length === 1 && list[0] === '*') || list.includes(value);

function matchesResourceRule(rule: ResourcePolicyRule, request: Extract<RequestAttributes, { resourceRequest: true }>): boolean {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  if (!contains(rule.verbs, request.verb) || !contains(rule.resources, resource) || !contains(rule.apiGroups, request.apiGroup)) return false;
  // A request without a namespace (a cluster-scoped resource, a list or watch across namespaces) needs clusterScope.
  return request.namespace === '' ? rule.clusterScope : contains(rule.namespaces, request.namespace);
}

/** An exact path, `*`, or a `/prefix/*` that matches the prefix and everything below it. */
function matchesNonResourceRule(rule: NonResourcePolicyRule, verb: string, path: string): boolean {
  if (!contains(rule.verbs, verb)) return false;
  return rule.nonResourceURLs.some((url) => {
    if (url === '*' || url === path) return true;
    let prefix = url.endsWith('*') ? url.slice(0, -1) : url;
    if (!prefix.endsWith('/')) prefix += '/';
    return path.startsWith(prefix);
  });
}
