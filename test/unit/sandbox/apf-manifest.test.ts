import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_GROUP } from '../../../deploy/interruption.ts';
import { LIFEGUARD_FLOW_CONTROL_MANIFEST, parseFlowControlManifest, withDefaults } from '../../../sandbox/kube/apf/manifest.ts';
import type { FlowSchema, PriorityLevelConfiguration } from '../../../sandbox/kube/apf/objects.ts';
import { LIFEGUARD_RBAC_MANIFEST } from '../../../sandbox/kube/rbac/manifest.ts';

/** The emulator reads FlowSchemas and PriorityLevelConfigurations as kube-apiserver accepts them from `kubectl apply`, or says why not. */

const V1 = 'flowcontrol.apiserver.k8s.io/v1';
const parse = (text: string) => parseFlowControlManifest(text, 'm.yaml');
const schema = (spec: string, name = 's') => `apiVersion: ${V1}\nkind: FlowSchema\nmetadata: { name: ${name} }\nspec: ${spec}`;
const level = (spec: string, name = 'l') => `apiVersion: ${V1}\nkind: PriorityLevelConfiguration\nmetadata: { name: ${name} }\nspec: ${spec}`;
const GROUP_SUBJECT = `{ kind: Group, group: { name: g } }`;
const rule = (resourceRule: string) => `{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [${GROUP_SUBJECT}], resourceRules: [${resourceRule}] }] }`;
const NODES = `{ verbs: [get], apiGroups: [""], resources: [nodes], clusterScope: true }`;
const queued = (queuing: string) => `{ type: Limited, limited: { limitResponse: { type: Queue, queuing: ${queuing} } } }`;

