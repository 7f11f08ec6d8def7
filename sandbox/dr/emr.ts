import type { RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import type { CapacityModel, ProvisioningFailure } from './capacity.ts';
import type { InMemoryEc2 } from './ec2.ts';
import { describeFleet, fleetsOfRequest, modifyFleet, type SandboxInstanceFleet } from './emr-instance-fleets.ts';
import { describeGroup, groupsOfCounts, groupsOfRequest, modifyGroups, type InstanceCounts, type SandboxInstanceGroup } from './emr-instance-groups.ts';
import { validPolicy, type ManagedScalingPolicy } from './emr-managed-scaling.ts';
import { listStepsPage, stepsFromRequest, stepTimeline, type SandboxStep, type StepTimeline } from './emr-steps.ts';
import { ServiceError, type CallLog, type Caller } from './service-error.ts';

/** EMR clusters on the simulated clock: a cluster's state is a function of time, nothing ticks. */

export type CreateFailure = 'reject' | 'terminate';

export interface SandboxCluster {
  id: string;
  name: string;
  subnetId: string;
  zone: string;
  masterIp: string;
  masterInstanceId: string;
  createdAtMs: number;
  /** When bootstrapping ends and the cluster reaches WAITING. */
  readyAtMs: number;
  /** It stays STARTING until then while EMR waits for EC2 capacity (Infinity: for as long as the run). */
  startingUntilMs?: number;
  /** Creation fails (TERMINATED_WITH_ERRORS) at this time. */
  failsAtMs?: number;
  /** Why it ended with errors (ClusterStateChangeReason), when the scenario says. */
  failureReason?: { Code: string; Message: string };
  terminatedAtMs?: number;
  terminationProtected: boolean;
  tags: Record<string, string>;
  releaseLabel: string;
  /** Created by a RunJobFlow call in this scenario (the replacement), not given by the scenario. */
  createdByScenario: boolean;
  request?: Record<string, unknown>;
  /** In the order they were added (sandbox/dr/emr-steps.ts). */
  steps: SandboxStep[];
  /** What it was made with (a replacement: its RunJobFlow request). */
  made?: ClusterMade;
  /** MASTER, CORE and (when it has one) TASK, over time (sandbox/dr/emr-instance-groups.ts); none on a fleet cluster. */
  instanceGroups: SandboxInstanceGroup[];
  /** Given: an instance-fleet cluster, its MASTER, CORE and (when it has one) TASK fleets over time (sandbox/dr/emr-instance-fleets.ts). */
  instanceFleets?: SandboxInstanceFleet[] | undefined;
  /** From ModifyInstanceGroups or ModifyInstanceFleet until added capacity runs; default EmrOptions.resizeSeconds. */
  resizeSeconds?: number;
  /** What GetManagedScalingPolicy returns; none until one is put (or the scenario gives one). */
  managedScalingPolicy?: ManagedScalingPolicy;
}

export interface ClusterMade {
  configurations: Array<Record<string, unknown>>;
  bootstrapActions: Array<{ name: string; path: string; args: string[] }>;
  applications: string[];
  instanceTypes: { master: string; core: string };
  instanceCounts: InstanceCounts;
  serviceRole: string;
  instanceProfile: string;
  autoScalingRole?: string | undefined;
}

const STARTING_SECONDS = 60;
const TERMINATING_SECONDS = 60;

export interface EmrOptions {
  provisioningSeconds: number;
  createFailure?: CreateFailure | undefined;
  now: () => number;
  /** EC2 capacity by zone and instance type over time (sandbox/dr/capacity.ts). */
  capacity?: CapacityModel;
  /** Scenario seconds of an epoch ms (the capacity model's clock). */
  scenarioSeconds?: (ms: number) => number;
  /** How long a step added by AddJobFlowSteps runs, by its name (default 300 s). */
  stepSeconds?: (name: string) => number | undefined;
  /** From ModifyInstanceGroups until added instances run, for a cluster without its own (default 300 s). */
  resizeSeconds?: number;
}

const DEFAULT_STEP_SECONDS = 300;
const DEFAULT_RESIZE_SECONDS = 300;
/** A cluster made without instance groups in its request: EMR's defaults in the sandbox. */
const DEFAULT_INSTANCE_TYPES = { master: 'm5.xlarge', core: 'r5.2xlarge' };
const DEFAULT_INSTANCE_COUNTS: InstanceCounts = { core: 2, task: 0 };
/** AddJobFlowSteps is accepted in these cluster states only (EMR API reference). */
const ACCEPTS_STEPS = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];

