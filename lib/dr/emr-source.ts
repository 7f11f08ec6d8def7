import {
  DescribeClusterCommand,
  GetAutoTerminationPolicyCommand,
  GetManagedScalingPolicyCommand,
  ListBootstrapActionsCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  type Cluster,
  type ClusterSummary,
  type Command,
  type EMRClient,
  type Instance,
  type InstanceFleet,
  type InstanceGroup,
} from '@aws-sdk/client-emr';
import pLimit from 'p-limit';
import { CLUSTER_GONE_STATES } from './cluster-states.ts';
import type { ClusterSnapshot } from './clone-cluster.ts';
import { CLUSTER_TAG, STANDBY_TAG } from './tags.ts';
import { PlanningError } from './planning-error.ts';
import { errorMessage } from '../util/errors.ts';

/** Reads what the plan needs from EMR (paged calls followed to the end). */

export class SourceClusterError extends PlanningError {}

export async function describeSourceCluster(emr: EMRClient, clusterId: string): Promise<Cluster> {
  try {
    const { Cluster: cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }));
    if (!cluster) throw new SourceClusterError(`EMR cluster ${clusterId} not found`);
    return cluster;
  } catch (err) {
    // EMR answers an unknown id with InvalidRequestException ("Cluster id '...' is not valid.").
    if ((err as Error).name === 'InvalidRequestException') {
      throw new SourceClusterError(`EMR cluster ${clusterId} not found: ${errorMessage(err)}`, { cause: err });
    }
    throw err;
  }
}

const GONE = new Set<string>(CLUSTER_GONE_STATES);
const ACTIVE_STATES = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] as const;

/**
 * The cluster that serves this configured name now, with its master. The configured j-ID goes
 * stale: after a failover the replacement (tagged `lifeguard:cluster=<name>`) serves, and after a
 * drill that kept the old cluster BOTH run — failing the kept one over would terminate a healthy,
 * idle cluster and leave the broken one registered. So the source is the candidate whose master the
 * target groups route to (`registeredIps`); without such evidence (no target groups, nothing
 * registered), the configured cluster while it is active, else the newest active replacement.
 */
export async function resolveSourceCluster(
  emr: EMRClient,
  configured: { name: string; clusterId: string },
  registeredIps: ReadonlySet<string>,
): Promise<{ cluster: Cluster; master?: OldMaster }> {
  const cluster = await describeSourceCluster(emr, configured.clusterId);
  const serving = async (candidate: Cluster) => {
    const master = await findOldMaster(emr, candidate).catch((err: unknown) => {
      if (err instanceof SourceClusterError) return undefined; // no master with an IP: not the one serving
      throw err;
    });
    return master && master.ips.some((ip) => registeredIps.has(ip)) ? { cluster: candidate, master } : undefined;
  };

  const configuredActive = !GONE.has(cluster.Status?.State ?? '');
  if (registeredIps.size) {
    const configuredServes = await serving(cluster);
    if (configuredServes) return configuredServes;
  } else if (configuredActive) {
    return { cluster };
  }
  const successors = await activeReplacements(emr, configured.name, cluster.Id);
  for (const successor of registeredIps.size ? successors : []) {
    const found = await serving(successor);
    if (found) return found;
  }
  // Without evidence, a warm standby is never taken for the source: failing it over would retire it.
  const replacement = successors.find((c) => !hasTag(c, STANDBY_TAG, configured.name));
  return { cluster: configuredActive ? cluster : (replacement ?? cluster) };
}

/** Active clusters tagged as replacements of this configured name, newest first. */
function activeReplacements(emr: EMRClient, name: string, excludeId: string | undefined): Promise<Cluster[]> {
  return activeClustersTagged(emr, CLUSTER_TAG, name, excludeId);
}

/** Active clusters carrying the tag `key=value`, newest first, but `excludeId`. */
export async function activeClustersTagged(emr: EMRClient, key: string, value: string, excludeId: string | undefined): Promise<Cluster[]> {
  const active = (
    await listAll<ClusterSummary>((Marker) => emr.send(new ListClustersCommand({ ClusterStates: [...ACTIVE_STATES], Marker })), 'Clusters')
  ).sort((a, b) => createdAt(b.Status?.Timeline?.CreationDateTime) - createdAt(a.Status?.Timeline?.CreationDateTime));
  // ListClusters carries no tags: describe the active ones, a few at a time.
  const limit = pLimit(5);
  const described = await Promise.all(
    active.filter((c) => c.Id && c.Id !== excludeId).map((c) => limit(() => describeSourceCluster(emr, c.Id!).catch(() => undefined))),
  );
  return described.filter((c): c is Cluster => !!c?.Tags?.some((t) => t.Key === key && t.Value === value));
}

