import { IDLE_STATE_OF_CLUSTER, RESIZABLE_CLUSTER_STATES, type InstanceGroupType } from './emr-instance-groups.ts';
import { resize, running, settled, type ResizingCapacity } from './resizing-capacity.ts';
import { ServiceError } from './service-error.ts';

/**
 * A cluster's instance fleets on the simulated clock: what ListInstanceFleets reports and what
 * ModifyInstanceFleet changes. A fleet's target On-Demand and Spot capacities (in units of the
 * instance types' weighted capacity) change at once; the provisioned capacity reaches a raised
 * target `resizeSeconds` later (a lowered one at once). Nothing ticks: capacities are read at a time.
 */

export type InstanceFleetType = InstanceGroupType;

export interface FleetInstanceType {
  instanceType: string;
  weightedCapacity: number;
}

export interface SandboxInstanceFleet {
  id: string;
  name: string;
  type: InstanceFleetType;
  instanceTypes: FleetInstanceType[];
  /** Each market's target and what is provisioned over time. */
  onDemand: ResizingCapacity;
  spot: ResizingCapacity;
}

/** What a fleet is made of, whether a scenario or a RunJobFlow request says it. */
export interface FleetSpec {
  type: InstanceFleetType;
  name?: string | undefined;
  instanceTypes: FleetInstanceType[];
  onDemand: number;
  spot: number;
}

const FLEET_NAME: Record<InstanceFleetType, string> = { MASTER: 'Primary', CORE: 'Core', TASK: 'Task' };
/** One letter per type after the cluster id's own characters: ids stay unique across clusters. */
const FLEET_SUFFIX: Record<InstanceFleetType, string> = { MASTER: 'M', CORE: 'C', TASK: 'T' };

/** The cluster's fleets, provisioned from the start; ids like EMR's (`if-` and upper-case letters and digits). */
export function fleetsOf(clusterId: string, specs: FleetSpec[]): SandboxInstanceFleet[] {
  return specs.map((s) => ({
    id: `if-${clusterId.replace(/^j-/, '').toUpperCase()}${FLEET_SUFFIX[s.type]}`,
    name: s.name ?? FLEET_NAME[s.type],
    type: s.type,
    instanceTypes: s.instanceTypes.map((t) => ({ ...t })),
    onDemand: settled(s.onDemand),
    spot: settled(s.spot),
  }));
}

const isUnits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The fleets a RunJobFlow request's `Instances.InstanceFleets` asks for; undefined without them (an
 * instance-group cluster). One MASTER fleet of capacity 1, at most one CORE and one TASK fleet.
 */
export function fleetsOfRequest(clusterId: string, instances: Record<string, unknown>): SandboxInstanceFleet[] | undefined {
  const requested = instances.InstanceFleets;
  if (!Array.isArray(requested) || !requested.length) return undefined;
  if (Array.isArray(instances.InstanceGroups) && instances.InstanceGroups.length) {
    throw new ServiceError('ValidationException', 'Instances takes InstanceGroups or InstanceFleets, not both');
  }
  const specs = (requested as Array<Record<string, unknown>>).map((f): FleetSpec => {
    const type = f.InstanceFleetType;
    if (type !== 'MASTER' && type !== 'CORE' && type !== 'TASK') throw new ServiceError('ValidationException', `Invalid InstanceFleetType '${String(type)}': MASTER, CORE or TASK`);
    const configs = f.InstanceTypeConfigs;
    if (!Array.isArray(configs) || !configs.length) throw new ServiceError('ValidationException', `The ${type} instance fleet needs at least one InstanceTypeConfigs entry`);
    const instanceTypes = (configs as Array<Record<string, unknown>>).map((c) => {
      const weight = c.WeightedCapacity ?? 1;
      if (typeof c.InstanceType !== 'string' || !Number.isInteger(weight) || (weight as number) < 1) {
        throw new ServiceError('ValidationException', `Each InstanceTypeConfigs entry of the ${type} instance fleet needs an InstanceType and a WeightedCapacity of 1 or more`);
      }
      return { instanceType: c.InstanceType, weightedCapacity: weight as number };
    });
    const onDemand = f.TargetOnDemandCapacity ?? 0;
    const spot = f.TargetSpotCapacity ?? 0;
    if (!isUnits(onDemand) || !isUnits(spot)) throw new ServiceError('ValidationException', `TargetOnDemandCapacity and TargetSpotCapacity of the ${type} instance fleet must be whole numbers, 0 or more`);
    return { type, name: typeof f.Name === 'string' ? f.Name : undefined, instanceTypes, onDemand, spot };
  });
  const count = (type: InstanceFleetType) => specs.filter((s) => s.type === type).length;
  const master = specs.find((s) => s.type === 'MASTER');
  if (count('MASTER') !== 1 || master!.onDemand + master!.spot !== 1) {
    throw new ServiceError('ValidationException', 'InstanceFleets needs exactly one MASTER instance fleet, with a target capacity of 1 (On-Demand or Spot)');
  }
  for (const type of ['CORE', 'TASK'] as const) {
    if (count(type) > 1) throw new ServiceError('ValidationException', `InstanceFleets may have one ${type} instance fleet, not ${count(type)}`);
  }
  return fleetsOf(clusterId, specs);
}