describe('flow-control manifest', () => {
  it('reads the shipped manifest: a cordon level and a drain level, both FlowSchemas for the group Lifeguard’s role is mapped to', () => {
    const objects = parseFlowControlManifest(readFileSync(LIFEGUARD_FLOW_CONTROL_MANIFEST, 'utf8'), LIFEGUARD_FLOW_CONTROL_MANIFEST);
    const levels = objects.filter((o): o is PriorityLevelConfiguration => o.kind === 'PriorityLevelConfiguration');
    const schemas = objects.filter((o): o is FlowSchema => o.kind === 'FlowSchema');
    expect(levels.map((l) => l.metadata.name)).toEqual(['lifeguard-cordon', 'lifeguard-drain']);
    expect(schemas.map((s) => [s.metadata.name, s.spec.priorityLevelConfiguration.name, s.spec.distinguisherMethod?.type])).toEqual([
      ['lifeguard-cordon', 'lifeguard-cordon', 'ByUser'],
      ['lifeguard-drain', 'lifeguard-drain', 'ByUser'],
    ]);
    for (const s of schemas) expect(s.spec.rules.flatMap((r) => r.subjects)).toEqual([{ kind: 'Group', group: { name: KUBERNETES_GROUP } }]);
    // The cordon's schema is tried first, and both before global-default (9900), the schema that matches Lifeguard without them.
    const [cordon, drain] = schemas.map((s) => s.spec.matchingPrecedence);
    expect(cordon).toBeLessThan(drain!);
    expect(drain).toBeLessThan(9900);
    // Cordon seats are never lent: lent seats come back only at kube-apiserver's next 10 s adjustment.
    expect(levels[0]!.spec.limited).toMatchObject({ lendablePercent: 0 });
    expect(withDefaults(objects)).toHaveLength(8 + 13 + 4);
  });

  it('defaults what kube-apiserver defaults, and passes over other API groups (the RBAC manifest has none of its objects)', () => {
    const [s, l] = parse([schema(rule(`{ verbs: [get], apiGroups: [""], resources: [pods], namespaces: ["*"] }`)), level(queued('{}'))].join('\n---\n'));
    expect((s as FlowSchema).spec).toMatchObject({ matchingPrecedence: 1000, rules: [{ resourceRules: [{ clusterScope: false }], nonResourceRules: [] }] });
    expect((s as FlowSchema).spec.distinguisherMethod).toBeUndefined();
    expect((l as PriorityLevelConfiguration).spec.limited).toEqual({ nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
    expect(parseFlowControlManifest(readFileSync(LIFEGUARD_RBAC_MANIFEST, 'utf8'), 'rbac.yaml')).toEqual([]);
    const list = `apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: Namespace, metadata: { name: x } }\n  - { apiVersion: ${V1}, kind: PriorityLevelConfiguration, metadata: { name: l }, spec: { type: Limited, limited: { limitResponse: { type: Reject } } } }`;
    expect(parse(list).map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['PriorityLevelConfiguration l']);
  });

  it.each([
    [schema('{ priorityLevelConfiguration: { name: l }, matchingPrecedence: 0 }'), 'spec.matchingPrecedence: must be a positive value'],
    [schema('{ priorityLevelConfiguration: { name: l }, matchingPrecedence: 10001 }'), 'spec.matchingPrecedence: must not be greater than 10000'],
    [schema('{ priorityLevelConfiguration: { name: l }, matchingPrecedence: 1 }'), "spec.matchingPrecedence: only the schema named 'exempt' may have matchingPrecedence 1"],
    [schema('{ priorityLevelConfiguration: { name: l }, distinguisherMethod: { type: ByGroup } }'), 'spec.distinguisherMethod.type'],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [{ kind: Group }], resourceRules: [${NODES}] }] }`), "spec.rules.0.subjects.0.group: group is required when subject kind is 'Group'"],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [{ kind: Group, group: { name: g }, user: { name: u } }], resourceRules: [${NODES}] }] }`), "spec.rules.0.subjects.0.user: user is forbidden when subject kind is not 'User'"],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [{ kind: ServiceAccount, serviceAccount: { name: sa } }], resourceRules: [${NODES}] }] }`), 'spec.rules.0.subjects.0.serviceAccount.namespace'],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [], resourceRules: [${NODES}] }] }`), 'spec.rules.0.subjects: subjects must contain at least one value'],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [${GROUP_SUBJECT}] }] }`), 'spec.rules.0: at least one of resourceRules and nonResourceRules has to be non-empty'],
    [schema(rule(`{ verbs: [], apiGroups: [""], resources: [nodes], clusterScope: true }`)), 'spec.rules.0.resourceRules.0.verbs: verbs must contain at least one value'],
    [schema(rule(`{ verbs: ["*", get], apiGroups: [""], resources: [nodes], clusterScope: true }`)), "spec.rules.0.resourceRules.0.verbs: if '*' is present, must not specify other verbs"],
    [schema(rule(`{ verbs: [cordon], apiGroups: [""], resources: [nodes], clusterScope: true }`)), 'spec.rules.0.resourceRules.0.verbs: unsupported verb cordon'],
    [schema(rule(`{ verbs: [get], resources: [nodes], clusterScope: true }`)), 'spec.rules.0.resourceRules.0.apiGroups'],
    [schema(rule(`{ verbs: [get], apiGroups: [""], resources: [pods] }`)), 'spec.rules.0.resourceRules.0.namespaces: resource rules that are not cluster scoped must supply at least one namespace'],
    [schema(rule(`{ verbs: [get], apiGroups: [""], resources: [pods], namespaces: [Spark] }`)), "spec.rules.0.resourceRules.0.namespaces.0: each member of this list must be '*' or a DNS-1123 label"],
    [schema(`{ priorityLevelConfiguration: { name: l }, rules: [{ subjects: [${GROUP_SUBJECT}], nonResourceRules: [{ verbs: [get], nonResourceURLs: ["/a/*/b"] }] }] }`), 'spec.rules.0.nonResourceRules.0.nonResourceURLs.0: wildcard can only do suffix matching'],
    [schema(rule(`{ verb: [get], apiGroups: [""], resources: [nodes], clusterScope: true }`)), 'spec.rules.0.resourceRules.0: unknown field "verb"'],
    [level('{ type: Limited, limited: { limitResponse: { type: Reject, queuing: {} } } }'), 'spec.limited.limitResponse.queuing: must be nil if limitResponse.type is Reject'],
    [level('{ type: Limited, limited: { limitResponse: { type: Queue } } }'), 'spec.limited.limitResponse.queuing: must not be empty if limitResponse.type is Queue'],
    [level('{ type: Limited }'), 'spec.limited: must not be empty when type is Limited'],
    [level(queued('{ queues: 4, handSize: 6 }')), 'spec.limited.limitResponse.queuing.handSize: should not be greater than queues (4)'],
    [level(queued('{ queues: 512, handSize: 8 }')), 'required entropy bits of deckSize 512 and handSize 8 should not be greater than 60'],
    [level('{ type: Limited, limited: { lendablePercent: 101, limitResponse: { type: Reject } } }'), 'spec.limited.lendablePercent'],
    [level('{ type: Exempt }'), "spec.type: type must be 'Exempt' if and only if name is 'exempt'"],
    [level(queued('{}'), 'Lifeguard'), 'metadata.name: a DNS subdomain name'],
    [`apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: { name: s }`, 'apiVersion: flowcontrol.apiserver.k8s.io/v1beta3 is not modelled'],
    [`apiVersion: ${V1}\nkind: FlowSchemas\nmetadata: { name: s }`, 'kind: expected one of FlowSchema, PriorityLevelConfiguration'],
    ['kind: [unclosed', 'document 1: not valid YAML'],
  ])('refuses an invalid object, naming the field (%#)', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('names the document, the kind and the object in the error', () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n---\n${schema('{ priorityLevelConfiguration: { name: l }, matchingPrecedence: 0 }', 'lifeguard-cordon')}`;
    expect(() => parse(text)).toThrow('m.yaml: document 2 (FlowSchema lifeguard-cordon): spec.matchingPrecedence');
  });

  it('applies a manifest over the defaults: new objects added, a suggested one replaced only when kube-apiserver would keep it, mandatory ones and twins refused', () => {
    const own = parse(level(queued('{}'), 'mine'));
    expect(withDefaults(own).map((o) => `${o.kind} ${o.metadata.name}`)).toContain('PriorityLevelConfiguration mine');
    expect(() => withDefaults([...own, ...own])).toThrow('flow control: PriorityLevelConfiguration mine is defined twice');
    expect(() => withDefaults(parse(schema(rule(NODES), 'catch-all')))).toThrow('flow control: FlowSchema catch-all is mandatory');
    const globalDefault = level(queued('{ queues: 16, handSize: 4 }'), 'global-default');
    expect(() => withDefaults(parse(globalDefault))).toThrow('annotated apf.kubernetes.io/autoupdate-spec: "false"');
    const kept = globalDefault.replace('metadata: { name: global-default }', 'metadata: { name: global-default, annotations: { apf.kubernetes.io/autoupdate-spec: "false" } }');
    const replaced = withDefaults(parse(kept)).find((o) => o.kind === 'PriorityLevelConfiguration' && o.metadata.name === 'global-default') as PriorityLevelConfiguration;
    expect(replaced.spec.limited!.limitResponse.queuing).toEqual({ queues: 16, handSize: 4, queueLengthLimit: 50 });
  });
});
