import { describeNeeds, unmetNeeds } from '../../dr/instance-type-offerings.ts';
import { roleName } from '../../dr/passed-roles.ts';
import type { DrFinding, EmrAuditInput } from './types.ts';

/**
 * Whether a failover of the cluster can happen as configured: somewhere to go, roles it may pass,
 * load balancing that sees the replacement, steps that are safe to carry over.
 */

const scope = (input: EmrAuditInput) => ({ kind: 'emr-cluster' as const, name: input.name });

/** Zones a replacement could use, and why every other candidate zone cannot. */
export function fittingZones(input: EmrAuditInput): { fitting: string[]; rejected: string[] } {
  const ownZone = input.cluster.Ec2InstanceAttributes?.Ec2AvailabilityZone;
  const served = servedZones(input);
  const fitting: string[] = [];
  const rejected: string[] = [];
  for (const zone of [...new Set(input.candidateSubnets.map((s) => s.zone))].sort()) {
    const missing = unmetNeeds(input.typeNeeds, input.offerings.get(zone));
    if (zone === ownZone) rejected.push(`${zone}: the cluster's own zone`);
    else if (served && !served.has(zone)) rejected.push(`${zone}: not enabled on the load balancer`);
    else if (missing.length) rejected.push(`${zone}: EC2 offers no ${describeNeeds(missing)} there`);
    else fitting.push(zone);
  }
  return { fitting, rejected };
}

/** The zones every load balancer in front of the master serves; undefined when there is none to satisfy. */
function servedZones(input: EmrAuditInput): Set<string> | undefined {
  const lists = [...input.loadBalancerZones.values()];
  if (!lists.length) return undefined;
  return new Set(lists.reduce((a, b) => a.filter((z) => b.includes(z))));
}

export function zoneFindings(input: EmrAuditInput): DrFinding[] {
  const { fitting, rejected } = fittingZones(input);
  const ownZone = input.cluster.Ec2InstanceAttributes?.Ec2AvailabilityZone ?? '?';
  const findings: DrFinding[] = [];
  if (!fitting.length) {
    findings.push({
      check: 'too-few-fitting-zones',
      severity: 'severe',
      scope: scope(input),
      message: `no zone but the cluster's own (${ownZone}) fits a replacement: ${rejected.join('; ') || 'no candidate subnet'}`,
      why: 'A failover needs a second zone that the load balancer serves, with a candidate subnet, where EC2 offers every instance type of the cluster; with none, an outage of this zone cannot be failed over.',
      fix: `Add candidate subnets (dr.clusters[].placement.candidateSubnetIds) in at least one other zone that the NLB has enabled and that offers ${input.instanceTypes.join(', ')}; enable that zone on the NLB.`,
      objects: [ownZone, ...input.candidateSubnets.map((s) => `${s.id} (${s.zone})`)],
    });
  }
  const elsewhere = input.candidateSubnets.filter((s) => fitting.includes(s.zone));
  if (elsewhere.length === 1) {
    findings.push({
      check: 'single-candidate-subnet',
      severity: 'warning',
      scope: scope(input),
      message: `a replacement has one subnet to go to: ${elsewhere[0]!.id} (${elsewhere[0]!.zone})`,
      why: 'When that subnet lacks capacity or addresses, or its zone is the next to fail, the failover has nowhere else to try.',
      fix: 'Name candidate subnets in two or more other zones (dr.clusters[].placement.candidateSubnetIds, or subnetTags).',
      objects: [elsewhere[0]!.id],
    });
  }
  return findings;
}

/** The cluster's roles against dr.clusters[].roles: the failover may pass only those (the plan refuses others). */
export function roleFindings(input: EmrAuditInput): DrFinding[] {
  const roles = input.configured?.roles;
  if (!roles) return [];
  const { cluster } = input;
  const unlisted: string[] = [];
  if (cluster.ServiceRole && roleName(cluster.ServiceRole) !== roleName(roles.service)) unlisted.push(`ServiceRole ${cluster.ServiceRole} (roles.service: ${roles.service})`);
  const profile = cluster.Ec2InstanceAttributes?.IamInstanceProfile;
  const allowedProfile = roles.instanceProfile ?? roleName(roles.instance);
  if (profile && roleName(profile) !== allowedProfile) unlisted.push(`instance profile ${profile} (roles.instance: ${allowedProfile})`);
  if (cluster.AutoScalingRole && (!roles.autoScaling || roleName(cluster.AutoScalingRole) !== roleName(roles.autoScaling))) {
    unlisted.push(`AutoScalingRole ${cluster.AutoScalingRole} (roles.autoScaling: ${roles.autoScaling ?? 'not set'})`);
  }
  if (!unlisted.length) return [];
  return [
    {
      check: 'role-not-listed',
      severity: 'severe',
      scope: scope(input),
      message: `the cluster uses roles dr.clusters[${input.name}].roles does not list: ${unlisted.join('; ')}`,
      why: 'The state machine may pass only the configured roles; the plan refuses a replacement that names any other, so the failover fails during the outage.',
      fix: `Set dr.clusters[${input.name}].roles to the cluster's own roles (service, instance, instanceProfile, autoScaling), and redeploy.`,
      objects: unlisted,
    },
  ];
}

