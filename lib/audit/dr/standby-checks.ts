import type { Cluster } from '@aws-sdk/client-emr';
import { CLUSTER_TAG, STANDBY_TAG } from '../../dr/tags.ts';
import type { DrFinding, EmrAuditInput } from './types.ts';

/**
 * Whether the configured warm standby (dr.clusters[].standby) can take over when the cluster's zone
 * fails: it exists, runs, carries Lifeguard's tags, sits in another zone the load balancer serves,
 * and is made like the cluster it stands by for.
 */
export function standbyFindings(input: EmrAuditInput): DrFinding[] {
  const configured = input.configured?.standby;
  if (!configured || input.standby === undefined) return [];
  // The standby found may be one a rearm started, not the configured one.
  const id = ('cluster' in input.standby ? input.standby.cluster.Id : undefined) ?? configured.clusterId;
  const finding = (check: DrFinding['check'], severity: DrFinding['severity'], message: string, why: string, fix: string): DrFinding => ({
    check,
    severity,
    scope: { kind: 'emr-cluster', name: input.name },
    message,
    why,
    fix,
    objects: [id],
  });
  if ('why' in input.standby) {
    return [finding('standby-unusable', 'severe', input.standby.why, 'A failover finds no standby and creates a cluster instead: a cold failover, minutes instead of seconds.', 'Create a standby (or let `standby.rearm` start one at the next failover) and point dr.clusters[].standby.clusterId at it.')];
  }
  const standby = input.standby.cluster;
  const name = input.name;
  const state = standby.Status?.State ?? 'unknown';
  const zone = standby.Ec2InstanceAttributes?.Ec2AvailabilityZone;
  const ownZone = input.cluster.Ec2InstanceAttributes?.Ec2AvailabilityZone;
  const served = servedByEvery(input);
  const findings: DrFinding[] = [];
  const cold = 'A failover cannot switch to it and creates a cluster instead: a cold failover, minutes instead of seconds.';
  if (!['WAITING', 'RUNNING'].includes(state)) findings.push(finding('standby-unusable', 'severe', `the standby ${id} is ${state}`, cold, 'Start a new standby (or let `standby.rearm` start one at the next failover) and configure its id.'));
  if (!hasTags(standby, name)) {
    findings.push(finding('standby-unusable', 'severe', `the standby ${id} lacks the tags ${CLUSTER_TAG}=${name} and ${STANDBY_TAG}=${name}`, `${cold} Lifeguard switches only to a standby carrying both, and may grow only clusters tagged ${CLUSTER_TAG}.`, `aws emr add-tags --resource-id ${id} --tags ${CLUSTER_TAG}=${name} ${STANDBY_TAG}=${name}`));
  }
  if (zone && zone === ownZone) {
    findings.push(finding('standby-unusable', 'severe', `the standby ${id} is in ${zone}, the cluster's own zone`, `An outage of ${zone} takes the standby with the cluster. ${cold}`, 'Create the standby in another zone the load balancer serves.'));
  } else if (zone && served && !served.has(zone)) {
    findings.push(finding('standby-unusable', 'severe', `the standby ${id} is in ${zone}, which the load balancer does not serve`, `A target there stays \`unused\`. ${cold}`, `Enable ${zone} on the NLB, or move the standby to a zone it serves.`));
  }
  const differences = madeDifferently(input.cluster, standby);
  if (differences.length) {
    findings.push(finding('standby-differs', 'warning', `the standby is made differently: ${differences.join('; ')}`, 'After a failover the standby serves the cluster\'s users: jobs that ran on the cluster may fail or behave differently on it.', 'Create the standby with the cluster\'s release label and applications (clone its RunJobFlow request with smaller instance counts).'));
  }
  return findings;
}

function hasTags(cluster: Cluster, name: string): boolean {
  const tag = (key: string) => cluster.Tags?.some((t) => t.Key === key && t.Value === name);
  return Boolean(tag(CLUSTER_TAG) && tag(STANDBY_TAG));
}

function servedByEvery(input: EmrAuditInput): Set<string> | undefined {
  const lists = [...input.loadBalancerZones.values()];
  return lists.length ? new Set(lists.reduce((a, b) => a.filter((z) => b.includes(z)))) : undefined;
}

function madeDifferently(cluster: Cluster, standby: Cluster): string[] {
  const apps = (c: Cluster) => (c.Applications ?? []).map((a) => a.Name ?? '').sort().join(', ');
  return [
    ...(cluster.ReleaseLabel !== standby.ReleaseLabel ? [`release ${standby.ReleaseLabel ?? 'unknown'}, the cluster ${cluster.ReleaseLabel ?? 'unknown'}`] : []),
    ...(apps(cluster) !== apps(standby) ? [`applications ${apps(standby) || 'none'}, the cluster ${apps(cluster) || 'none'}`] : []),
  ];
}
