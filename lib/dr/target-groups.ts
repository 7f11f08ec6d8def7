import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupPlan } from './types.ts';
import { PlanningError } from './planning-error.ts';

export class TargetGroupError extends PlanningError {}

/** A verified target group and the load balancers that route to it. */
export type VerifiedTargetGroup = TargetGroupPlan & { loadBalancerArns: string[] };

/**
 * Confirms each configured target group exists, takes IP targets (the master is registered by
 * its private IP), listens where the configuration says and is used by a load balancer; fills in
 * the port when not configured. Reports every problem at once.
 */
export async function verifyTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  configured: Array<{ arn: string; port?: number | undefined }>,
): Promise<VerifiedTargetGroup[]> {
  const results = await Promise.all(
    configured.map(async ({ arn, port }): Promise<VerifiedTargetGroup | string> => {
      let group;
      try {
        [group] = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups ?? [];
      } catch (err) {
        if ((err as Error).name === 'TargetGroupNotFoundException') return `${arn}: not found`;
        throw err;
      }
      if (!group) return `${arn}: not found`;
      if (group.TargetType !== 'ip') return `${arn}: target type is ${group.TargetType}, Lifeguard registers the master by IP (needs 'ip')`;
      if (port !== undefined && group.Port !== undefined && group.Port !== port) {
        return `${arn}: listens on port ${group.Port} but the configuration says ${port}`;
      }
      const resolved = port ?? group.Port;
      if (resolved === undefined) return `${arn}: no port configured and the target group has none`;
      // A target group no load balancer uses never sees a target healthy (Target.NotInUse).
      if (!group.LoadBalancerArns?.length) return `${arn}: no load balancer uses it, so no target in it can become healthy`;
      return { arn, port: resolved, loadBalancerArns: group.LoadBalancerArns };
    }),
  );
  const problems = results.filter((r): r is string => typeof r === 'string');
  if (problems.length) throw new TargetGroupError(`target groups are not usable: ${problems.join('; ')}`);
  return results as VerifiedTargetGroup[];
}

/**
 * The Availability Zones every one of these load balancers has enabled. A target registered in
 * another zone stays `unused` (Target.NotInUse) and never receives traffic, so a replacement
 * master must land in one of these.
 */
export async function servedZones(elbv2: ElasticLoadBalancingV2Client, loadBalancerArns: string[]): Promise<Set<string>> {
  const arns = [...new Set(loadBalancerArns)];
  const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: arns }));
  const zoneSets = arns.map((arn) => {
    const lb = LoadBalancers.find((l) => l.LoadBalancerArn === arn);
    if (!lb) throw new TargetGroupError(`load balancer ${arn} (used by a configured target group) was not found`);
    return new Set((lb.AvailabilityZones ?? []).map((z) => z.ZoneName).filter((z): z is string => !!z));
  });
  const [first = new Set<string>(), ...rest] = zoneSets;
  return new Set([...first].filter((zone) => rest.every((set) => set.has(zone))));
}

/**
 * The IPs the target groups route to now (any state but draining): the master being replaced is
 * one of them, whether it still passes its health checks or not. A group that does not exist routes
 * nowhere; verifyTargetGroups names it with every other problem.
 */
export async function registeredTargetIps(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<Set<string>> {
  const answers = await Promise.all(
    arns.map(async (arn) => {
      try {
        return await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      } catch (err) {
        if ((err as Error).name === 'TargetGroupNotFoundException') return undefined;
        throw err;
      }
    }),
  );
  return new Set(
    answers.flatMap((a) => (a?.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State !== 'draining').map((d) => d.Target?.Id ?? '')).filter(Boolean),
  );
}
