import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { GetManagedScalingPolicyCommand, ListInstanceGroupsCommand, type Cluster, type EMRClient, type InstanceGroup, type RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import type { EmrClusterConfig } from '../config/dr.ts';
import { compact } from './clone-cluster.ts';
import { CLUSTER_GONE_STATES } from './cluster-states.ts';
import { activeClustersTagged, describeSourceCluster, findOldMaster, hasTag, SourceClusterError } from './emr-source.ts';
import { CLUSTER_TAG, REPLACES_TAG, STANDBY_TAG } from './tags.ts';
import type { PlacementAttempt, StandbyGrowth, StandbyPlan } from './types.ts';

/**
 * The warm standby a failover may switch to instead of creating a cluster (read-only): which one
 * (the configured cluster, or after a failover to it the newest standby a rearm started, by its
 * tags), whether it can take over, how to grow it to the source's capacity, and where a rearm
 * would start the next one.
 */

export interface StandbyContext {
  configured: EmrClusterConfig;
  /** The cluster being failed over (never its own standby). */
  sourceClusterId: string;
  failedZone: string;
  /** Zones the load balancer serves; undefined when there is none to satisfy. */
  servedZones: ReadonlySet<string> | undefined;
  /** The replacement's request: the source's capacity, and the shape a rearmed standby copies. */
  request: RunJobFlowCommandInput;
  /** Where a cold replacement would go, best first: a rearm takes the first zone other than the standby's. */
  placements: PlacementAttempt[];
  /** Epoch ms, for a rearmed standby's name. */
  now: number;
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
    grow: { instanceGroups: [], managedScaling: null, notGrown: [] },
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
  const groups = context.request.Instances?.InstanceGroups?.length ? await listGroups(emr, cluster.Id!) : [];
  const rearm = standby.rearm ? rearmRequest(context, zone, groups) : null;
  return {
    clusterId: cluster.Id!,
    zone,
    subnetId: cluster.Ec2InstanceAttributes?.Ec2SubnetId ?? null,
    masterIp: master.ip,
    usable: true,
    why: `${cluster.Status?.State} in ${zone}, master ${master.ip}`,
    grow: await withOwnLimits(emr, cluster.Id!, growth(context.request, groups)),
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

async function listGroups(emr: EMRClient, clusterId: string): Promise<InstanceGroup[]> {
  const groups: InstanceGroup[] = [];
  let marker: string | undefined;
  do {
    const page = await emr.send(new ListInstanceGroupsCommand({ ClusterId: clusterId, Marker: marker }));
    groups.push(...(page.InstanceGroups ?? []));
    marker = page.Marker;
  } while (marker);
  return groups;
}

/**
 * What takes the standby to the source's capacity. Managed scaling: the source's limits
 * (PutManagedScalingPolicy), and EMR scales within them. Instance groups: each core and task group
 * of the source raised on the standby's group of the same role (task groups matched by name, then
 * in order) — never lowered. Instance fleets are not grown (ModifyInstanceFleet is one fleet per call).
 */
export function growth(request: RunJobFlowCommandInput, standbyGroups: InstanceGroup[]): StandbyGrowth {
  const limits = request.ManagedScalingPolicy?.ComputeLimits;
  if (limits) return { instanceGroups: [], managedScaling: { ComputeLimits: compact({ ...limits }) as Record<string, unknown> }, notGrown: [] };
  if (request.Instances?.InstanceFleets?.length) {
    return { instanceGroups: [], managedScaling: null, notGrown: ['instance fleets: grow the standby\'s core and task fleets by hand (ModifyInstanceFleet)'] };
  }
  const unmatched = [...standbyGroups];
  const take = (found: InstanceGroup | undefined) => {
    if (found) unmatched.splice(unmatched.indexOf(found), 1);
    return found;
  };
  const instanceGroups: StandbyGrowth['instanceGroups'] = [];
  const notGrown: string[] = [];
  for (const wanted of request.Instances?.InstanceGroups ?? []) {
    const role = wanted.InstanceRole;
    if (role !== 'CORE' && role !== 'TASK') continue;
    const sameRole = unmatched.filter((g) => g.InstanceGroupType === role);
    const group = take(sameRole.find((g) => role === 'TASK' && g.Name === wanted.Name) ?? sameRole[0]);
    if (!group?.Id) {
      notGrown.push(`${role} group${wanted.Name ? ` ${wanted.Name}` : ''} (${wanted.InstanceCount} × ${wanted.InstanceType}): the standby has no ${role} group left to grow`);
      continue;
    }
    if ((wanted.InstanceCount ?? 0) > (group.RequestedInstanceCount ?? 0)) instanceGroups.push({ InstanceGroupId: group.Id, InstanceCount: wanted.InstanceCount! });
  }
  return { instanceGroups, managedScaling: null, notGrown };
}

/**
 * A standby with managed scaling of its own is kept within its (small) limits by EMR, which would
 * undo new instance counts: the growth says so, unless it is the source's limits that it puts.
 */
async function withOwnLimits(emr: EMRClient, clusterId: string, grow: StandbyGrowth): Promise<StandbyGrowth> {
  if (grow.managedScaling || !grow.instanceGroups.length) return grow;
  const { ManagedScalingPolicy: own } = await emr.send(new GetManagedScalingPolicyCommand({ ClusterId: clusterId }));
  const limits = own?.ComputeLimits;
  if (!limits) return grow;
  const why = `its own managed scaling keeps it within ${limits.MinimumCapacityUnits}–${limits.MaximumCapacityUnits} ${limits.UnitType}, which undoes the new instance counts: remove the standby's managed scaling policy`;
  return { ...grow, notGrown: [...grow.notGrown, why] };
}

/**
 * The next standby, started after a failover to this one: the source's request with the standby's
 * own (small) instance counts and no managed scaling, tagged as a standby, in the first fitting
 * zone that is neither the failed zone nor the standby's.
 */
function rearmRequest(context: StandbyContext, standbyZone: string, standbyGroups: InstanceGroup[]): { zone: string; runJobFlow: Record<string, unknown> } | { skipped: string } {
  const placement = context.placements.find((p) => !p.zone.split(', ').includes(standbyZone));
  if (!placement) return { skipped: `no fitting zone other than the standby's ${standbyZone} and the failed ${context.failedZone}` };
  const request = context.request;
  const counts = new Map(standbyGroups.map((g) => [`${g.InstanceGroupType}:${g.Name}`, g.RequestedInstanceCount]));
  const byRole = new Map(standbyGroups.map((g) => [g.InstanceGroupType, g.RequestedInstanceCount]));
  const groups = request.Instances?.InstanceGroups?.map((g) =>
    g.InstanceRole === 'MASTER' ? g : { ...g, InstanceCount: counts.get(`${g.InstanceRole}:${g.Name}`) ?? byRole.get(g.InstanceRole) ?? 1 },
  );
  const instances = { ...request.Instances, KeepJobFlowAliveWhenNoSteps: true, ...(groups ? { InstanceGroups: groups } : {}) };
  delete instances.Placement;
  delete instances.Ec2SubnetId;
  delete instances.Ec2SubnetIds;
  Object.assign(instances, placement.instances);
  const tags = (request.Tags ?? []).filter((t) => t.Key !== REPLACES_TAG && t.Key !== STANDBY_TAG && t.Key !== CLUSTER_TAG);
  const stamp = new Date(context.now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const base = (request.Name ?? context.configured.name).replace(/-(dr|standby)-\d{8}T\d{6}Z$/, '');
  const runJobFlow = compact({
    ...request,
    Name: `${base.slice(0, 256 - stamp.length - 9)}-standby-${stamp}`,
    Instances: instances,
    ManagedScalingPolicy: undefined,
    Tags: [...tags, { Key: CLUSTER_TAG, Value: context.configured.name }, { Key: STANDBY_TAG, Value: context.configured.name }],
  });
  return { zone: placement.zone, runJobFlow: runJobFlow as unknown as Record<string, unknown> };
}
