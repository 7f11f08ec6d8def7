import { describe, expect, it } from 'vitest';
import { KUBERNETES_GROUP } from '../../../deploy/interruption.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { ApiPriorityAndFairness } from '../../../sandbox/kube/apf/dispatcher.ts';
import { lifeguardFlowControlObjects, parseFlowControlManifest, withDefaults } from '../../../sandbox/kube/apf/manifest.ts';
import type { FlowControlObject } from '../../../sandbox/kube/apf/objects.ts';
import { apiLimitsSchema, resolveLimits } from '../../../sandbox/kube/limits.ts';
import { requestAttributes } from '../../../sandbox/kube/rbac/request-info.ts';
import { SANDBOX_USERS } from '../../../sandbox/kube/rbac/users.ts';
import { Timers } from '../../../sandbox/kube/timers.ts';

/** Which FlowSchema, priority level and flow a request gets, as kube-apiserver's APF filter decides. */

const AUTHENTICATED = 'system:authenticated';
const LIFEGUARD = { name: SANDBOX_USERS.lifeguard.name, groups: [KUBERNETES_GROUP, AUTHENTICATED] };
const KUBECTL_USER = { name: 'alice', groups: [AUTHENTICATED] };

function apf(applied: FlowControlObject[] = []): ApiPriorityAndFairness {
  const objects = withDefaults(applied);
  return new ApiPriorityAndFairness(objects, resolveLimits(apiLimitsSchema.parse({}), objects), new Timers(new VirtualClock(0)));
}

function where(dispatcher: ApiPriorityAndFairness, user: { name: string; groups: string[] }, method: string, path: string, query = ''): string {
  const { schema, level, flow } = dispatcher.classify(user, requestAttributes(method, path, new URLSearchParams(query)));
  return `${schema} -> ${level.settings.name} [${flow.split('\u0000')[1]}]`;
}