export class InMemoryEmr {
  readonly clusters = new Map<string, SandboxCluster>();
  private seq = 0;
  private stepSeq = 0;

  constructor(
    private readonly ec2: InMemoryEc2,
    private readonly log: CallLog,
    private readonly options: EmrOptions,
  ) {}

  addCluster(cluster: SandboxCluster): void {
    this.clusters.set(cluster.id, cluster);
  }

  state(cluster: SandboxCluster, now = this.options.now()): string {
    if (cluster.terminatedAtMs !== undefined && now >= cluster.terminatedAtMs) {
      return now < cluster.terminatedAtMs + TERMINATING_SECONDS * 1000 ? 'TERMINATING' : 'TERMINATED';
    }
    const failsAt = this.failsAt(cluster);
    if (failsAt !== undefined && now >= failsAt) return 'TERMINATED_WITH_ERRORS';
    if (now < Math.max(cluster.createdAtMs + STARTING_SECONDS * 1000, cluster.startingUntilMs ?? 0)) return 'STARTING';
    if (now < cluster.readyAtMs) return 'BOOTSTRAPPING';
    // RUNNING while a step runs, WAITING when there is none to run.
    return this.steps(cluster).runs.some((r) => r.startMs !== undefined && r.startMs <= now && now < (r.endMs ?? Infinity)) ? 'RUNNING' : 'WAITING';
  }

  /** When the world ends the cluster: its zone failing, or a failed TERMINATE_CLUSTER step. */
  private failsAt(cluster: SandboxCluster): number | undefined {
    const byStep = stepTimeline(cluster.steps, cluster.readyAtMs, cluster.failsAtMs).terminatedByStepAtMs;
    if (byStep === undefined) return cluster.failsAtMs;
    return Math.min(byStep, cluster.failsAtMs ?? Infinity);
  }

  /** Where the cluster's steps start and end, up to its end (whatever ends it). */
  steps(cluster: SandboxCluster): StepTimeline {
    return stepTimeline(cluster.steps, cluster.readyAtMs, Math.min(this.failsAt(cluster) ?? Infinity, cluster.terminatedAtMs ?? Infinity));
  }

  /** True when the cluster's master runs its services (what an NLB health check sees for a new cluster). */
  isUp(cluster: SandboxCluster, now = this.options.now()): boolean {
    const state = this.state(cluster, now);
    return state === 'WAITING' || state === 'RUNNING';
  }

  masterRunning(cluster: SandboxCluster, now = this.options.now()): boolean {
    return ['BOOTSTRAPPING', 'WAITING', 'RUNNING'].includes(this.state(cluster, now));
  }

  /** When the cluster stops changing state on its own (epoch ms): 0 for a running one. */
  settledBy(cluster: SandboxCluster): number {
    if (cluster.terminatedAtMs !== undefined) return cluster.terminatedAtMs + TERMINATING_SECONDS * 1000;
    return Math.max(cluster.failsAtMs ?? 0, cluster.createdByScenario ? cluster.readyAtMs : 0);
  }

    byMasterIp(ip: string): SandboxCluster | undefined {
    return [...this.clusters.values()].find((c) => c.masterIp === ip);
  }