/** A ListInstanceFleets entry, in a cluster that is in `clusterState` at `now`. */
export function describeFleet(f: SandboxInstanceFleet, clusterState: string, now: number) {
  const idle = IDLE_STATE_OF_CLUSTER[clusterState];
  const onDemand = idle ? 0 : running(f.onDemand, now);
  const spot = idle ? 0 : running(f.spot, now);
  return {
    Id: f.id,
    Name: f.name,
    Status: { State: idle ?? (onDemand < f.onDemand.target || spot < f.spot.target ? 'RESIZING' : 'RUNNING') },
    InstanceFleetType: f.type,
    TargetOnDemandCapacity: f.onDemand.target,
    TargetSpotCapacity: f.spot.target,
    ProvisionedOnDemandCapacity: onDemand,
    ProvisionedSpotCapacity: spot,
    InstanceTypeSpecifications: f.instanceTypes.map((t) => ({ InstanceType: t.instanceType, WeightedCapacity: t.weightedCapacity })),
  };
}

/**
 * ModifyInstanceFleet's `InstanceFleet` applied to one cluster's fleets. EMR documents the call as
 * atomic and its refusals as bad input; the sandbox refuses (ValidationException, as it does
 * ModifyInstanceGroups) a cluster that is not running or waiting, a fleet that is not the
 * cluster's, the MASTER fleet, and a capacity that is not a whole number, 0 or more. A capacity left
 * out keeps its target. EMR's exact messages for these cases are not documented: these are the
 * sandbox's own words.
 */
export function modifyFleet(fleets: SandboxInstanceFleet[], change: unknown, at: { clusterState: string; now: number; resizeMs: number }): void {
  if (!RESIZABLE_CLUSTER_STATES.includes(at.clusterState)) {
    throw new ServiceError('ValidationException', `An instance fleet may only be modified when the cluster is running or waiting (it is ${at.clusterState})`);
  }
  if (typeof change !== 'object' || change === null) throw new ServiceError('ValidationException', 'InstanceFleet is required: { InstanceFleetId, TargetOnDemandCapacity?, TargetSpotCapacity? }');
  const { InstanceFleetId: id, TargetOnDemandCapacity: onDemand, TargetSpotCapacity: spot } = change as Record<string, unknown>;
  const target = fleets.find((f) => f.id === id);
  if (!target) throw new ServiceError('ValidationException', `Instance fleet ${String(id)} does not exist in this cluster`);
  if (target.type === 'MASTER') throw new ServiceError('ValidationException', `Instance fleet ${target.id} is the MASTER instance fleet, whose capacity cannot be modified`);
  for (const [field, value] of [['TargetOnDemandCapacity', onDemand], ['TargetSpotCapacity', spot]] as const) {
    if (value !== undefined && !isUnits(value)) throw new ServiceError('ValidationException', `${field} of instance fleet ${target.id} must be a whole number of units, 0 or more`);
  }
  if (onDemand !== undefined) resize(target.onDemand, onDemand as number, at.now, at.resizeMs);
  if (spot !== undefined) resize(target.spot, spot as number, at.now, at.resizeMs);
}