/** A cluster carrying this tag. */
export function hasTag(cluster: Cluster, key: string, value: string): boolean {
  return !!cluster.Tags?.some((t) => t.Key === key && t.Value === value);
}

function createdAt(at: Date | string | undefined): number {
  return at ? new Date(at).getTime() : 0;
}

export async function snapshotCluster(emr: EMRClient, cluster: Cluster): Promise<ClusterSnapshot> {
  const clusterId = cluster.Id!;
  const fleets = cluster.InstanceCollectionType === 'INSTANCE_FLEET';
  const [instanceGroups, instanceFleets, bootstrapActions, autoTermination, managedScaling] = await Promise.all([
    fleets ? undefined : listInstanceGroups(emr, clusterId),
    fleets ? listInstanceFleets(emr, clusterId) : undefined,
    listAll<Command>((Marker) => emr.send(new ListBootstrapActionsCommand({ ClusterId: clusterId, Marker })), 'BootstrapActions'),
    emr.send(new GetAutoTerminationPolicyCommand({ ClusterId: clusterId })),
    emr.send(new GetManagedScalingPolicyCommand({ ClusterId: clusterId })),
  ]);
  return {
    cluster,
    instanceGroups,
    instanceFleets,
    bootstrapActions,
    autoTerminationPolicy: autoTermination.AutoTerminationPolicy,
    managedScalingPolicy: managedScaling.ManagedScalingPolicy,
  };
}

export interface OldMaster {
  ip: string;
  /** Every running master's IP (three on a multi-master cluster), `ip` first. */
  ips: string[];
  running: boolean;
}

/**
 * The master IP the target groups hold. Running masters first; when none runs any more (the
 * instance died with its zone), the most recently created master that had a private IP — that is
 * still the address registered in the target groups and the one to deregister.
 */
export async function findOldMaster(emr: EMRClient, cluster: Cluster): Promise<OldMaster> {
  const clusterId = cluster.Id!;
  const masterFilter =
    cluster.InstanceCollectionType === 'INSTANCE_FLEET'
      ? { InstanceFleetType: 'MASTER' as const }
      : { InstanceGroupTypes: ['MASTER' as const] };
  const list = (states?: ['RUNNING']) =>
    listAll<Instance>(
      (Marker) => emr.send(new ListInstancesCommand({ ClusterId: clusterId, ...masterFilter, InstanceStates: states, Marker })),
      'Instances',
    );
  const running = (await list(['RUNNING'])).map((i) => i.PrivateIpAddress).filter((ip): ip is string => !!ip).sort();
  if (running.length) return { ip: running[0]!, ips: running, running: true };
  const earlier = (await list())
    .filter((i) => i.PrivateIpAddress)
    .sort((a, b) => created(b) - created(a));
  const latest = earlier[0]?.PrivateIpAddress;
  if (!latest) throw new SourceClusterError(`no running master instance in EMR cluster ${clusterId}, and no earlier master with a private IP`);
  return { ip: latest, ips: [latest], running: false };
}

function created(instance: Instance): number {
  return createdAt(instance.Status?.Timeline?.CreationDateTime);
}

export function listInstanceGroups(emr: EMRClient, clusterId: string): Promise<InstanceGroup[]> {
  return listAll<InstanceGroup>((Marker) => emr.send(new ListInstanceGroupsCommand({ ClusterId: clusterId, Marker })), 'InstanceGroups');
}

export function listInstanceFleets(emr: EMRClient, clusterId: string): Promise<InstanceFleet[]> {
  return listAll<InstanceFleet>((Marker) => emr.send(new ListInstanceFleetsCommand({ ClusterId: clusterId, Marker })), 'InstanceFleets');
}

async function listAll<T>(page: (marker: string | undefined) => Promise<{ Marker?: string | undefined } & object>, key: string): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const result = await page(marker);
    items.push(...(((result as Record<string, unknown>)[key] as T[] | undefined) ?? []));
    marker = result.Marker;
  } while (marker);
  return items;
}
