import { FLOWCONTROL_GROUP, type FlowSchema, type PolicyRulesWithSubjects, type PriorityLevelConfiguration, type ResourcePolicyRule, type Subject } from './objects.ts';

/**
 * The configuration every kube-apiserver creates at startup and keeps current
 * (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go): the mandatory `exempt` and
 * `catch-all` objects, and the suggested ones. EKS installs these upstream defaults for its
 * Kubernetes version ("API Priority and Fairness" in the EKS Best Practices Guide, whose listing of
 * `apiserver_flowcontrol_request_concurrency_limit` shows the seats they give with 600 in all:
 * catch-all 13, global-default 49, leader-election 25, node-high 98, system 74, workload-high 98,
 * workload-low 245). EKS adds FlowSchemas for its own components (eks-exempt at precedence 2,
 * eks-workload-high at 1000); they match only EKS's identities and add no priority level, so they
 * are left out.
 */

export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

const apiVersion = `${FLOWCONTROL_GROUP}/v1` as const;
const autoUpdated = { [AUTO_UPDATE_ANNOTATION]: 'true' };

const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemServiceAccount = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { name, namespace: 'kube-system' } });
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule => ({ verbs, apiGroups, resources, namespaces, clusterScope });
const EVERYTHING = { resourceRules: [resourceRule(['*'], ['*'], ['*'], ['*'], true)], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };

function flowSchema(name: string, level: string, matchingPrecedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, rules: PolicyRulesWithSubjects[]): FlowSchema {
  return {
    apiVersion,
    kind: 'FlowSchema',
    metadata: { name, annotations: autoUpdated },
    spec: { priorityLevelConfiguration: { name: level }, matchingPrecedence, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}), rules },
  };
}

function queuingLevel(name: string, shares: number, lendablePercent: number, queues: number, handSize: number, queueLengthLimit: number): PriorityLevelConfiguration {
  return {
    apiVersion,
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: autoUpdated },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit } } } },
  };
}

const ALL_USERS = [group('system:unauthenticated'), group('system:authenticated')];
const LEASES = resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'], false);

/** Mandatory: the API server restores them and refuses any other spec. */
export const MANDATORY_PRIORITY_LEVELS: PriorityLevelConfiguration[] = [
  { apiVersion, kind: 'PriorityLevelConfiguration', metadata: { name: 'exempt', annotations: autoUpdated }, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  {
    apiVersion,
    kind: 'PriorityLevelConfiguration',
    metadata: { name: 'catch-all', annotations: autoUpdated },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
  },
];

export const MANDATORY_FLOW_SCHEMAS: FlowSchema[] = [
  flowSchema('exempt', 'exempt', 1, undefined, [{ subjects: [group('system:masters')], ...EVERYTHING }]),
  flowSchema('catch-all', 'catch-all', 10_000, 'ByUser', [{ subjects: ALL_USERS, ...EVERYTHING }]),
];

/** Suggested: shares and queuing as kube-apiserver ships them (v1, with lendablePercent since 1.26). */
export const SUGGESTED_PRIORITY_LEVELS: PriorityLevelConfiguration[] = [
  queuingLevel('system', 30, 33, 64, 6, 50),
  queuingLevel('node-high', 40, 25, 64, 6, 50),
  queuingLevel('leader-election', 10, 0, 16, 4, 50),
  queuingLevel('workload-high', 40, 50, 128, 6, 50),
  queuingLevel('workload-low', 100, 90, 128, 6, 50),
  queuingLevel('global-default', 20, 50, 128, 6, 50),
];

export const SUGGESTED_FLOW_SCHEMAS: FlowSchema[] = [
  flowSchema('probes', 'exempt', 2, undefined, [{ subjects: ALL_USERS, resourceRules: [], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }]),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', [
    { subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemServiceAccount('*')], resourceRules: [LEASES], nonResourceRules: [] },
  ]),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', [
    {
      subjects: [user('system:kube-controller-manager'), kubeSystemServiceAccount('endpoint-controller'), kubeSystemServiceAccount('endpointslicemirroring-controller')],
      resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], ['*'], false)],
      nonResourceRules: [],
    },
  ]),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', [
    { subjects: [kubeSystemServiceAccount('*')], resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], ['*'], false), LEASES], nonResourceRules: [] },
  ]),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', [
    {
      subjects: [group('system:nodes')],
      resourceRules: [resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
      nonResourceRules: [],
    },
  ]),
  flowSchema('system-nodes', 'system', 500, 'ByUser', [{ subjects: [group('system:nodes')], ...EVERYTHING }]),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-controller-manager')], ...EVERYTHING }]),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-scheduler')], ...EVERYTHING }]),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [{ subjects: [kubeSystemServiceAccount('*')], ...EVERYTHING }]),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', [{ subjects: [group('system:serviceaccounts')], ...EVERYTHING }]),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', [{ subjects: ALL_USERS, ...EVERYTHING }]),
];

export const DEFAULT_FLOW_CONTROL_OBJECTS = [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS, ...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS];