  call(action: string, input: Record<string, unknown>, caller?: Caller): unknown {
    this.log.enter('emr', action, input, caller, this.tagsOf(input));
    switch (action) {
      case 'ListClusters':
        return this.listClusters(input);
      case 'RunJobFlow':
        return this.runJobFlow(input);
      case 'DescribeCluster':
        return { Cluster: this.describe(this.find(String(input.ClusterId))) };
      case 'ListInstances':
        return this.listInstances(input);
      case 'ListInstanceGroups':
        return this.listInstanceGroups(input);
      case 'ModifyInstanceGroups':
        return this.modifyInstanceGroups(input);
      case 'ListInstanceFleets':
        return { InstanceFleets: this.instanceFleets(this.find(String(input.ClusterId))) };
      case 'ModifyInstanceFleet':
        return this.modifyInstanceFleet(input);
      case 'ListBootstrapActions':
        return {
          BootstrapActions: (this.find(String(input.ClusterId)).made?.bootstrapActions ?? []).map((b) => ({ Name: b.name, ScriptPath: b.path, Args: [...b.args] })),
        };
      case 'GetAutoTerminationPolicy':
        this.find(String(input.ClusterId));
        return {};
      case 'GetManagedScalingPolicy': {
        const policy = this.find(String(input.ClusterId)).managedScalingPolicy;
        return policy ? { ManagedScalingPolicy: structuredClone(policy) } : {};
      }
      case 'PutManagedScalingPolicy':
        this.find(String(input.ClusterId)).managedScalingPolicy = this.answer(() => validPolicy(input.ManagedScalingPolicy));
        return {};
      case 'SetTerminationProtection':
        for (const id of ids(input)) this.find(id).terminationProtected = Boolean(input.TerminationProtected);
        return {};
      case 'TerminateJobFlows':
        return this.terminate(ids(input));
      case 'ListSteps':
        return listStepsPage(this.steps(this.find(String(input.ClusterId))).runs, input, this.options.now());
      case 'AddJobFlowSteps':
        return this.addSteps(input);
      default:
        throw new Error(`the sandbox EMR does not implement ${action}`);
    }
  }

  /** The tags of the clusters a request names (IAM conditions on elasticmapreduce:ResourceTag read them). */
  private tagsOf(input: Record<string, unknown>): Record<string, Record<string, string>> | undefined {
    const ids = [input.ClusterId, input.JobFlowId, ...(Array.isArray(input.JobFlowIds) ? input.JobFlowIds : [])].filter((id): id is string => typeof id === 'string');
    const named = ids.flatMap((id) => {
      const cluster = this.clusters.get(id);
      return cluster ? [[id, { ...cluster.tags }] as const] : [];
    });
    return named.length ? Object.fromEntries(named) : undefined;
  }

  /** Runs an emulator check; a ServiceError it raises is the call's answer, recorded on the call. */
  private answer<T>(check: () => T): T {
    try {
      return check();
    } catch (err) {
      if (err instanceof ServiceError) this.log.fail(err);
      throw err;
    }
  }

  private find(id: string): SandboxCluster {
    const cluster = this.clusters.get(id);
    if (!cluster) this.log.fail(new ServiceError('InvalidRequestException', `Cluster id '${id}' is not valid.`));
    return cluster;
  }

