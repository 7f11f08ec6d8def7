import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EMRClient, RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import { findEmrCluster, type DrConfig, type EmrClusterConfig } from '../config/dr.ts';
import { replacementTags, runJobFlowFromSnapshot, stampedName } from './clone-cluster.ts';
import { findOldMaster, resolveSourceCluster, snapshotCluster } from './emr-source.ts';
import { assertPassedRoles } from './passed-roles.ts';
import { requestNeeds } from './instance-type-offerings.ts';
import { PlacementError, placementsFor, placeReplacement, withPlacement } from './placement.ts';
import { PlanningError } from './planning-error.ts';
import { planStandby } from './standby.ts';
import { registeredTargetIps, servedZones, verifyTargetGroups } from './target-groups.ts';
import type { FailoverInput, FailoverPlan } from './types.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';

export interface PlanDeps {
  config: DrConfig;
  emr: EMRClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  /** Epoch ms, for the replacement's name. */
  now?: () => number;
}

/** The plan, with the request typed as EMR's RunJobFlow input. */
export type TypedFailoverPlan = FailoverPlan & { runJobFlow: RunJobFlowCommandInput };

/** Why no plan could be made; the message names what is missing. */
export class PlanError extends LifeguardError {}

/**
 * Everything the failover needs, decided before anything is created: the replacement's RunJobFlow
 * request (the stored template, or a clone of the running cluster) placed in a subnet of another,
 * available Availability Zone; the old master's IP; the verified target groups. Read-only.
 */
