import { CLUSTER_TAG, STANDBY_TAG } from '../../lib/dr/tags.ts';
import { capacityModel } from './capacity.ts';
import { InMemoryEc2 } from './ec2.ts';
import { InMemoryElbv2, type ServingProbe } from './elbv2.ts';
import { fleetsOf, type FleetSpec } from './emr-instance-fleets.ts';
import { groupsOfCounts } from './emr-instance-groups.ts';
import { policyOfScenario } from './emr-managed-scaling.ts';
import { InMemoryEmr } from './emr.ts';
import type { DrScenario } from './scenario.ts';
import type { CallLog, Caller } from './service-error.ts';

/**
 * The AWS side of a DR scenario as it stands at its start: subnets and zones, the EMR clusters
 * (with their steps and what they were made with) and their warm standbys, the load balancer and
 * its target groups with each cluster's master registered (a standby's is not). The runner plays a failover in it; `lifeguard audit --emr
 * --scenario` only reads it.
 */

export interface WorldOptions {
  /** Scenario start, epoch ms. */
  t0: number;
  now: () => number;
  log: CallLog;
}

export function buildDrWorld(scenario: DrScenario, { t0, now, log }: WorldOptions): { ec2: InMemoryEc2; emr: InMemoryEmr } {
  const ec2 = new InMemoryEc2(scenario.subnets, log, scenario.instanceTypeOfferings);
  for (const zone of scenario.impairedZones) ec2.impairZone(zone);
  // A step carried over runs as long on the replacement as it did on the cluster it came from.
  const stepSeconds = new Map(scenario.clusters.flatMap((c) => c.steps.map((s) => [s.name, s.durationSeconds] as const)));
  const emr = new InMemoryEmr(ec2, log, {
    provisioningSeconds: scenario.emr.provisioningSeconds,
    createFailure: scenario.emr.createFailure,
    capacity: capacityModel(scenario),
    scenarioSeconds: (ms) => (ms - t0) / 1000,
    now,
    stepSeconds: (name) => stepSeconds.get(name),
    resizeSeconds: scenario.emr.resizeSeconds,
  });
  let stepSeq = 0;
  for (const c of scenario.clusters) {
    const subnet = ec2.subnet(c.subnetId)!;
    emr.addCluster({
      id: c.id,
      name: c.name,
      subnetId: c.subnetId,
      zone: subnet.zone,
      masterIp: c.master.ip,
      masterInstanceId: c.master.instanceId,
      createdAtMs: t0 - 86_400_000,
      readyAtMs: t0 - 86_000_000,
      ...(c.failsAt !== undefined ? { failsAtMs: t0 + c.failsAt * 1000 } : {}),
      terminationProtected: c.terminationProtected,
      tags: { [CLUSTER_TAG]: c.name },
      releaseLabel: 'emr-7.5.0',
      createdByScenario: false,
      made: c.made,
      ...instancesOf(c.id, c.made),
      ...(c.made.managedScaling ? { managedScalingPolicy: policyOfScenario(c.made.managedScaling) } : {}),
      steps: c.steps.map((s) => ({
        id: s.id ?? `s-SCENARIO${String(++stepSeq).padStart(5, '0')}`,
        name: s.name,
        jar: s.jar,
        args: s.args,
        mainClass: s.mainClass,
        properties: s.properties,
        actionOnFailure: s.actionOnFailure,
        submittedAtMs: t0 + s.submittedAt * 1000,
        durationMs: s.durationSeconds * 1000,
        fails: s.fails,
      })),
    });
    if (c.standby) addStandby(emr, ec2, c, c.standby, t0);
  }
  return { ec2, emr };
}

/** A cluster's warm standby: running long before the start, made as its cluster but small, its master in no target group. */
type ScenarioCluster = DrScenario['clusters'][number];

function addStandby(emr: InMemoryEmr, ec2: InMemoryEc2, c: ScenarioCluster, standby: NonNullable<ScenarioCluster['standby']>, t0: number): void {
  // Small, and without the source's managed scaling (a failover gives it the source's limits).
  const { managedScaling: _sourceLimits, ...sourceMade } = c.made;
  const made = { ...sourceMade, instanceCounts: standby.instanceCounts, ...(c.made.instanceFleets ? { instanceFleets: standbyFleets(c.made.instanceFleets, standby.instanceCounts) } : {}) };
  emr.addCluster({
    id: standby.id,
    name: `${c.name}-standby`,
    subnetId: standby.subnetId,
    zone: ec2.subnet(standby.subnetId)!.zone,
    masterIp: standby.master.ip,
    masterInstanceId: standby.master.instanceId,
    createdAtMs: t0 - 86_400_000,
    readyAtMs: t0 - 86_000_000,
    ...(standby.failsAt !== undefined ? { failsAtMs: t0 + standby.failsAt * 1000 } : {}),
    terminationProtected: true,
    tags: { [CLUSTER_TAG]: c.name, [STANDBY_TAG]: c.name },
    releaseLabel: 'emr-7.5.0',
    createdByScenario: false,
    made,
    ...instancesOf(standby.id, made),
    resizeSeconds: standby.resizeSeconds,
    steps: [],
  });
}

type ScenarioMade = ScenarioCluster['made'];

/** An instance-fleet cluster's fleets (and no groups), or an instance-group cluster's groups. */
function instancesOf(clusterId: string, made: Pick<ScenarioMade, 'instanceTypes' | 'instanceCounts' | 'instanceFleets'>) {
  if (made.instanceFleets) return { instanceGroups: [], instanceFleets: fleetsOf(clusterId, made.instanceFleets) };
  return { instanceGroups: groupsOfCounts(clusterId, made.instanceTypes, made.instanceCounts) };
}

/** A fleet source's standby: its fleets (types, names, instance types and weights), its CORE and TASK small and On-Demand. */
function standbyFleets(source: FleetSpec[], counts: ScenarioMade['instanceCounts']): FleetSpec[] {
  return source.map((f) => (f.type === 'MASTER' ? f : { ...f, onDemand: f.type === 'CORE' ? counts.core : counts.task, spot: 0 }));
}

/** The NLB (one, in front of every target group) with each cluster's master registered an hour before the start. */
export function buildLoadBalancing(scenario: DrScenario, options: WorldOptions & { ec2: InMemoryEc2; serving: ServingProbe }): InMemoryElbv2 {
  const loadBalancer = {
    arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/lifeguard-sandbox/0123456789abcdef',
    zones: scenario.loadBalancer.zones ?? [...new Set(scenario.subnets.map((s) => s.zone))],
    zoneOf: (ip: string) => options.ec2.zoneOfIp(ip),
  };
  const elbv2 = new InMemoryElbv2(scenario.targetGroups, options.log, options.now, options.serving, options.t0, loadBalancer);
  for (const c of scenario.clusters) for (const arn of c.targetGroups) elbv2.seed(arn, c.master.ip, options.t0 - 3_600_000);
  return elbv2;
}

/** The EC2 actions the DR code calls, answered by the in-memory EC2. */
export function ec2Call(ec2: InMemoryEc2, action: string, input: Record<string, unknown>, caller: Caller): unknown {
  if (action === 'DescribeSubnets') return ec2.describeSubnets(input, caller);
  if (action === 'DescribeAvailabilityZones') return ec2.describeAvailabilityZones(input, caller);
  if (action === 'DescribeInstanceTypeOfferings') return ec2.describeInstanceTypeOfferings(input, caller);
  throw new Error(`the sandbox EC2 does not implement ${action}`);
}
