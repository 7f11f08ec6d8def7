import type { KubeOperation } from './faults.ts';

/** The URL space the emulator serves; anything else is a 404 Status. */

export interface Route {
  operation: KubeOperation;
  method: 'GET' | 'PATCH' | 'PUT' | 'DELETE' | 'POST';
  params: Record<string, string>;
}

export interface ApiRequest {
  route: Route;
  query: URLSearchParams;
  /** Media type of the body, lower-cased, parameters dropped. */
  contentType: string | undefined;
  /** The parsed JSON body, if there was one. */
  body: unknown;
  /** The URL path and the Host the client used (discovery documents name the server's address). */
  path?: string;
  host?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** The apps/v1 workloads the emulator serves, read-only (workloads.ts). */
export const APPS_RESOURCES = {
  daemonsets: { kind: 'DaemonSet', list: 'list-daemonsets', get: 'get-daemonset' },
  replicasets: { kind: 'ReplicaSet', list: 'list-replicasets', get: 'get-replicaset' },
  statefulsets: { kind: 'StatefulSet', list: 'list-statefulsets', get: 'get-statefulset' },
  deployments: { kind: 'Deployment', list: 'list-deployments', get: 'get-deployment' },
} as const satisfies Record<string, { kind: string; list: KubeOperation; get: KubeOperation }>;
export type AppsResource = keyof typeof APPS_RESOURCES;

const SEGMENT = '([^/]+)';
type Entry = { pattern: RegExp; method: Route['method']; operation: KubeOperation; names: string[] };

/** LIST across namespaces, LIST in one, GET of one: the read routes of a namespaced resource under `prefix`. */
function namespacedReads(prefix: string, resource: string, list: KubeOperation, get: KubeOperation): Entry[] {
  return [
    { pattern: new RegExp(`^${prefix}/${resource}$`), method: 'GET', operation: list, names: [] },
    { pattern: new RegExp(`^${prefix}/namespaces/${SEGMENT}/${resource}$`), method: 'GET', operation: list, names: ['namespace'] },
    { pattern: new RegExp(`^${prefix}/namespaces/${SEGMENT}/${resource}/${SEGMENT}$`), method: 'GET', operation: get, names: ['namespace', 'name'] },
  ];
}

const TABLE: Entry[] = [
  // Discovery (non-resource URLs): the version, the groups and each group version's resources.
  { pattern: /^\/(version|api|apis)\/?$/, method: 'GET', operation: 'discovery', names: ['root'] },
  { pattern: /^\/api\/(v1)\/?$/, method: 'GET', operation: 'discovery', names: ['version'] },
  { pattern: new RegExp(`^/apis/${SEGMENT}/?$`), method: 'GET', operation: 'discovery', names: ['group'] },
  { pattern: new RegExp(`^/apis/${SEGMENT}/${SEGMENT}/?$`), method: 'GET', operation: 'discovery', names: ['group', 'version'] },
  { pattern: /^\/api\/v1\/nodes$/, method: 'GET', operation: 'list-nodes', names: [] },
  { pattern: new RegExp(`^/api/v1/nodes/${SEGMENT}$`), method: 'GET', operation: 'get-node', names: ['name'] },
  { pattern: new RegExp(`^/api/v1/nodes/${SEGMENT}$`), method: 'PATCH', operation: 'patch-node', names: ['name'] },
  { pattern: new RegExp(`^/api/v1/nodes/${SEGMENT}$`), method: 'PUT', operation: 'put-node', names: ['name'] },
  { pattern: /^\/api\/v1\/pods$/, method: 'GET', operation: 'list-pods', names: [] },
  { pattern: new RegExp(`^/api/v1/namespaces/${SEGMENT}/pods$`), method: 'GET', operation: 'list-pods', names: ['namespace'] },
  { pattern: new RegExp(`^/api/v1/namespaces/${SEGMENT}/pods/${SEGMENT}$`), method: 'GET', operation: 'get-pod', names: ['namespace', 'name'] },
  { pattern: new RegExp(`^/api/v1/namespaces/${SEGMENT}/pods/${SEGMENT}$`), method: 'DELETE', operation: 'delete-pod', names: ['namespace', 'name'] },
  { pattern: new RegExp(`^/api/v1/namespaces/${SEGMENT}/pods/${SEGMENT}/eviction$`), method: 'POST', operation: 'evict-pod', names: ['namespace', 'name'] },
  { pattern: /^\/apis\/policy\/v1\/poddisruptionbudgets$/, method: 'GET', operation: 'list-pdbs', names: [] },
  { pattern: new RegExp(`^/apis/policy/v1/namespaces/${SEGMENT}/poddisruptionbudgets$`), method: 'GET', operation: 'list-pdbs', names: ['namespace'] },
  { pattern: new RegExp(`^/apis/policy/v1/namespaces/${SEGMENT}/poddisruptionbudgets/${SEGMENT}$`), method: 'GET', operation: 'get-pdb', names: ['namespace', 'name'] },
  { pattern: /^\/apis\/events.k8s.io\/v1\/events$/, method: 'GET', operation: 'list-events', names: [] },
  { pattern: new RegExp(`^/apis/events.k8s.io/v1/namespaces/${SEGMENT}/events$`), method: 'GET', operation: 'list-events', names: ['namespace'] },
  { pattern: new RegExp(`^/apis/events.k8s.io/v1/namespaces/${SEGMENT}/events$`), method: 'POST', operation: 'create-event', names: ['namespace'] },
  { pattern: new RegExp(`^/apis/events.k8s.io/v1/namespaces/${SEGMENT}/events/${SEGMENT}$`), method: 'PATCH', operation: 'patch-event', names: ['namespace', 'name'] },
  // core/v1 Events: the same objects, read through the older API (`kubectl describe`, `kubectl get events`).
  ...namespacedReads('/api/v1', 'events', 'list-core-events', 'get-core-event'),
  ...namespacedReads('/apis/coordination.k8s.io/v1', 'leases', 'list-leases', 'get-lease'),
  ...Object.entries(APPS_RESOURCES).flatMap(([resource, ops]) => namespacedReads('/apis/apps/v1', resource, ops.list, ops.get)),
];

export type RouteMatch = { kind: 'route'; route: Route } | { kind: 'method-not-allowed' } | { kind: 'not-found' };

export function matchRoute(method: string, path: string): RouteMatch {
  let pathKnown = false;
  for (const entry of TABLE) {
    const m = path.match(entry.pattern);
    if (!m) continue;
    pathKnown = true;
    if (entry.method !== method) continue;
    const params: Record<string, string> = {};
    entry.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]!);
    });
    return { kind: 'route', route: { operation: entry.operation, method: entry.method, params } };
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

/** Which operation a request line is, for fault targeting (undefined for unknown paths). */
export function operationOf(method: string, path: string): KubeOperation | undefined {
  const match = matchRoute(method, path);
  return match.kind === 'route' ? match.route.operation : undefined;
}