describe('API Priority and Fairness classification', () => {
  it('without Lifeguard’s manifest: every request of Lifeguard’s identity is one flow of global-default; the rest of the cluster as kube-apiserver sorts it', () => {
    const d = apf();
    for (const [method, path, query] of [
      ['PATCH', '/api/v1/nodes/n1'],
      ['GET', '/api/v1/pods', 'watch=true&fieldSelector=spec.nodeName%3Dn1'],
      ['POST', '/api/v1/namespaces/spark/pods/p/eviction'],
      ['POST', '/apis/events.k8s.io/v1/namespaces/spark/events'],
    ] as const) {
      expect(where(d, LIFEGUARD, method, path, query)).toBe(`global-default -> global-default [${LIFEGUARD.name}]`);
    }
    expect(where(d, { name: 'kubernetes-admin', groups: ['system:masters', AUTHENTICATED] }, 'GET', '/api/v1/nodes')).toBe('exempt -> exempt []');
    expect(where(d, { name: 'system:anonymous', groups: ['system:unauthenticated'] }, 'GET', '/readyz')).toBe('probes -> exempt []');
    const kubelet = { name: 'system:node:n1', groups: ['system:nodes', AUTHENTICATED] };
    expect(where(d, kubelet, 'PATCH', '/api/v1/nodes/n1/status')).toBe('system-node-high -> node-high [system:node:n1]');
    expect(where(d, kubelet, 'GET', '/api/v1/namespaces/a/pods/p')).toBe('system-nodes -> system [system:node:n1]');
    // ByNamespace: kube-system's service accounts get one flow per namespace they work in.
    const controller = { name: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', AUTHENTICATED] };
    expect(where(d, controller, 'POST', '/api/v1/namespaces/web/pods')).toBe('kube-system-service-accounts -> workload-high [web]');
    expect(where(d, controller, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x')).toBe('system-leader-election -> leader-election [system:serviceaccount:kube-system:replicaset-controller]');
    const operator = { name: 'system:serviceaccount:spark:operator', groups: ['system:serviceaccounts', 'system:serviceaccounts:spark', AUTHENTICATED] };
    expect(where(d, operator, 'GET', '/api/v1/namespaces/spark/pods')).toBe('service-accounts -> workload-low [system:serviceaccount:spark:operator]');
    expect(where(d, KUBECTL_USER, 'GET', '/api/v1/pods')).toBe('global-default -> global-default [alice]');
  });

  it('with Lifeguard’s manifest: node reads and writes to lifeguard-cordon, everything else Lifeguard does to lifeguard-drain, other users unchanged', () => {
    const d = apf(lifeguardFlowControlObjects());
    const cordon = `lifeguard-cordon -> lifeguard-cordon [${LIFEGUARD.name}]`;
    const drain = `lifeguard-drain -> lifeguard-drain [${LIFEGUARD.name}]`;
    expect(where(d, LIFEGUARD, 'PATCH', '/api/v1/nodes/n1')).toBe(cordon);
    expect(where(d, LIFEGUARD, 'GET', '/api/v1/nodes/n1')).toBe(cordon);
    expect(where(d, LIFEGUARD, 'GET', '/api/v1/nodes', 'limit=500')).toBe(cordon);
    expect(where(d, LIFEGUARD, 'GET', '/api/v1/pods', 'watch=true&sendInitialEvents=true&fieldSelector=spec.nodeName%3Dn1')).toBe(drain);
    expect(where(d, LIFEGUARD, 'GET', '/api/v1/pods', 'fieldSelector=spec.nodeName%3Dn1')).toBe(drain);
    expect(where(d, LIFEGUARD, 'POST', '/api/v1/namespaces/spark/pods/p/eviction')).toBe(drain);
    expect(where(d, LIFEGUARD, 'DELETE', '/api/v1/namespaces/spark/pods/p')).toBe(drain);
    expect(where(d, LIFEGUARD, 'PATCH', '/apis/events.k8s.io/v1/namespaces/spark/events/e')).toBe(drain);
    expect(where(d, LIFEGUARD, 'GET', '/version')).toBe(drain);
    expect(where(d, LIFEGUARD, 'GET', '/livez')).toBe('probes -> exempt []');
    // A node PATCH by anyone else is not Lifeguard's cordon.
    expect(where(d, KUBECTL_USER, 'PATCH', '/api/v1/nodes/n1')).toBe('global-default -> global-default [alice]');
  });

  it('tries schemas by matchingPrecedence, ties by name; ignores one whose level does not exist', () => {
    const manifest = (name: string, precedence: number, levelName: string) =>
      `apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: { name: ${name} }\nspec: { priorityLevelConfiguration: { name: ${levelName} }, matchingPrecedence: ${precedence}, rules: [{ subjects: [{ kind: User, user: { name: alice } }], nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["/apis/*"] }] }] }`;
    const objects = (...docs: string[]) => parseFlowControlManifest(docs.join('\n---\n'), 'm.yaml');
    // The lexicographically smaller name wins a tie; no distinguisher, one flow.
    expect(where(apf(objects(manifest('b-second', 500, 'workload-low'), manifest('a-first', 500, 'workload-high'))), KUBECTL_USER, 'GET', '/apis/apps/v1')).toBe('a-first -> workload-high []');
    expect(where(apf(objects(manifest('b-second', 400, 'workload-low'), manifest('a-first', 500, 'workload-high'))), KUBECTL_USER, 'GET', '/apis/apps')).toBe('b-second -> workload-low []');
    // A schema naming a level nobody defined is passed over (kube-apiserver marks it Dangling).
    expect(where(apf(objects(manifest('dangling', 100, 'nowhere'))), KUBECTL_USER, 'GET', '/apis/x')).toBe('global-default -> global-default [alice]');
    // `/apis/*` is the prefix and everything below it, not a path merely starting with `/apis`.
    expect(where(apf(objects(manifest('a', 500, 'workload-high'))), KUBECTL_USER, 'GET', '/apisx')).toBe('global-default -> global-default [alice]');
  });

  it('matches a ServiceAccount subject by namespace when its name is *', () => {
    const doc = `apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: { name: spark-sas }\nspec: { priorityLevelConfiguration: { name: workload-high }, matchingPrecedence: 1000, rules: [{ subjects: [{ kind: ServiceAccount, serviceAccount: { name: "*", namespace: spark } }], resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"] }] }] }`;
    const d = apf(parseFlowControlManifest(doc, 'm.yaml'));
    const sa = (name: string) => ({ name, groups: ['system:serviceaccounts', AUTHENTICATED] });
    expect(where(d, sa('system:serviceaccount:spark:driver'), 'GET', '/api/v1/namespaces/spark/pods')).toBe('spark-sas -> workload-high []');
    expect(where(d, sa('system:serviceaccount:sparky:driver'), 'GET', '/api/v1/namespaces/spark/pods')).toBe('service-accounts -> workload-low [system:serviceaccount:sparky:driver]');
    // Not cluster scoped: a list across namespaces (no namespace) falls through.
    expect(where(d, sa('system:serviceaccount:spark:driver'), 'GET', '/api/v1/pods')).toBe('service-accounts -> workload-low [system:serviceaccount:spark:driver]');
  });
});
