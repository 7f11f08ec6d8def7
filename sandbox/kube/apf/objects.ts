import { z } from 'zod';

/**
 * The flowcontrol.apiserver.k8s.io/v1 objects API Priority and Fairness reads, defaulted and
 * validated as kube-apiserver defaults and refuses them at `kubectl apply`
 * (k8s.io/kubernetes/pkg/apis/flowcontrol/validation, k8s.io/api/flowcontrol/v1 defaults):
 * unknown fields, a matchingPrecedence outside 1–10000, a subject without its member, a wildcard
 * beside other values, a rule that is not cluster-scoped and names no namespace, queuing on a level
 * that rejects, a hand larger than the deck.
 */

export const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';
const apiVersion = z.literal(`${FLOWCONTROL_GROUP}/v1`);

/** `kubectl apply` keeps annotations; `apf.kubernetes.io/autoupdate-spec` decides who owns a suggested object. */
const metadataSchema = z.looseObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'a DNS subdomain name (lower case letters, digits, - and .)'),
  annotations: z.record(z.string(), z.string()).optional(),
});

const SUPPORTED_VERBS = ['get', 'list', 'create', 'update', 'delete', 'deletecollection', 'patch', 'watch', 'proxy'];

/** `*` matches every value; the API server refuses it beside other values. */
function wildcardAlone(values: readonly string[], what: string, path: string, ctx: z.RefinementCtx): void {
  if (values.length > 1 && values.includes('*')) ctx.addIssue({ code: 'custom', path: [path], message: `if '*' is present, must not specify other ${what}` });
}

const verbsSchema = z
  .array(z.string())
  .min(1, 'verbs must contain at least one value')
  .superRefine((verbs, ctx) => {
    if (verbs.includes('*')) return;
    const unknown = verbs.filter((v) => !SUPPORTED_VERBS.includes(v));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unsupported verb ${unknown.join(', ')}: one of ${SUPPORTED_VERBS.join(', ')} or '*'` });
  });

const resourceRuleSchema = z
  .object({
    verbs: verbsSchema,
    apiGroups: z.array(z.string()).min(1, 'resource rules must supply at least one api group'),
    resources: z.array(z.string()).min(1, 'resource rules must supply at least one resource'),
    /** Whether the rule matches requests without a namespace: cluster-scoped resources, and lists or watches across namespaces. */
    clusterScope: z.boolean().default(false),
    namespaces: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((rule, ctx) => {
    wildcardAlone(rule.verbs, 'verbs', 'verbs', ctx);
    wildcardAlone(rule.apiGroups, 'api groups', 'apiGroups', ctx);
    wildcardAlone(rule.resources, 'resources', 'resources', ctx);
    wildcardAlone(rule.namespaces, 'namespaces', 'namespaces', ctx);
    rule.namespaces.forEach((namespace, i) => {
      if (namespace !== '*' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
        ctx.addIssue({ code: 'custom', path: ['namespaces', i], message: "each member of this list must be '*' or a DNS-1123 label" });
      }
    });
    if (rule.namespaces.length === 0 && !rule.clusterScope) {
      ctx.addIssue({ code: 'custom', path: ['namespaces'], message: 'resource rules that are not cluster scoped must supply at least one namespace' });
    }
  });
export type ResourcePolicyRule = z.output<typeof resourceRuleSchema>;

/** ValidateNonResourceURLPath: `*`, `/`, or a path from `/` without spaces or `//`, `*` only as a final `/*`. */
function checkNonResourceURL(path: string, ctx: z.RefinementCtx): void {
  if (path === '*' || path === '/') return;
  const problem = !path.startsWith('/')
    ? 'must start with slash'
    : /\s/.test(path)
      ? 'must not contain white-space'
      : path.includes('//')
        ? 'must not contain double slash'
        : path.includes('*') && (path.indexOf('*') !== path.length - 1 || !path.endsWith('/*'))
          ? 'wildcard can only do suffix matching'
          : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

const nonResourceRuleSchema = z
  .object({
    verbs: verbsSchema,
    nonResourceURLs: z.array(z.string().superRefine(checkNonResourceURL)).min(1, 'nonResourceURLs must contain at least one value'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    wildcardAlone(rule.verbs, 'verbs', 'verbs', ctx);
    wildcardAlone(rule.nonResourceURLs, 'non-resource URLs', 'nonResourceURLs', ctx);
  });
export type NonResourcePolicyRule = z.output<typeof nonResourceRuleSchema>;

const subjectSchema = z
  .object({
    kind: z.enum(['User', 'Group', 'ServiceAccount']),
    user: z.object({ name: z.string().min(1) }).strict().optional(),
    group: z.object({ name: z.string().min(1) }).strict().optional(),
    serviceAccount: z.object({ name: z.string().min(1), namespace: z.string().min(1, 'must specify namespace for service account') }).strict().optional(),
  })
  .strict()
  .superRefine((subject, ctx) => {
    const members = { User: 'user', Group: 'group', ServiceAccount: 'serviceAccount' } as const;
    const own = members[subject.kind];
    if (!subject[own]) ctx.addIssue({ code: 'custom', path: [own], message: `${own} is required when subject kind is '${subject.kind}'` });
    for (const [kind, member] of Object.entries(members)) {
      if (member !== own && subject[member]) ctx.addIssue({ code: 'custom', path: [member], message: `${member} is forbidden when subject kind is not '${kind}'` });
    }
  });
export type Subject = z.output<typeof subjectSchema>;

const policyRulesWithSubjectsSchema = z
  .object({
    subjects: z.array(subjectSchema).min(1, 'subjects must contain at least one value'),
    resourceRules: z.array(resourceRuleSchema).default([]),
    nonResourceRules: z.array(nonResourceRuleSchema).default([]),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.resourceRules.length === 0 && rule.nonResourceRules.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'at least one of resourceRules and nonResourceRules has to be non-empty' });
    }
  });
export type PolicyRulesWithSubjects = z.output<typeof policyRulesWithSubjectsSchema>;

export const flowSchemaSchema = z
  .object({
    apiVersion,
    kind: z.literal('FlowSchema'),
    metadata: metadataSchema,
    spec: z
      .object({
        priorityLevelConfiguration: z.object({ name: z.string().min(1, 'must reference a priority level') }).strict(),
        /** Lower is matched first; 1 is reserved for the mandatory `exempt` schema. Defaulted to 1000. */
        matchingPrecedence: z.number().int().min(1, 'must be a positive value').max(10_000, 'must not be greater than 10000').default(1000),
        /** Absent: every request the schema matches is one flow. */
        distinguisherMethod: z.object({ type: z.enum(['ByUser', 'ByNamespace']) }).strict().optional(),
        rules: z.array(policyRulesWithSubjectsSchema).default([]),
      })
      .strict(),
  })
  .strict()
  .superRefine((schema, ctx) => {
    if (schema.spec.matchingPrecedence === 1 && schema.metadata.name !== 'exempt') {
      ctx.addIssue({ code: 'custom', path: ['spec', 'matchingPrecedence'], message: "only the schema named 'exempt' may have matchingPrecedence 1" });
    }
  });
export type FlowSchema = z.output<typeof flowSchemaSchema>;

/** shufflesharding.RequiredEntropyBits: the hash must hold the hand's draws, at most 60 bits. */
const entropyBits = (queues: number, handSize: number) => Math.ceil(Math.log2(queues) * handSize);

const queuingSchema = z
  .object({
    queues: z.number().int().min(1, 'must be positive').max(10_000_000).default(64),
    /** Queues dealt to one flow (shuffle sharding); a flow joins the shortest of its hand. */
    handSize: z.number().int().min(1, 'must be positive').default(8),
    /** Requests one queue holds; one flow can hold handSize × queueLengthLimit. */
    queueLengthLimit: z.number().int().min(1, 'must be positive').default(50),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.handSize > q.queues) ctx.addIssue({ code: 'custom', path: ['handSize'], message: `should not be greater than queues (${q.queues})` });
    else if (entropyBits(q.queues, q.handSize) > 60) {
      ctx.addIssue({ code: 'custom', path: ['handSize'], message: `required entropy bits of deckSize ${q.queues} and handSize ${q.handSize} should not be greater than 60` });
    }
  });
