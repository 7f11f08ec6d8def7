import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EmrClusterConfig } from '../config/dr.ts';
import { LifeguardError } from '../util/errors.ts';

/**
 * Where to probe a cluster: the configured address (an NLB DNS name follows a failover by itself),
 * or else the master the target groups route to now. A fixed master address would keep probing
 * the dead master after a failover, raise the alarm again and fail the healthy replacement over.
 */

/**
 * The IP the target groups serve: among registered targets (not draining, not unused), the one
 * healthy in the most groups, then registered in the most groups; undefined when none is.
 */
export async function servingMasterIp(elbv2: ElasticLoadBalancingV2Client, targetGroupArns: string[]): Promise<string | undefined> {
  const answers = await Promise.all(targetGroupArns.map((arn) => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))));
  const score = new Map<string, { healthy: number; registered: number }>();
  for (const answer of answers) {
    for (const d of answer.TargetHealthDescriptions ?? []) {
      const ip = d.Target?.Id;
      const state = d.TargetHealth?.State;
      if (!ip || state === 'draining' || state === 'unused') continue;
      const s = score.get(ip) ?? { healthy: 0, registered: 0 };
      s.registered++;
      if (state === 'healthy') s.healthy++;
      score.set(ip, s);
    }
  }
  return [...score.entries()].sort(([a, x], [b, y]) => y.healthy - x.healthy || y.registered - x.registered || a.localeCompare(b))[0]?.[0];
}

export class NoServingMasterError extends LifeguardError {}
/** Nowhere to probe: no configured address, and no way to find the serving master. */
export class ProbeAddressError extends LifeguardError {}

/**
 * Resolves probe addresses, remembering the last one per cluster: when the ELB API fails (it
 * throttles, or is briefly unreachable), the master that served a minute ago is the best guess,
 * and no answer must never look like an outage of the cluster itself.
 */
export function probeAddressResolver(elbv2: ElasticLoadBalancingV2Client | undefined) {
  const last = new Map<string, string>();
  return async (cluster: EmrClusterConfig): Promise<string> => {
    if (cluster.probe.address) return cluster.probe.address;
    if (!elbv2) throw new ProbeAddressError(`dr.clusters[${cluster.name}]: no probe.address and no ELBv2 client to find the serving master`);
    try {
      const ip = await servingMasterIp(
        elbv2,
        cluster.targetGroups.map((g) => g.arn),
      );
      if (!ip) throw new NoServingMasterError(`no target is registered in the target groups of ${cluster.name}`);
      last.set(cluster.name, ip);
      return ip;
    } catch (err) {
      const remembered = last.get(cluster.name);
      if (remembered && !(err instanceof NoServingMasterError)) return remembered;
      throw err;
    }
  };
}
