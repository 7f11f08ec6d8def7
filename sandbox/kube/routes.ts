import type { KubeOperation } from './faults.ts';

/** The URL space the emulator serves; anything else is a 404 Status. */

export interface Route {
  operation: KubeOperation;
  method: 'GET' | 'PATCH' | 'DELETE' | 'POST';
  params: Record<string, string>;
}

const SEGMENT = '([^/]+)';
const TABLE: Array<{ pattern: RegExp; method: Route['method']; operation: KubeOperation; names: string[] }> = [
  { pattern: /^\/api\/v1\/nodes$/, method: 'GET', operation: 'list-nodes', names: [] },
  { pattern: new RegExp(`^/api/v1/nodes/${SEGMENT}$`), method: 'GET', operation: 'get-node', names: ['name'] },
  { pattern: new RegExp(`^/api/v1/nodes/${SEGMENT}$`), method: 'PATCH', operation: 'patch-node', names: ['name'] },
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
