import type {
  AutoScalingPolicy,
  AutoScalingPolicyDescription,
  AutoTerminationPolicy,
  Cluster,
  Command,
  EbsBlockDevice,
  EbsConfiguration,
  InstanceFleet,
  InstanceFleetConfig,
  InstanceGroup,
  InstanceGroupConfig,
  InstanceTypeConfig,
  InstanceTypeSpecification,
  ManagedScalingPolicy,
  RunJobFlowCommandInput,
  Tag,
} from '@aws-sdk/client-emr';
import { PlanningError } from './planning-error.ts';
import { CLUSTER_TAG, REPLACES_TAG } from './tags.ts';

/**
 * Turns what EMR reports about a running cluster (DescribeCluster, ListInstanceGroups or
 * ListInstanceFleets, ListBootstrapActions, the scaling and auto-termination policies) into the
 * RunJobFlow request that recreates it. The describe shapes differ from the request shapes
 * (RequestedInstanceCount → InstanceCount, EbsBlockDevices → EbsConfiguration,
 * InstanceTypeSpecifications → InstanceTypeConfigs, ...); this module is the one place that knows.
 * Placement (subnet) is left out: the caller decides it.
 */

export interface ClusterSnapshot {
  cluster: Cluster;
  instanceGroups?: InstanceGroup[] | undefined;
  instanceFleets?: InstanceFleet[] | undefined;
  bootstrapActions: Command[];
  autoTerminationPolicy?: AutoTerminationPolicy | undefined;
  managedScalingPolicy?: ManagedScalingPolicy | undefined;
}

/** Thrown when a running cluster cannot be faithfully recreated from what EMR reports. */
export class CloneError extends PlanningError {}

export function runJobFlowFromSnapshot(
  snapshot: ClusterSnapshot,
  replacement: { name: string; tags: Tag[] },
): RunJobFlowCommandInput {
  const { cluster } = snapshot;
  const id = cluster.Id ?? 'the source cluster';
  if (cluster.KerberosAttributes) {
    throw new CloneError(
      `${id} uses Kerberos: DescribeCluster does not return the KDC admin password RunJobFlow needs; store a runJobFlowTemplate for it`,
    );
  }
  const attrs = cluster.Ec2InstanceAttributes ?? {};
  const fleets = cluster.InstanceCollectionType === 'INSTANCE_FLEET';
  if (fleets && !snapshot.instanceFleets?.length) throw new CloneError(`${id} uses instance fleets but none were listed`);
  if (!fleets && !snapshot.instanceGroups?.length) throw new CloneError(`${id} uses instance groups but none were listed`);
  if (!cluster.ReleaseLabel && !cluster.RequestedAmiVersion) throw new CloneError(`${id} has neither ReleaseLabel nor an AMI version`);

  return compact({
    Name: replacement.name,
    LogUri: cluster.LogUri,
    LogEncryptionKmsKeyId: cluster.LogEncryptionKmsKeyId,
    ReleaseLabel: cluster.ReleaseLabel,
    AmiVersion: cluster.ReleaseLabel ? undefined : cluster.RequestedAmiVersion,
    OSReleaseLabel: cluster.OSReleaseLabel,
    // The release label pins application versions; the request takes names (and args) only.
    Applications: cluster.Applications?.map((app) => ({ Name: app.Name, Args: app.Args?.length ? app.Args : undefined })),
    Configurations: cluster.Configurations,
    BootstrapActions: snapshot.bootstrapActions.map((action) => ({
      Name: action.Name,
      ScriptBootstrapAction: { Path: action.ScriptPath, Args: action.Args ?? [] },
    })),
    ServiceRole: cluster.ServiceRole,
    JobFlowRole: attrs.IamInstanceProfile,
    AutoScalingRole: cluster.AutoScalingRole,
    SecurityConfiguration: cluster.SecurityConfiguration,
    ScaleDownBehavior: cluster.ScaleDownBehavior,
    CustomAmiId: cluster.CustomAmiId,
    EbsRootVolumeSize: cluster.EbsRootVolumeSize,
    EbsRootVolumeIops: cluster.EbsRootVolumeIops,
    EbsRootVolumeThroughput: cluster.EbsRootVolumeThroughput,
    RepoUpgradeOnBoot: cluster.RepoUpgradeOnBoot,
    StepConcurrencyLevel: cluster.StepConcurrencyLevel,
    VisibleToAllUsers: cluster.VisibleToAllUsers,
    PlacementGroupConfigs: cluster.PlacementGroups,
    ExtendedSupport: cluster.ExtendedSupport,
    MonitoringConfiguration: cluster.MonitoringConfiguration,
    AutoTerminationPolicy: snapshot.autoTerminationPolicy,
    ManagedScalingPolicy: snapshot.managedScalingPolicy,
    Tags: replacement.tags,
    Instances: {
      Ec2KeyName: attrs.Ec2KeyName,
      EmrManagedMasterSecurityGroup: attrs.EmrManagedMasterSecurityGroup,
      EmrManagedSlaveSecurityGroup: attrs.EmrManagedSlaveSecurityGroup,
      ServiceAccessSecurityGroup: attrs.ServiceAccessSecurityGroup,
      AdditionalMasterSecurityGroups: nonEmpty(attrs.AdditionalMasterSecurityGroups),
      AdditionalSlaveSecurityGroups: nonEmpty(attrs.AdditionalSlaveSecurityGroups),
      // A replacement must outlive its (absent) steps: it serves Livy, not a batch.
      KeepJobFlowAliveWhenNoSteps: true,
      TerminationProtected: cluster.TerminationProtected,
      UnhealthyNodeReplacement: cluster.UnhealthyNodeReplacement,
      InstanceGroups: fleets ? undefined : snapshot.instanceGroups!.map((g) => instanceGroupConfig(g, cluster.Id)),
      InstanceFleets: fleets ? snapshot.instanceFleets!.map(instanceFleetConfig) : undefined,
    },
  });
}

