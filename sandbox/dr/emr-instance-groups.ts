import { resize, running, settled, type ResizingCapacity } from './resizing-capacity.ts';
import { ServiceError } from './service-error.ts';

/**
 * A cluster's instance groups on the simulated clock: what ListInstanceGroups reports and what
 * ModifyInstanceGroups changes: each group's count resizes as sandbox/dr/resizing-capacity.ts says.
 */

export type InstanceGroupType = 'MASTER' | 'CORE' | 'TASK';

export interface SandboxInstanceGroup {
  id: string;
  name: string;
  type: InstanceGroupType;
  instanceType: string;
  market: string;
  /** Requested instances (`target`) and what runs over time. */
  count: ResizingCapacity;
}

export interface InstanceCounts {
  core: number;
  task: number;
}

const GROUP_SUFFIX: Record<InstanceGroupType, string> = { MASTER: 'm', CORE: 'c', TASK: 't' };
const GROUP_NAME: Record<InstanceGroupType, string> = { MASTER: 'Primary', CORE: 'Core', TASK: 'Task' };

/** EMR reports these group (and fleet) states while the cluster itself is not running (no instance is). */
export const IDLE_STATE_OF_CLUSTER: Record<string, string> = {
  STARTING: 'PROVISIONING',
  BOOTSTRAPPING: 'BOOTSTRAPPING',
  TERMINATING: 'TERMINATING',
  TERMINATED: 'TERMINATED',
  TERMINATED_WITH_ERRORS: 'TERMINATED',
};

function group(clusterId: string, type: InstanceGroupType, nth: number, fields: { name?: string | undefined; instanceType: string; market?: string | undefined; count: number }): SandboxInstanceGroup {
  return {
    id: `ig-${clusterId}-${GROUP_SUFFIX[type]}${nth > 1 ? nth : ''}`,
    name: fields.name ?? GROUP_NAME[type],
    type,
    instanceType: fields.instanceType,
    market: fields.market ?? 'ON_DEMAND',
    count: settled(fields.count),
  };
}

/** One MASTER, `core` CORE, and a TASK group (of the core type) only when `task` is above 0. */
export function groupsOfCounts(clusterId: string, types: { master: string; core: string }, counts: InstanceCounts): SandboxInstanceGroup[] {
  return [
    group(clusterId, 'MASTER', 1, { instanceType: types.master, count: 1 }),
    group(clusterId, 'CORE', 1, { instanceType: types.core, count: counts.core }),
    ...(counts.task > 0 ? [group(clusterId, 'TASK', 1, { instanceType: types.core, count: counts.task })] : []),
  ];
}

/** The groups a RunJobFlow request's `Instances.InstanceGroups` asks for; undefined without them (an instance fleet). */
export function groupsOfRequest(clusterId: string, instances: Record<string, unknown>): SandboxInstanceGroup[] | undefined {
  const requested = instances.InstanceGroups;
  if (!Array.isArray(requested) || !requested.length) return undefined;
  const seen: Record<string, number> = {};
  return (requested as Array<Record<string, unknown>>).map((g) => {
    const type = g.InstanceRole;
    if (type !== 'MASTER' && type !== 'CORE' && type !== 'TASK') throw new ServiceError('ValidationException', `Invalid InstanceRole '${String(type)}': MASTER, CORE or TASK`);
    if (typeof g.InstanceType !== 'string' || !Number.isInteger(g.InstanceCount)) {
      throw new ServiceError('ValidationException', `The ${type} instance group needs an InstanceType and an InstanceCount`);
    }
    seen[type] = (seen[type] ?? 0) + 1;
    return group(clusterId, type, seen[type], {
      name: typeof g.Name === 'string' ? g.Name : undefined,
      instanceType: g.InstanceType,
      market: typeof g.Market === 'string' ? g.Market : undefined,
      count: g.InstanceCount as number,
    });
  });
}

/** A ListInstanceGroups entry, in a cluster that is in `clusterState` at `now`. */
export function describeGroup(g: SandboxInstanceGroup, clusterState: string, now: number) {
  const idle = IDLE_STATE_OF_CLUSTER[clusterState];
  const runs = idle ? 0 : running(g.count, now);
  return {
    Id: g.id,
    Name: g.name,
    InstanceGroupType: g.type,
    InstanceType: g.instanceType,
    Market: g.market,
    RequestedInstanceCount: g.count.target,
    RunningInstanceCount: runs,
    Status: { State: idle ?? (runs < g.count.target ? 'RESIZING' : 'RUNNING') },
  };
}

/** ModifyInstanceGroups (and ModifyInstanceFleet) is accepted in these cluster states only. */
export const RESIZABLE_CLUSTER_STATES = ['RUNNING', 'WAITING'];

/**
 * ModifyInstanceGroups' `InstanceGroups` applied to one cluster's groups, as EMR answers: the whole
 * request is refused (ValidationException) when the cluster is not running or waiting, a group id
 * is not the cluster's, a group is the MASTER, or a count is not a whole number.
 */
export function modifyGroups(groups: SandboxInstanceGroup[], changes: unknown, at: { clusterState: string; now: number; resizeMs: number }): void {
  if (!RESIZABLE_CLUSTER_STATES.includes(at.clusterState)) {
    // EMR's wording for a cluster that is starting, bootstrapping or ended.
    throw new ServiceError('ValidationException', 'An instance group may only be modified when the cluster is running or waiting');
  }
  if (!Array.isArray(changes) || !changes.length) throw new ServiceError('ValidationException', 'InstanceGroups must list at least one instance group to modify');
  const resolved = (changes as Array<Record<string, unknown>>).map((change) => {
    const id = String(change.InstanceGroupId);
    const target = groups.find((g) => g.id === id);
    if (!target) throw new ServiceError('ValidationException', `Instance group ${id} does not exist in this cluster`);
    if (target.type === 'MASTER') throw new ServiceError('ValidationException', `Instance group ${id} is the MASTER instance group, whose instance count cannot be modified`);
    const count = change.InstanceCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new ServiceError('ValidationException', `InstanceCount of instance group ${id} must be a whole number of instances, 0 or more`);
    }
    return { target, count };
  });
  for (const { target, count } of resolved) resize(target.count, count, at.now, at.resizeMs);
}