export type QueuingConfiguration = z.output<typeof queuingSchema>;

const limitedSchema = z
  .object({
    /** NominalCL = ceil(ServerCL × shares / Σ shares of every level). 0 makes a level that only borrows. */
    nominalConcurrencyShares: z.number().int().min(0).default(30),
    /** Share of NominalCL other levels may borrow while it is idle (LendableCL = round(NominalCL × % / 100)). */
    lendablePercent: z.number().int().min(0).max(100).default(0),
    /** Seats it may borrow, as a share of NominalCL; absent: no limit. */
    borrowingLimitPercent: z.number().int().min(0).optional(),
    limitResponse: z
      .object({ type: z.enum(['Queue', 'Reject']), queuing: queuingSchema.optional() })
      .strict()
      .superRefine((response, ctx) => {
        if (response.type === 'Queue' && !response.queuing) ctx.addIssue({ code: 'custom', path: ['queuing'], message: 'must not be empty if limitResponse.type is Queue' });
        if (response.type === 'Reject' && response.queuing) ctx.addIssue({ code: 'custom', path: ['queuing'], message: 'must be nil if limitResponse.type is Reject' });
      }),
  })
  .strict();

const exemptSchema = z
  .object({
    nominalConcurrencyShares: z.number().int().min(0).default(0),
    lendablePercent: z.number().int().min(0).max(100).default(0),
  })
  .strict();

export const priorityLevelConfigurationSchema = z
  .object({
    apiVersion,
    kind: z.literal('PriorityLevelConfiguration'),
    metadata: metadataSchema,
    spec: z
      .object({ type: z.enum(['Exempt', 'Limited']), limited: limitedSchema.optional(), exempt: exemptSchema.optional() })
      .strict()
      .superRefine((spec, ctx) => {
        if (spec.type === 'Limited' && !spec.limited) ctx.addIssue({ code: 'custom', path: ['limited'], message: 'must not be empty when type is Limited' });
        if (spec.type !== 'Limited' && spec.limited) ctx.addIssue({ code: 'custom', path: ['limited'], message: 'must be nil if the type is not Limited' });
        if (spec.type !== 'Exempt' && spec.exempt) ctx.addIssue({ code: 'custom', path: ['exempt'], message: 'must be nil if the type is Limited' });
      }),
  })
  .strict()
  .superRefine((level, ctx) => {
    if ((level.metadata.name === 'exempt') !== (level.spec.type === 'Exempt')) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'type'], message: "type must be 'Exempt' if and only if name is 'exempt'" });
    }
  });
export type PriorityLevelConfiguration = z.output<typeof priorityLevelConfigurationSchema>;

export type FlowControlObject = FlowSchema | PriorityLevelConfiguration;

export const FLOWCONTROL_KINDS = {
  FlowSchema: flowSchemaSchema,
  PriorityLevelConfiguration: priorityLevelConfigurationSchema,
} as const;