/** `<base>-<suffix>-20260301T120000Z`, the base cut so the name fits EMR's 256 characters. */
export function stampedName(base: string, suffix: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${base.slice(0, 256 - stamp.length - suffix.length - 2)}-${suffix}-${stamp}`;
}

/** Source tags (minus AWS-reserved and earlier Lifeguard ones) plus where this replacement came from. */
export function replacementTags(source: Tag[] | undefined, sourceClusterId: string, clusterName: string): Tag[] {
  const kept = (source ?? []).filter(
    (t) => t.Key && !t.Key.startsWith('aws:') && t.Key !== REPLACES_TAG && t.Key !== CLUSTER_TAG,
  );
  return [...kept, { Key: REPLACES_TAG, Value: sourceClusterId }, { Key: CLUSTER_TAG, Value: clusterName }];
}

export function instanceGroupConfig(group: InstanceGroup, sourceClusterId?: string): InstanceGroupConfig {
  if (!group.InstanceGroupType || !group.InstanceType || group.RequestedInstanceCount === undefined) {
    throw new CloneError(`instance group ${group.Id ?? group.Name ?? '?'} lacks its type, instance type or requested count`);
  }
  return compact({
    Name: group.Name,
    InstanceRole: group.InstanceGroupType,
    Market: group.Market,
    BidPrice: group.Market === 'SPOT' ? group.BidPrice : undefined,
    InstanceType: group.InstanceType,
    InstanceCount: group.RequestedInstanceCount,
    Configurations: nonEmpty(group.Configurations),
    EbsConfiguration: ebsConfiguration(group.EbsBlockDevices, group.EbsOptimized),
    AutoScalingPolicy: autoScalingPolicy(group.AutoScalingPolicy, sourceClusterId),
    CustomAmiId: group.CustomAmiId,
  });
}

export function instanceFleetConfig(fleet: InstanceFleet): InstanceFleetConfig {
  if (!fleet.InstanceFleetType) throw new CloneError(`instance fleet ${fleet.Id ?? fleet.Name ?? '?'} lacks its type`);
  return compact({
    Name: fleet.Name,
    InstanceFleetType: fleet.InstanceFleetType,
    TargetOnDemandCapacity: fleet.TargetOnDemandCapacity,
    TargetSpotCapacity: fleet.TargetSpotCapacity,
    InstanceTypeConfigs: fleet.InstanceTypeSpecifications?.map(instanceTypeConfig),
    LaunchSpecifications: fleet.LaunchSpecifications,
    ResizeSpecifications: fleet.ResizeSpecifications,
    Context: fleet.Context,
  });
}

function instanceTypeConfig(spec: InstanceTypeSpecification): InstanceTypeConfig {
  return compact({
    InstanceType: spec.InstanceType,
    WeightedCapacity: spec.WeightedCapacity,
    // EMR reports both; the request takes one. An absolute bid is the more specific.
    BidPrice: spec.BidPrice,
    BidPriceAsPercentageOfOnDemandPrice: spec.BidPrice ? undefined : spec.BidPriceAsPercentageOfOnDemandPrice,
    EbsConfiguration: ebsConfiguration(spec.EbsBlockDevices, spec.EbsOptimized),
    Configurations: nonEmpty(spec.Configurations),
    CustomAmiId: spec.CustomAmiId,
    Priority: spec.Priority,
  });
}

/** EMR lists one entry per attached volume (/dev/sdb, /dev/sdc, ...); the request counts identical ones. */
export function ebsConfiguration(devices: EbsBlockDevice[] | undefined, optimized: boolean | undefined): EbsConfiguration | undefined {
  const configs: NonNullable<EbsConfiguration['EbsBlockDeviceConfigs']> = [];
  for (const device of devices ?? []) {
    if (!device.VolumeSpecification) continue;
    const spec = compact({ ...device.VolumeSpecification });
    const last = configs[configs.length - 1];
    if (last && JSON.stringify(last.VolumeSpecification) === JSON.stringify(spec)) {
      last.VolumesPerInstance = (last.VolumesPerInstance ?? 1) + 1;
    } else {
      configs.push({ VolumeSpecification: spec, VolumesPerInstance: 1 });
    }
  }
  if (!configs.length && optimized === undefined) return undefined;
  return compact({ EbsBlockDeviceConfigs: configs.length ? configs : undefined, EbsOptimized: optimized });
}

/**
 * The description carries a Status the request does not take; and an alarm dimension that names
 * the old cluster would make the replacement scale on the old cluster's metrics.
 */
function autoScalingPolicy(description: AutoScalingPolicyDescription | undefined, sourceClusterId?: string): AutoScalingPolicy | undefined {
  if (!description?.Constraints || !description.Rules) return undefined;
  const rules = description.Rules.map((rule) => {
    const alarm = rule.Trigger?.CloudWatchAlarmDefinition;
    if (!alarm?.Dimensions) return rule;
    const Dimensions = alarm.Dimensions.map((d) =>
      d.Key === 'JobFlowId' && d.Value === sourceClusterId ? { ...d, Value: '${emr.clusterId}' } : d,
    );
    return { ...rule, Trigger: { ...rule.Trigger, CloudWatchAlarmDefinition: { ...alarm, Dimensions } } };
  });
  return { Constraints: description.Constraints, Rules: rules };
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list?.length ? list : undefined;
}

/** Drops undefined members (recursively) so the request is plain JSON for Step Functions. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
    return out as T;
  }
  return value;
}