export async function planFailover(input: FailoverInput, deps: PlanDeps): Promise<TypedFailoverPlan> {
  try {
    return await plan(input, deps);
  } catch (err) {
    if (err instanceof PlanningError) {
      throw new PlanError(`cannot plan a failover of '${input.cluster}': ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function plan(input: FailoverInput, deps: PlanDeps): Promise<TypedFailoverPlan> {
  let configured: EmrClusterConfig;
  try {
    configured = findEmrCluster(deps.config, input.cluster);
  } catch (err) {
    throw new PlanError(errorMessage(err), { cause: err });
  }
  const registered = await registeredTargetIps(deps.elbv2, configured.targetGroups.map((g) => g.arn));
  const { cluster: source, master } = await resolveSourceCluster(deps.emr, configured, registered);
  const sourceClusterId = source.Id ?? configured.clusterId;
  const sourceSubnetId = source.Ec2InstanceAttributes?.Ec2SubnetId;
  const failedZone = source.Ec2InstanceAttributes?.Ec2AvailabilityZone;
  if (!sourceSubnetId || !failedZone) {
    throw new PlanError(`EMR cluster ${sourceClusterId} reports no subnet or Availability Zone (Ec2InstanceAttributes)`);
  }

  const tags = replacementTags(undefined, sourceClusterId, configured.name);
  const [request, oldMaster, verifiedGroups] = await Promise.all([
    configured.runJobFlowTemplate
      ? Promise.resolve(fromTemplate(configured.runJobFlowTemplate, tags))
      : snapshotCluster(deps.emr, source).then((snapshot) =>
          runJobFlowFromSnapshot(snapshot, {
            name: replacementName(source.Name ?? configured.name, (deps.now ?? Date.now)()),
            tags: replacementTags(source.Tags, sourceClusterId, configured.name),
          }),
        ),
    master ?? findOldMaster(deps.emr, source),
    verifyTargetGroups(deps.elbv2, configured.targetGroups),
  ]);
  assertPassedRoles(request, configured.roles, `dr.clusters[${configured.name}]`);
  const targetGroups = verifiedGroups.map(({ arn, port }) => ({ arn, port }));
  const loadBalancers = verifiedGroups.flatMap((g) => g.loadBalancerArns);

  const fleets = Boolean(request.Instances?.InstanceFleets?.length);
  const served = loadBalancers.length ? await servedZones(deps.elbv2, loadBalancers) : undefined;
  const placementRequest = {
    sourceSubnetId,
    failedZone,
    candidateSubnetIds: configured.placement.candidateSubnetIds,
    subnetTags: configured.placement.subnetTags,
    minFreeAddresses: requestedInstances(request),
    servedZones: served,
    needs: requestNeeds(request),
  };
  // With a standby, no zone fitting a replacement is no reason to stop: the standby may take over.
  const placed = await placeReplacement(deps.ec2, placementRequest).catch((err: unknown) => {
    if (err instanceof PlacementError && configured.standby) return err;
    throw err;
  });
  const placements = placed instanceof PlacementError ? [] : placementsFor(placed.fitting, fleets);
  const standby = await planStandby(deps.emr, deps.ec2, {
    configured,
    sourceClusterId,
    failedZone,
    servedZones: served,
    request,
    fitting: placed instanceof PlacementError ? [] : placed.fitting,
    now: (deps.now ?? Date.now)(),
  });
  if (placed instanceof PlacementError && !standby?.usable) {
    throw new PlacementError(`${placed.message}; and the standby cannot take over: ${standby?.why}`, placed.zones);
  }
  const first = placements[0];

  return {
    cluster: configured.name,
    sourceClusterId,
    sourceAvailabilityZone: failedZone,
    targetAvailabilityZone: first?.zone ?? standby!.zone!,
    targetSubnetId: first?.subnetIds[0] ?? standby!.subnetId!,
    oldMasterIp: oldMaster.ip,
    targetGroups,
    runJobFlow: { ...keptAlive(first ? withPlacement(request, first.instances) : request) },
    source: configured.runJobFlowTemplate ? 'template' : 'cloned',
    zones: placed.zones,
    placements,
    standby,
  };
}

/** `analytics-dr-20260301T120000Z`; an earlier `-dr-` stamp is replaced, not stacked. */
export function replacementName(sourceName: string, nowMs: number): string {
  return stampedName(sourceName.replace(/-dr-\d{8}T\d{6}Z$/, ''), 'dr', nowMs);
}

/** A stored template keeps its name; it only gains the Lifeguard tags (and its placement). */
function fromTemplate(template: Record<string, unknown>, lifeguardTags: ReturnType<typeof replacementTags>): RunJobFlowCommandInput {
  const request = structuredClone(template) as unknown as RunJobFlowCommandInput;
  const own = new Set(lifeguardTags.map((t) => t.Key));
  return { ...request, Tags: [...(request.Tags ?? []).filter((t) => !own.has(t.Key)), ...lifeguardTags] };
}

/** A replacement serves Livy and YARN: it must stay alive with no steps (a stored template might say otherwise). */
function keptAlive(request: RunJobFlowCommandInput): RunJobFlowCommandInput {
  return { ...request, Instances: { ...request.Instances, KeepJobFlowAliveWhenNoSteps: true } };
}

/** Free addresses the subnet must have: one per requested instance (fleets: their target capacity, a lower bound). */
function requestedInstances(request: RunJobFlowCommandInput): number {
  const instances = request.Instances ?? {};
  if (instances.InstanceGroups?.length) return instances.InstanceGroups.reduce((n, g) => n + (g.InstanceCount ?? 0), 0);
  if (instances.InstanceFleets?.length) {
    return instances.InstanceFleets.reduce((n, f) => n + Math.max(1, Math.ceil(((f.TargetOnDemandCapacity ?? 0) + (f.TargetSpotCapacity ?? 0)) / maxWeight(f))), 0);
  }
  return instances.InstanceCount ?? 1;
}

function maxWeight(fleet: { InstanceTypeConfigs?: Array<{ WeightedCapacity?: number | undefined }> | undefined }): number {
  return Math.max(1, ...(fleet.InstanceTypeConfigs ?? []).map((c) => c.WeightedCapacity ?? 1));
}
