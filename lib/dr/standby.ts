import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Cluster, EMRClient } from '@aws-sdk/client-emr';
import type { EmrClusterConfig } from '../config/dr.ts';
import { CLUSTER_GONE_STATES } from './cluster-states.ts';
import { activeClustersTagged, describeSourceCluster, findOldMaster, hasTag, listInstanceFleets, listInstanceGroups, SourceClusterError } from './emr-source.ts';
import { growth, withOwnLimits } from './standby-growth.ts';
import { rearmRequest, type RearmContext } from './standby-rearm.ts';
import { CLUSTER_TAG, STANDBY_TAG } from './tags.ts';
import type { StandbyPlan } from './types.ts';

/**
 * The warm standby a failover may switch to instead of creating a cluster (read-only): which one
 * (the configured cluster, or after a failover to it the newest standby a rearm started, by its
 * tags), whether it can take over, how to grow it to the source's capacity, and where a rearm
 * would start the next one.
 */

export interface StandbyContext extends RearmContext {
  configured: EmrClusterConfig;
  /** The cluster being failed over (never its own standby). */
  sourceClusterId: string;
  /** Zones the load balancer serves; undefined when there is none to satisfy. */
  servedZones: ReadonlySet<string> | undefined;
}

const READY = new Set(['WAITING', 'RUNNING']);

export async function planStandby(emr: EMRClient, ec2: EC2Client, context: StandbyContext): Promise<StandbyPlan | null> {
  const { standby } = context.configured;
  if (!standby) return null;
  const found = await findStandby(emr, context);
  const unusable = (why: string, cluster?: Cluster): StandbyPlan => ({
    clusterId: cluster?.Id ?? standby.clusterId,
    zone: cluster?.Ec2InstanceAttributes?.Ec2AvailabilityZone ?? null,
    subnetId: cluster?.Ec2InstanceAttributes?.Ec2SubnetId ?? null,
    masterIp: null,
    usable: false,
    why,
    grow: { instanceGroups: [], instanceFleets: [], managedScaling: null, notGrown: [] },
    rearm: null,
  });
  if ('why' in found) return unusable(found.why);
  const cluster = found.cluster;
  const problem = await standbyProblem(cluster, ec2, context);
  if (problem) return unusable(problem, cluster);
  const master = await findOldMaster(emr, cluster).catch((err: unknown) => {
    if (err instanceof SourceClusterError) return undefined;
    throw err;
  });
  if (!master?.running) return unusable(`standby ${cluster.Id} has no running master`, cluster);

  const zone = cluster.Ec2InstanceAttributes!.Ec2AvailabilityZone!;
  const own = { zone, ...(await capacityOf(emr, cluster.Id!, context)) };
  const rearm = standby.rearm ? rearmRequest(context, own) : null;
  return {
    clusterId: cluster.Id!,
    zone,
    subnetId: cluster.Ec2InstanceAttributes?.Ec2SubnetId ?? null,
    masterIp: master.ip,
    usable: true,
    why: `${cluster.Status?.State} in ${zone}, master ${master.ip}`,
    grow: await withOwnLimits(emr, cluster.Id!, growth(context.request, own)),
    rearm: rearm && 'runJobFlow' in rearm ? rearm : null,
    ...(rearm && 'skipped' in rearm ? { rearmSkipped: rearm.skipped } : {}),
  };
}

/**
 * The standby now: the configured one, unless it is the source now (a failover went to it) or gone;
 * then the newest active cluster a rearm started (by its tag). Otherwise why there is none.
 */
export async function findStandby(emr: EMRClient, context: Pick<StandbyContext, 'configured' | 'sourceClusterId'>): Promise<{ cluster: Cluster } | { why: string }> {
  const configuredId = context.configured.standby!.clusterId;
  let configured: Cluster | undefined;
  try {
    configured = await describeSourceCluster(emr, configuredId);
  } catch (err) {
    if (!(err instanceof SourceClusterError)) throw err;
  }
  const state = configured?.Status?.State;
  if (configured && configuredId !== context.sourceClusterId && state && !(CLUSTER_GONE_STATES as readonly string[]).includes(state)) {
    return { cluster: configured };
  }
  const rearmed = await activeClustersTagged(emr, STANDBY_TAG, context.configured.name, context.sourceClusterId);
  if (rearmed[0]) return { cluster: rearmed[0] };
  const configuredNow = !configured ? 'was not found' : configuredId === context.sourceClusterId ? 'is the cluster being failed over' : `is ${state}`;
  return { why: `no standby is running: the configured standby ${configuredId} ${configuredNow}, and no cluster tagged ${STANDBY_TAG}=${context.configured.name} is active` };
}

/** Why this standby cannot take over, or undefined when it can. */
async function standbyProblem(cluster: Cluster, ec2: EC2Client, context: StandbyContext): Promise<string | undefined> {
  const id = cluster.Id!;
  const name = context.configured.name;
  const state = cluster.Status?.State ?? 'in an unknown state';
  if (!READY.has(state)) return `standby ${id} is ${state}, not WAITING or RUNNING`;
  if (!hasTag(cluster, CLUSTER_TAG, name) || !hasTag(cluster, STANDBY_TAG, name)) {
    return `standby ${id} lacks the tags ${CLUSTER_TAG}=${name} and ${STANDBY_TAG}=${name}, which let Lifeguard grow and later retire it: tag it`;
  }
  const zone = cluster.Ec2InstanceAttributes?.Ec2AvailabilityZone;
  if (!zone) return `standby ${id} reports no Availability Zone`;
  if (zone === context.failedZone) return `standby ${id} is in the failed zone ${zone}`;
  if (context.servedZones && !context.servedZones.has(zone)) {
    return `standby ${id} is in ${zone}, which the load balancer does not serve (it serves ${[...context.servedZones].sort().join(', ') || 'no zone'})`;
  }
  const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: [zone] }));
  const zoneState = AvailabilityZones[0]?.State ?? 'unknown to EC2';
  if (zoneState !== 'available') return `standby ${id} is in ${zone}, which is ${zoneState}`;
  return undefined;
}

/** The standby's groups or fleets, whichever the source's request has (the growth matches them). */
async function capacityOf(emr: EMRClient, clusterId: string, context: StandbyContext) {
  const instances = context.request.Instances;
  if (instances?.InstanceFleets?.length) return { fleets: await listInstanceFleets(emr, clusterId) };
  if (instances?.InstanceGroups?.length) return { groups: await listInstanceGroups(emr, clusterId) };
  return {};
}
