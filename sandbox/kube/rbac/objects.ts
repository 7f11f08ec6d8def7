import { z } from 'zod';

/**
 * The rbac.authorization.k8s.io/v1 objects an authorizer reads, validated as the API server would
 * refuse them at `kubectl apply` (k8s.io/kubernetes/pkg/apis/rbac/validation): unknown fields,
 * rules without verbs, resource rules without apiGroups or resources, a rule for both resources and
 * non-resource URLs, non-resource URLs in a namespaced Role, a roleRef of the wrong kind.
 */

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

const names = z.array(z.string());

export const policyRuleSchema = z
  .object({
    verbs: z.array(z.string()).min(1, 'verbs must contain at least one value'),
    apiGroups: names.default([]),
    resources: names.default([]),
    resourceNames: names.default([]),
    nonResourceURLs: names.default([]),
  })
  .strict();
export type PolicyRule = z.output<typeof policyRuleSchema>;

const metadataSchema = z.looseObject({ name: z.string().min(1, 'metadata.name is required') });
// kubectl apply puts a Role or RoleBinding without a namespace into the context's, "default" here.
const namespacedMetadataSchema = z.looseObject({ name: z.string().min(1, 'metadata.name is required'), namespace: z.string().min(1).default('default') });

const subjectSchema = z
  .object({
    kind: z.enum(['User', 'Group', 'ServiceAccount']),
    name: z.string().min(1),
    apiGroup: z.string().optional(),
    namespace: z.string().optional(),
  })
  .strict()
  .superRefine((subject, ctx) => {
    if (subject.kind === 'ServiceAccount') {
      if (subject.apiGroup) ctx.addIssue({ code: 'custom', path: ['apiGroup'], message: 'a ServiceAccount subject has the empty apiGroup' });
    } else if (subject.apiGroup !== RBAC_GROUP) {
      ctx.addIssue({ code: 'custom', path: ['apiGroup'], message: `a ${subject.kind} subject needs apiGroup ${RBAC_GROUP}` });
    }
  });
export type Subject = z.output<typeof subjectSchema>;

const roleRefSchema = (kinds: readonly [string, ...string[]]) =>
  z.object({ apiGroup: z.literal(RBAC_GROUP), kind: z.enum(kinds), name: z.string().min(1) }).strict();

/** Checks that need the whole rule: which of resources or non-resource URLs it grants. */
function checkRules(rules: PolicyRule[], namespaced: boolean, ctx: z.RefinementCtx): void {
  rules.forEach((rule, i) => {
    const path = ['rules', i];
    if (rule.nonResourceURLs.length > 0) {
      if (namespaced) ctx.addIssue({ code: 'custom', path: [...path, 'nonResourceURLs'], message: 'namespaced rules cannot apply to non-resource URLs' });
      if (rule.apiGroups.length + rule.resources.length + rule.resourceNames.length > 0) {
        ctx.addIssue({ code: 'custom', path: [...path, 'nonResourceURLs'], message: 'rules cannot apply to both regular resources and non-resource URLs' });
      }
      return;
    }
    if (rule.apiGroups.length === 0) ctx.addIssue({ code: 'custom', path: [...path, 'apiGroups'], message: 'resource rules must supply at least one api group' });
    if (rule.resources.length === 0) ctx.addIssue({ code: 'custom', path: [...path, 'resources'], message: 'resource rules must supply at least one resource' });
  });
}

const apiVersion = z.literal(`${RBAC_GROUP}/v1`);

export const clusterRoleSchema = z
  .object({
    apiVersion,
    kind: z.literal('ClusterRole'),
    metadata: metadataSchema,
    rules: z.array(policyRuleSchema).default([]),
    // The aggregation controller fills such a role from others by label: not modelled, so refused.
    aggregationRule: z.never({ message: 'aggregated ClusterRoles are not modelled by the emulator: list the rules' }).optional(),
  })
  .strict()
  .superRefine((role, ctx) => checkRules(role.rules, false, ctx));

export const roleSchema = z
  .object({ apiVersion, kind: z.literal('Role'), metadata: namespacedMetadataSchema, rules: z.array(policyRuleSchema).default([]) })
  .strict()
  .superRefine((role, ctx) => checkRules(role.rules, true, ctx));

export const clusterRoleBindingSchema = z
  .object({
    apiVersion,
    kind: z.literal('ClusterRoleBinding'),
    metadata: metadataSchema,
    roleRef: roleRefSchema(['ClusterRole']),
    subjects: z.array(subjectSchema).default([]),
  })
  .strict()
  .superRefine((binding, ctx) => {
    binding.subjects.forEach((subject, i) => {
      if (subject.kind === 'ServiceAccount' && !subject.namespace) {
        ctx.addIssue({ code: 'custom', path: ['subjects', i, 'namespace'], message: 'a ServiceAccount subject of a ClusterRoleBinding needs its namespace' });
      }
    });
  });

export const roleBindingSchema = z
  .object({
    apiVersion,
    kind: z.literal('RoleBinding'),
    metadata: namespacedMetadataSchema,
    roleRef: roleRefSchema(['Role', 'ClusterRole']),
    subjects: z.array(subjectSchema).default([]),
  })
  .strict();

export type ClusterRole = z.output<typeof clusterRoleSchema>;
export type Role = z.output<typeof roleSchema>;
export type ClusterRoleBinding = z.output<typeof clusterRoleBindingSchema>;
export type RoleBinding = z.output<typeof roleBindingSchema>;
export type RbacObject = ClusterRole | Role | ClusterRoleBinding | RoleBinding;

export const RBAC_KINDS = {
  ClusterRole: clusterRoleSchema,
  Role: roleSchema,
  ClusterRoleBinding: clusterRoleBindingSchema,
  RoleBinding: roleBindingSchema,
} as const;
