import { EMULATED_VERSION } from './node-status.ts';
import { pathNotFound } from './status.ts';

/**
 * API discovery, in the unaggregated form every client understands: /version, /api (APIVersions),
 * /apis (APIGroupList), /apis/GROUP (APIGroup) and each group version's APIResourceList, listing
 * only what the emulator serves, with the verbs it answers. client-go asks /api and /apis for the
 * aggregated form first (Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,…)
 * and falls back to this one when the response's Content-Type is plain application/json
 * (client-go discovery_client.go downloadLegacy/downloadAPIs), so kubectl then reads each
 * group version's resource list.
 */

interface ServedResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** A subresource served by another group (pods/eviction is policy/v1 Eviction). */
  group?: string;
  version?: string;
}

const GROUPS: Array<{ group: string; version: string; resources: ServedResource[] }> = [
  {
    group: '',
    version: 'v1',
    resources: [
      { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list'], shortNames: ['ev'] },
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list', 'patch', 'update'], shortNames: ['no'] },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['delete', 'get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] },
      // kubectl drain evicts only when this subresource is listed with its group and version (drain.CheckEvictionSupport).
      { name: 'pods/eviction', singularName: '', namespaced: true, kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    resources: [
      { name: 'daemonsets', singularName: 'daemonset', namespaced: true, kind: 'DaemonSet', verbs: ['get', 'list'], shortNames: ['ds'], categories: ['all'] },
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list'], shortNames: ['deploy'], categories: ['all'] },
      { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: ['get', 'list'], shortNames: ['rs'], categories: ['all'] },
      { name: 'statefulsets', singularName: 'statefulset', namespaced: true, kind: 'StatefulSet', verbs: ['get', 'list'], shortNames: ['sts'], categories: ['all'] },
    ],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resources: [{ name: 'leases', singularName: 'lease', namespaced: true, kind: 'Lease', verbs: ['get', 'list'] }],
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resources: [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'list', 'patch'], shortNames: ['ev'] }],
  },
  {
    group: 'policy',
    version: 'v1',
    resources: [{ name: 'poddisruptionbudgets', singularName: 'poddisruptionbudget', namespaced: true, kind: 'PodDisruptionBudget', verbs: ['get', 'list'], shortNames: ['pdb'] }],
  },
];

function apiGroup(entry: (typeof GROUPS)[number]) {
  const version = { groupVersion: `${entry.group}/${entry.version}`, version: entry.version };
  return { name: entry.group, versions: [version], preferredVersion: version };
}

function resourceList(entry: (typeof GROUPS)[number]) {
  return {
    kind: 'APIResourceList',
    ...(entry.group ? { apiVersion: 'v1' } : {}),
    groupVersion: entry.group ? `${entry.group}/${entry.version}` : entry.version,
    resources: entry.resources.map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      ...(r.group ? { group: r.group, version: r.version } : {}),
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

/** The discovery document at a route's params; `serverAddress` is host:port as the client reached it. */
export function discoveryDocument(params: Record<string, string>, path: string, serverAddress: string): unknown {
  if (params.root === 'version') {
    return { ...EMULATED_VERSION, gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'gc', platform: 'linux/amd64' };
  }
  if (params.root === 'api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  if (params.root === 'apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.filter((g) => g.group).map(apiGroup) };
  const entry = GROUPS.find((g) => g.group === (params.group ?? '') && (params.version === undefined || g.version === params.version));
  if (!entry) throw pathNotFound(path);
  return params.version === undefined ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(entry) } : resourceList(entry);
}