export function loadBalancingFindings(input: EmrAuditInput): DrFinding[] {
  const findings: DrFinding[] = [];
  const probesElsewhere = input.targetGroups.filter((g) => g.healthCheckPort && g.healthCheckPort !== 'traffic-port' && Number(g.healthCheckPort) !== g.port);
  if (probesElsewhere.length) {
    findings.push({
      check: 'health-check-port-mismatch',
      severity: 'warning',
      scope: scope(input),
      message: `target groups check another port than the one they route to: ${probesElsewhere.map((g) => `${g.arn} routes to ${g.port}, checks ${g.healthCheckPort}`).join('; ')}`,
      why: 'The failover switches when the new master is healthy in every group: a check of another service can pass while the routed one is down (traffic to a dead port), or fail while it is up (the switch never happens).',
      fix: 'Set each target group\'s HealthCheckPort to traffic-port (aws elbv2 modify-target-group --health-check-port traffic-port).',
      objects: probesElsewhere.map((g) => g.arn),
    });
  }
  const served = servedZones(input);
  if (served) {
    const missed = [...new Set(input.candidateSubnets.map((s) => s.zone))].filter((z) => !served.has(z) && z !== input.cluster.Ec2InstanceAttributes?.Ec2AvailabilityZone);
    if (missed.length) {
      findings.push({
        check: 'load-balancer-misses-zone',
        severity: 'warning',
        scope: scope(input),
        message: `the load balancer does not serve candidate zones ${missed.join(', ')} (it serves ${[...served].sort().join(', ')})`,
        why: 'A target registered in a zone the NLB has not enabled stays unused: the failover never places a replacement there, so those candidate subnets are not a way out.',
        fix: `Enable ${missed.join(', ')} on the NLB (a subnet of each in its subnet mappings), or drop those candidate subnets.`,
        objects: [...input.loadBalancerZones.keys()],
      });
    }
  }
  return findings;
}

const TERMINATES = new Set(['TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW']);

export function stepFindings(input: EmrAuditInput): DrFinding[] {
  const resubmit = input.configured?.resubmitSteps ?? 'none';
  if (resubmit === 'none') return [];
  const unsafe = input.steps.filter((s) => TERMINATES.has(s.ActionOnFailure ?? ''));
  if (!unsafe.length) return [];
  return [
    {
      check: 'unsafe-step-resubmit',
      severity: 'warning',
      scope: scope(input),
      message: `resubmitSteps is ${resubmit} and steps end the cluster when they fail: ${unsafe.map((s) => `${s.Id} (${s.Name}, ${s.ActionOnFailure})`).join('; ')}`,
      why: 'A step carried over keeps its ActionOnFailure: if it fails again on the replacement, it terminates the cluster that just restored service.',
      fix: 'Submit these steps with ActionOnFailure CONTINUE or CANCEL_AND_WAIT, or set dr.clusters[].resubmitSteps to none.',
      objects: unsafe.map((s) => s.Id ?? '?'),
    },
  ];
}

/** The target groups route to another cluster than the configured one (a failover happened): the audit reads that one. */
export function servingClusterFindings(input: EmrAuditInput): DrFinding[] {
  const configuredId = input.configured?.clusterId;
  const servingId = input.cluster.Id;
  if (!configuredId || !servingId || servingId === configuredId) return [];
  return [
    {
      check: 'serving-cluster-moved',
      severity: 'info',
      scope: { kind: 'emr-cluster', name: input.name },
      message: `the target groups route to ${servingId}, not the configured ${configuredId}: this audit reads ${servingId}`,
      why: 'A failover moved the service; the probe, the alarm and the next failover follow the target groups, so the configured id is only where they started.',
      fix: `Set dr.clusters[].clusterId to ${servingId} when you next deploy, so the configuration names the cluster that serves.`,
      objects: [servingId, configuredId],
    },
  ];
}
