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
import { CLUSTER_TAG, type ClusterSnapshot } from './clone-cluster.ts';

/** Reads what the plan needs from EMR (paged calls followed to the end). */

export class SourceClusterError extends Error {
  override name = 'SourceClusterError';
}

export async function describeSourceCluster(emr: EMRClient, clusterId: string): Promise<Cluster> {
  try {
    const { Cluster: cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }));
    if (!cluster) throw new SourceClusterError(`EMR cluster ${clusterId} not found`);
    return cluster;
  } catch (err) {
    // EMR answers an unknown id with InvalidRequestException ("Cluster id '...' is not valid.").
    if ((err as Error).name === 'InvalidRequestException') {
      throw new SourceClusterError(`EMR cluster ${clusterId} not found: ${(err as Error).message}`);
    }
    throw err;
  }
}

const GONE = new Set(['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS']);
const ACTIVE_STATES = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] as const;

/**
 * The cluster that serves this configured name now. The configured j-ID goes stale after a
 * failover (the replacement has a new id); a replacement carries `lifeguard:cluster=<name>`, so
 * when the configured cluster is gone, the newest active cluster with that tag is the one to fail
 * over. If none exists, the configured (terminated) cluster is still the source to clone.
 */
export async function resolveSourceCluster(emr: EMRClient, configured: { name: string; clusterId: string }): Promise<Cluster> {
  const cluster = await describeSourceCluster(emr, configured.clusterId);
  if (!GONE.has(cluster.Status?.State ?? '')) return cluster;
  const active = (
    await listAll<ClusterSummary>((Marker) => emr.send(new ListClustersCommand({ ClusterStates: [...ACTIVE_STATES], Marker })), 'Clusters')
  ).sort((a, b) => createdAt(b.Status?.Timeline?.CreationDateTime) - createdAt(a.Status?.Timeline?.CreationDateTime));
  // ListClusters carries no tags: describe the active ones, a few at a time, newest first.
  const limit = pLimit(5);
  const described = await Promise.all(
    active.filter((c) => c.Id && c.Id !== cluster.Id).map((c) => limit(() => describeSourceCluster(emr, c.Id!).catch(() => undefined))),
  );
  const successor = described.find((c) => c?.Tags?.some((t) => t.Key === CLUSTER_TAG && t.Value === configured.name));
  return successor ?? cluster;
}

function createdAt(at: Date | string | undefined): number {
  return at ? new Date(at).getTime() : 0;
}

export async function snapshotCluster(emr: EMRClient, cluster: Cluster): Promise<ClusterSnapshot> {
  const clusterId = cluster.Id!;
  const fleets = cluster.InstanceCollectionType === 'INSTANCE_FLEET';
  const [instanceGroups, instanceFleets, bootstrapActions, autoTermination, managedScaling] = await Promise.all([
    fleets ? undefined : listAll<InstanceGroup>((Marker) => emr.send(new ListInstanceGroupsCommand({ ClusterId: clusterId, Marker })), 'InstanceGroups'),
    fleets ? listAll<InstanceFleet>((Marker) => emr.send(new ListInstanceFleetsCommand({ ClusterId: clusterId, Marker })), 'InstanceFleets') : undefined,
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
