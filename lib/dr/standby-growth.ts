import { GetManagedScalingPolicyCommand, type EMRClient, type InstanceFleet, type InstanceFleetConfig, type InstanceGroup, type RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import { compact } from './clone-cluster.ts';
import type { StandbyGrowth } from './types.ts';

/**
 * What takes a standby to the source's capacity once it serves. Managed scaling: the source's
 * limits (PutManagedScalingPolicy), and EMR scales within them. Otherwise each core and task group
 * or fleet of the source raised on the standby's of the same role — never lowered.
 */
export function growth(request: RunJobFlowCommandInput, standby: { groups?: InstanceGroup[]; fleets?: InstanceFleet[] }): StandbyGrowth {
  const limits = request.ManagedScalingPolicy?.ComputeLimits;
  if (limits) return { instanceGroups: [], instanceFleets: [], managedScaling: { ComputeLimits: compact({ ...limits }) as Record<string, unknown> }, notGrown: [] };
  if (request.Instances?.InstanceFleets?.length) return fleetGrowth(request.Instances.InstanceFleets, standby.fleets ?? []);
  return groupGrowth(request, standby.groups ?? []);
}

/** Task groups are matched by name, then in order; a source group with no standby group left is named. */
function groupGrowth(request: RunJobFlowCommandInput, standbyGroups: InstanceGroup[]): StandbyGrowth {
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
  return { instanceGroups, instanceFleets: [], managedScaling: null, notGrown };
}

/**
 * EMR allows one core and one task fleet: each is matched by type. On-demand and Spot targets are
 * raised separately (ModifyInstanceFleet, one fleet per call). Targets count units, so they match
 * the source's only when the standby weighs its instance types as the source does: said when not.
 */
function fleetGrowth(wanted: InstanceFleetConfig[], standbyFleets: InstanceFleet[]): StandbyGrowth {
  const instanceFleets: StandbyGrowth['instanceFleets'] = [];
  const notGrown: string[] = [];
  for (const source of wanted) {
    const role = source.InstanceFleetType;
    if (role !== 'CORE' && role !== 'TASK') continue;
    const onDemand = source.TargetOnDemandCapacity ?? 0;
    const spot = source.TargetSpotCapacity ?? 0;
    const fleet = standbyFleets.find((f) => f.InstanceFleetType === role);
    if (!fleet?.Id) {
      notGrown.push(`${role} fleet (${onDemand} on-demand, ${spot} Spot units): the standby has no ${role} fleet to grow`);
      continue;
    }
    const target = { InstanceFleetId: fleet.Id, TargetOnDemandCapacity: Math.max(onDemand, fleet.TargetOnDemandCapacity ?? 0), TargetSpotCapacity: Math.max(spot, fleet.TargetSpotCapacity ?? 0) };
    if (target.TargetOnDemandCapacity > (fleet.TargetOnDemandCapacity ?? 0) || target.TargetSpotCapacity > (fleet.TargetSpotCapacity ?? 0)) instanceFleets.push(target);
    if (weights(source.InstanceTypeConfigs) !== weights(fleet.InstanceTypeSpecifications)) {
      notGrown.push(`${role} fleet ${fleet.Id}: its instance types or weights differ from the source's, so its capacity units are not the source's: check its size after the failover`);
    }
  }
  return { instanceGroups: [], instanceFleets, managedScaling: null, notGrown };
}

/** A fleet's instance types and their weights (1 when unset, as EMR counts them), comparable as a string. */
function weights(specs: Array<{ InstanceType?: string | undefined; WeightedCapacity?: number | undefined }> | undefined): string {
  return (specs ?? []).map((s) => `${s.InstanceType}=${s.WeightedCapacity ?? 1}`).sort().join(',');
}

/**
 * A standby with managed scaling of its own is kept within its (small) limits by EMR, which would
 * undo new instance counts: the growth says so, unless it is the source's limits that it puts.
 */
export async function withOwnLimits(emr: EMRClient, clusterId: string, grow: StandbyGrowth): Promise<StandbyGrowth> {
  if (grow.managedScaling || (!grow.instanceGroups.length && !grow.instanceFleets.length)) return grow;
  const { ManagedScalingPolicy: own } = await emr.send(new GetManagedScalingPolicyCommand({ ClusterId: clusterId }));
  const limits = own?.ComputeLimits;
  if (!limits) return grow;
  const why = `its own managed scaling keeps it within ${limits.MinimumCapacityUnits}–${limits.MaximumCapacityUnits} ${limits.UnitType}, which undoes the new capacity: remove the standby's managed scaling policy`;
  return { ...grow, notGrown: [...grow.notGrown, why] };
}
