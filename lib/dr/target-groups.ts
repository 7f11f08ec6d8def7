import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupPlan } from './types.ts';

export class TargetGroupError extends Error {
  override name = 'TargetGroupError';
}

/**
 * Confirms each configured target group exists, takes IP targets (the master is registered by
 * its private IP) and listens where the configuration says; fills in the port when not configured.
 * Reports every problem at once.
 */
export async function verifyTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  configured: Array<{ arn: string; port?: number | undefined }>,
): Promise<TargetGroupPlan[]> {
  const results = await Promise.all(
    configured.map(async ({ arn, port }): Promise<TargetGroupPlan | string> => {
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
      return { arn, port: resolved };
    }),
  );
  const problems = results.filter((r): r is string => typeof r === 'string');
  if (problems.length) throw new TargetGroupError(`target groups are not usable: ${problems.join('; ')}`);
  return results as TargetGroupPlan[];
}

/**
 * The IPs the target groups route to now (any state but draining): the master being replaced is
 * one of them, whether it still passes its health checks or not.
 */
export async function registeredTargetIps(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<Set<string>> {
  const answers = await Promise.all(arns.map((arn) => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))));
  return new Set(
    answers.flatMap((a) => (a?.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State !== 'draining').map((d) => d.Target?.Id ?? '')).filter(Boolean),
  );
}
