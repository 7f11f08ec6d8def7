import type { InstanceFleet, InstanceGroup, RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import type { EmrClusterConfig } from '../config/dr.ts';
import { compact, stampedName } from './clone-cluster.ts';
import { placementsFor, withPlacement, type Placements } from './placement.ts';
import { CLUSTER_TAG, REPLACES_TAG, STANDBY_TAG } from './tags.ts';

export interface RearmContext {
  configured: EmrClusterConfig;
  failedZone: string;
  /** The source's request: the shape the next standby copies. */
  request: RunJobFlowCommandInput;
  /** The zones a replacement fits, best first. */
  fitting: Placements['fitting'];
  /** Epoch ms, for the next standby's name. */
  now: number;
}

export type RearmPlan = { zone: string; runJobFlow: Record<string, unknown> } | { skipped: string };

/**
 * The next standby, started after a failover to this one: the source's request with the standby's
 * own (small) capacity and no managed scaling, tagged as a standby, in a fitting zone that is
 * neither the failed zone nor the standby's (instance fleets: every such zone, EMR chooses).
 */
export function rearmRequest(context: RearmContext, standby: { zone: string; groups?: InstanceGroup[]; fleets?: InstanceFleet[] }): RearmPlan {
  const request = context.request;
  const fleets = Boolean(request.Instances?.InstanceFleets?.length);
  const placement = placementsFor(context.fitting.filter((z) => z.zone !== standby.zone), fleets)[0];
  if (!placement) return { skipped: `no fitting zone other than the standby's ${standby.zone} and the failed ${context.failedZone}` };
  const sized = {
    ...request,
    Instances: {
      ...request.Instances,
      KeepJobFlowAliveWhenNoSteps: true,
      ...(fleets ? { InstanceFleets: smallFleets(request, standby.fleets ?? []) } : { InstanceGroups: smallGroups(request, standby.groups ?? []) }),
    },
  };
  const tags = (request.Tags ?? []).filter((t) => t.Key !== REPLACES_TAG && t.Key !== STANDBY_TAG && t.Key !== CLUSTER_TAG);
  const runJobFlow = compact({
    ...withPlacement(sized, placement.instances),
    Name: stampedName((request.Name ?? context.configured.name).replace(/-(dr|standby)-\d{8}T\d{6}Z$/, ''), 'standby', context.now),
    ManagedScalingPolicy: undefined,
    Tags: [...tags, { Key: CLUSTER_TAG, Value: context.configured.name }, { Key: STANDBY_TAG, Value: context.configured.name }],
  });
  return { zone: placement.zone, runJobFlow: runJobFlow as unknown as Record<string, unknown> };
}

/** The source's groups with the standby's counts: by role and name, else by role, else 1. */
function smallGroups(request: RunJobFlowCommandInput, standbyGroups: InstanceGroup[]) {
  const counts = new Map(standbyGroups.map((g) => [`${g.InstanceGroupType}:${g.Name}`, g.RequestedInstanceCount]));
  const byRole = new Map(standbyGroups.map((g) => [g.InstanceGroupType, g.RequestedInstanceCount]));
  return request.Instances?.InstanceGroups?.map((g) =>
    g.InstanceRole === 'MASTER' ? g : { ...g, InstanceCount: counts.get(`${g.InstanceRole}:${g.Name}`) ?? byRole.get(g.InstanceRole) ?? 1 },
  );
}

/** The source's fleets with the standby's targets by type; without a standby fleet of the type, one on-demand unit of core and no task. */
function smallFleets(request: RunJobFlowCommandInput, standbyFleets: InstanceFleet[]) {
  return request.Instances?.InstanceFleets?.map((f) => {
    if (f.InstanceFleetType === 'MASTER') return f;
    const own = standbyFleets.find((s) => s.InstanceFleetType === f.InstanceFleetType);
    return {
      ...f,
      TargetOnDemandCapacity: own ? (own.TargetOnDemandCapacity ?? 0) : f.InstanceFleetType === 'CORE' ? 1 : 0,
      TargetSpotCapacity: own?.TargetSpotCapacity ?? 0,
    };
  });
}
