import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_GROUP } from '../../../deploy/interruption.ts';
import { AccessControl } from '../../../sandbox/kube/rbac/access-control.ts';
import { buildPolicy, LIFEGUARD_RBAC_MANIFEST, parseRbacManifest } from '../../../sandbox/kube/rbac/manifest.ts';

/** The emulator reads an RBAC manifest as the API server would accept it from `kubectl apply`, or says why not. */

const GROUP = 'rbac.authorization.k8s.io';
const parse = (text: string) => parseRbacManifest(text, 'm.yaml');
const clusterRole = (rules: string, extra = '') => `apiVersion: ${GROUP}/v1\nkind: ClusterRole\nmetadata: { name: r }\nrules: ${rules}\n${extra}`;

describe('RBAC manifest', () => {
  it('reads the shipped manifest: one ClusterRole bound to the group the stack’s access entry maps Lifeguard’s role to', () => {
    const policy = buildPolicy(parseRbacManifest(readFileSync(LIFEGUARD_RBAC_MANIFEST, 'utf8'), LIFEGUARD_RBAC_MANIFEST));
    expect([...policy.clusterRoles.keys()]).toEqual(['lifeguard-node-drainer']);
    expect(policy.clusterRoleBindings).toHaveLength(1);
    expect(policy.clusterRoleBindings[0]!.roleRef.name).toBe('lifeguard-node-drainer');
    expect(policy.clusterRoleBindings[0]!.subjects).toEqual([{ kind: 'Group', apiGroup: GROUP, name: KUBERNETES_GROUP }]);
  });

  it('reads several documents and a List, passes over other API groups, defaults a Role’s namespace', () => {
    const objects = parse(
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: drainer }',
        clusterRole('[{ apiGroups: [""], resources: [nodes], verbs: [get] }]'),
        '',
        `apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: ${GROUP}/v1, kind: Role, metadata: { name: pods }, rules: [] }\n  - { apiVersion: flowcontrol.apiserver.k8s.io/v1, kind: FlowSchema, metadata: { name: x } }`,
      ].join('\n---\n'),
    );
    expect(objects.map((o) => `${o.kind} ${'namespace' in o.metadata ? `${String(o.metadata.namespace)}/` : ''}${o.metadata.name}`)).toEqual(['ClusterRole r', 'Role default/pods']);
  });

  it.each([
    [clusterRole('[{ apiGroups: [""], resources: [nodes], verbs: [] }]'), 'rules.0.verbs: verbs must contain at least one value'],
    [clusterRole('[{ resources: [nodes], verbs: [get] }]'), 'rules.0.apiGroups: resource rules must supply at least one api group'],
    [clusterRole('[{ apiGroups: [""], verbs: [get] }]'), 'rules.0.resources: resource rules must supply at least one resource'],
    [clusterRole('[{ apiGroups: [""], resources: [nodes], nonResourceURLs: [/x], verbs: [get] }]'), 'rules.0.nonResourceURLs: rules cannot apply to both regular resources and non-resource URLs'],
    [clusterRole('[{ apiGroup: [""], resources: [nodes], verbs: [get] }]'), 'rules.0: unknown field "apiGroup"'],
    [clusterRole('[]', 'aggregationRule: { clusterRoleSelectors: [] }\n'), 'aggregationRule: aggregated ClusterRoles are not modelled'],
    [`apiVersion: ${GROUP}/v1\nkind: Role\nmetadata: { name: r, namespace: a }\nrules: [{ nonResourceURLs: [/x], verbs: [get] }]`, 'rules.0.nonResourceURLs: namespaced rules cannot apply to non-resource URLs'],
    [`apiVersion: ${GROUP}/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nroleRef: { apiGroup: ${GROUP}, kind: Role, name: r }`, 'roleRef.kind'],
    [`apiVersion: ${GROUP}/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nroleRef: { apiGroup: ${GROUP}, kind: ClusterRole, name: r }\nsubjects: [{ kind: Group, name: g }]`, `subjects.0.apiGroup: a Group subject needs apiGroup ${GROUP}`],
    [`apiVersion: ${GROUP}/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nroleRef: { apiGroup: ${GROUP}, kind: ClusterRole, name: r }\nsubjects: [{ kind: ServiceAccount, name: sa }]`, 'subjects.0.namespace: a ServiceAccount subject of a ClusterRoleBinding needs its namespace'],
    [`apiVersion: ${GROUP}/v1\nkind: RoleBindin\nmetadata: { name: b }`, 'kind: expected one of ClusterRole, Role, ClusterRoleBinding, RoleBinding'],
    ['kind: [unclosed', 'document 1: not valid YAML'],
  ])('refuses an invalid object, naming the document and the field (%#)', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('names the document, the kind and the object in the error', () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n---\n${clusterRole('[{ apiGroups: [""], resources: [nodes], verbs: [] }]')}`;
    expect(() => parse(text)).toThrow('m.yaml: document 2 (ClusterRole r): rules.0.verbs');
  });

  it('refuses the same object twice, and a ClusterRole that replaces a default one', () => {
    const role = clusterRole('[]');
    expect(() => buildPolicy(parse(`${role}---\n${role}`))).toThrow('RBAC: ClusterRole r is defined twice');
    expect(() => new AccessControl(parse(role.replace('name: r', 'name: cluster-admin')), {})).toThrow('RBAC: ClusterRole cluster-admin is defined twice');
  });
});