  private runJobFlow(input: Record<string, unknown>) {
    const instances = (input.Instances ?? {}) as Record<string, unknown>;
    const requested = (instances.Ec2SubnetIds as string[] | undefined) ?? (typeof instances.Ec2SubnetId === 'string' ? [instances.Ec2SubnetId] : []);
    if (typeof input.Name !== 'string' || !input.Name) this.log.fail(new ServiceError('ValidationException', 'Name is required'));
    if (!requested.length) this.log.fail(new ServiceError('ValidationException', 'Instances.Ec2SubnetId is required in a VPC'));
    for (const id of requested) if (!this.ec2.subnet(id)) this.log.fail(new ServiceError('ValidationException', `The subnet ID '${id}' does not exist`));
    if (this.options.createFailure === 'reject') {
      this.log.fail(new ServiceError('ValidationException', 'The security group sg-0doesnotexist000 does not exist in the VPC of the requested subnet.'));
    }
    const now = this.options.now();
    // Of several subnets (an instance fleet), EMR picks one where the cluster can be provisioned.
    const at = this.options.scenarioSeconds?.(now) ?? 0;
    const verdicts = requested.map((id) => ({ subnet: this.ec2.subnet(id)!, failure: this.options.capacity?.failure(input as unknown as RunJobFlowCommandInput, this.ec2.subnet(id)!.zone, at) }));
    const chosen = verdicts.find((v) => !v.failure) ?? verdicts[0]!;
    const { subnet } = chosen;
    const subnetId = subnet.id;
    const shortage: ProvisioningFailure | undefined = chosen.failure;
    if (shortage?.failure === 'reject') this.log.fail(new ServiceError('ValidationException', shortage.message));
    const id = `j-SANDBOX${String(++this.seq).padStart(5, '0')}`;
    const instanceFleets = this.answer(() => fleetsOfRequest(id, instances));
    const instanceGroups = instanceFleets ? [] : (this.answer(() => groupsOfRequest(id, instances)) ?? groupsOfCounts(id, DEFAULT_INSTANCE_TYPES, DEFAULT_INSTANCE_COUNTS));
    const managedScalingPolicy = input.ManagedScalingPolicy === undefined ? undefined : this.answer(() => validPolicy(input.ManagedScalingPolicy));
    const provisioningMs = this.options.provisioningSeconds * 1000;
    const tags = Object.fromEntries(
      ((input.Tags as Array<{ Key: string; Value: string }> | undefined) ?? []).map((t) => [t.Key, t.Value]),
    );
    this.clusters.set(id, {
      id,
      name: input.Name,
      subnetId,
      zone: subnet.zone,
      masterIp: this.ec2.allocateIp(subnetId),
      masterInstanceId: `i-0sandbox${String(this.seq).padStart(8, '0')}`,
      createdAtMs: now,
      ...(shortage?.failure === 'stall' ? this.stalled(now, provisioningMs, shortage) : { readyAtMs: now + provisioningMs }),
      ...(shortage?.failure === 'stall'
        ? {}
        : shortage
        ? { failsAtMs: now + shortage.afterSeconds * 1000, failureReason: { Code: shortage.code, Message: shortage.message } }
        : this.options.createFailure === 'terminate'
          ? {
              failsAtMs: now + Math.round(provisioningMs / 2),
              failureReason: { Code: 'BOOTSTRAP_FAILURE', Message: 'On the master instance, bootstrap action 1 returned a non-zero return code' },
            }
          : {}),
      terminationProtected: Boolean(instances.TerminationProtected),
      tags,
      releaseLabel: String(input.ReleaseLabel ?? 'emr-7.5.0'),
      createdByScenario: true,
      request: structuredClone(input),
      steps: [],
      instanceGroups,
      ...(instanceFleets ? { instanceFleets } : {}),
      ...(managedScalingPolicy ? { managedScalingPolicy } : {}),
    });
    return { JobFlowId: id, ClusterArn: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${id}` };
  }

  /** Capacity EMR waits for: STARTING until the shortage ends, then provisioned as usual. */
  private stalled(now: number, provisioningMs: number, shortage: ProvisioningFailure) {
    const startingUntilMs = shortage.forSeconds === undefined ? Infinity : now + shortage.forSeconds * 1000;
    return { startingUntilMs, readyAtMs: startingUntilMs + provisioningMs };
  }

  private addSteps(input: Record<string, unknown>) {
    const cluster = this.find(String(input.JobFlowId));
    const state = this.state(cluster);
    if (!ACCEPTS_STEPS.includes(state)) this.log.fail(new ServiceError('ValidationException', `A job flow that is ${state} cannot be modified.`));
    let added: SandboxStep[];
    try {
      added = stepsFromRequest(input, {
        now: this.options.now(),
        nextId: () => `s-SANDBOX${String(++this.stepSeq).padStart(6, '0')}`,
        durationMsOf: (name) => (this.options.stepSeconds?.(name) ?? DEFAULT_STEP_SECONDS) * 1000,
      });
    } catch (err) {
      if (err instanceof ServiceError) this.log.fail(err);
      throw err;
    }
    cluster.steps.push(...added);
    return { StepIds: added.map((s) => s.id) };
  }

  /** One page with every match, newest first, as EMR lists them. */
  private listClusters(input: Record<string, unknown>) {
    const states = (input.ClusterStates as string[] | undefined) ?? [];
    const now = this.options.now();
    return {
      Clusters: [...this.clusters.values()]
        .filter((c) => !states.length || states.includes(this.state(c, now)))
        .sort((a, b) => b.createdAtMs - a.createdAtMs)
        .map((c) => ({
          Id: c.id,
          Name: c.name,
          Status: { State: this.state(c, now), Timeline: { CreationDateTime: new Date(c.createdAtMs).toISOString() } },
          ClusterArn: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${c.id}`,
        })),
    };
  }

  private describe(cluster: SandboxCluster) {
    const state = this.state(cluster);
    const failed = state === 'TERMINATED_WITH_ERRORS';
    return {
      Id: cluster.id,
      Name: cluster.name,
      Status: {
        State: state,
        StateChangeReason: failed
          ? (cluster.failureReason ?? { Code: 'INSTANCE_FAILURE', Message: `The cluster's instances in ${cluster.zone} failed` })
          : {},
        Timeline: { CreationDateTime: new Date(cluster.createdAtMs).toISOString() },
      },
      Ec2InstanceAttributes: {
        Ec2SubnetId: cluster.subnetId,
        Ec2AvailabilityZone: cluster.zone,
        IamInstanceProfile: cluster.made?.instanceProfile ?? 'EMR_EC2_DefaultRole',
        EmrManagedMasterSecurityGroup: 'sg-0master000000000',
        EmrManagedSlaveSecurityGroup: 'sg-0slave0000000000',
      },
      InstanceCollectionType: cluster.instanceFleets ? 'INSTANCE_FLEET' : 'INSTANCE_GROUP',
      ReleaseLabel: cluster.releaseLabel,
      Applications: (cluster.made?.applications ?? ['Hadoop', 'Spark', 'Livy']).map((Name) => ({ Name })),
      Configurations: structuredClone(cluster.made?.configurations ?? []),
      ServiceRole: cluster.made?.serviceRole ?? 'EMR_DefaultRole',
      ...(cluster.made?.autoScalingRole ? { AutoScalingRole: cluster.made.autoScalingRole } : {}),
      TerminationProtected: cluster.terminationProtected,
      VisibleToAllUsers: true,
      Tags: Object.entries(cluster.tags).map(([Key, Value]) => ({ Key, Value })),
      MasterPublicDnsName: `ip-${cluster.masterIp.replaceAll('.', '-')}.ec2.internal`,
    };
  }

  private instanceGroups(cluster: SandboxCluster, now = this.options.now()) {
    const state = this.state(cluster, now);
    return cluster.instanceGroups.map((g) => describeGroup(g, state, now));
  }

  /** Each group's type, requested and running instances now (the run result's view). */
  instanceGroupCounts(cluster: SandboxCluster, now = this.options.now()): Array<{ type: string; requested: number; running: number }> {
    return this.instanceGroups(cluster, now).map((g) => ({ type: g.InstanceGroupType, requested: g.RequestedInstanceCount, running: g.RunningInstanceCount }));
  }

  /**
   * EMR refuses ListInstanceGroups on a fleet cluster: InvalidRequestException, error code
   * API_DOES_NOT_SUPPORT_INSTANCE_FLEET_CLUSTERS, with the message below (as EMR has answered it).
   */
  private listInstanceGroups(input: Record<string, unknown>) {
    const cluster = this.find(String(input.ClusterId));
    if (cluster.instanceFleets) {
      this.log.fail(
        new ServiceError(
          'InvalidRequestException',
          'Instance fleets and instance groups are mutually exclusive. The EMR cluster specified in the request uses instance fleets. The ListInstanceGroups operation does not support clusters that use instance fleets. Use the ListInstanceFleets operation instead.',
        ),
      );
    }
    return { InstanceGroups: this.instanceGroups(cluster) };
  }

  /** From a resize until the added capacity runs: the cluster's own time (a standby's), else the world's. */
  private resizeMs(cluster: SandboxCluster): number {
    return (cluster.resizeSeconds ?? this.options.resizeSeconds ?? DEFAULT_RESIZE_SECONDS) * 1000;
  }

  /** ModifyInstanceGroups on one cluster (the sandbox needs its ClusterId, which Lifeguard always gives). */
  private modifyInstanceGroups(input: Record<string, unknown>) {
    if (typeof input.ClusterId !== 'string') throw new Error('the sandbox EMR answers ModifyInstanceGroups with a ClusterId only');
    const cluster = this.find(input.ClusterId);
    const now = this.options.now();
    this.answer(() => modifyGroups(cluster.instanceGroups, input.InstanceGroups, { clusterState: this.state(cluster, now), now, resizeMs: this.resizeMs(cluster) }));
    return {};
  }

  /**
   * An instance-group cluster lists no fleets here. What EMR answers for one is not documented (it
   * refuses the converse, ListInstanceGroups on a fleet cluster).
   */
  private instanceFleets(cluster: SandboxCluster, now = this.options.now()) {
    const state = this.state(cluster, now);
    return (cluster.instanceFleets ?? []).map((f) => describeFleet(f, state, now));
  }

  /** Each fleet's type, target and provisioned capacities now (the run result's view). */
  instanceFleetCapacities(cluster: SandboxCluster, now = this.options.now()): Array<{ type: string; targetOnDemand: number; targetSpot: number; provisionedOnDemand: number; provisionedSpot: number }> {
    return this.instanceFleets(cluster, now).map((f) => ({
      type: f.InstanceFleetType,
      targetOnDemand: f.TargetOnDemandCapacity,
      targetSpot: f.TargetSpotCapacity,
      provisionedOnDemand: f.ProvisionedOnDemandCapacity,
      provisionedSpot: f.ProvisionedSpotCapacity,
    }));
  }

  private modifyInstanceFleet(input: Record<string, unknown>) {
    const cluster = this.find(String(input.ClusterId));
    const now = this.options.now();
    this.answer(() => modifyFleet(cluster.instanceFleets ?? [], input.InstanceFleet, { clusterState: this.state(cluster, now), now, resizeMs: this.resizeMs(cluster) }));
    return {};
  }

  private listInstances(input: Record<string, unknown>) {
    const cluster = this.find(String(input.ClusterId));
    const wantsMaster =
      (input.InstanceGroupTypes as string[] | undefined)?.includes('MASTER') || input.InstanceFleetType === 'MASTER';
    const states = (input.InstanceStates as string[] | undefined) ?? [];
    const running = this.masterRunning(cluster);
    const masterState = running ? 'RUNNING' : this.state(cluster) === 'STARTING' ? 'PROVISIONING' : 'TERMINATED';
    if (!wantsMaster || (states.length && !states.includes(masterState))) return { Instances: [] };
    return {
      Instances: [
        { Id: `ci-${cluster.masterInstanceId}`, Ec2InstanceId: cluster.masterInstanceId, PrivateIpAddress: cluster.masterIp, Status: { State: masterState } },
      ],
    };
  }

  private terminate(clusterIds: string[]) {
    const now = this.options.now();
    for (const id of clusterIds) {
      const cluster = this.find(id);
      // Like EMR: a protected cluster silently stays up.
      if (cluster.terminationProtected) continue;
      // An ended cluster stays as it ended.
      if (this.state(cluster, now) === 'TERMINATED_WITH_ERRORS') continue;
      if (cluster.terminatedAtMs === undefined) cluster.terminatedAtMs = now;
    }
    return {};
  }
}

function ids(input: Record<string, unknown>): string[] {
  const value = input.JobFlowIds;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ServiceError('ValidationException', 'JobFlowIds must be a list of cluster ids');
  }
  return value as string[];
}
