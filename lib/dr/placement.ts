import {
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  type Subnet,
} from '@aws-sdk/client-ec2';

/** Where the replacement cluster goes. */
export interface Placement {
  subnetId: string;
  availabilityZone: string;
  vpcId: string;
}

export interface PlacementRequest {
  /** The failing cluster's subnet: fixes the VPC (security groups are VPC-scoped). */
  sourceSubnetId: string;
  /** Never chosen. */
  failedZone: string;
  /** Configured subnets, in order of preference. */
  candidateSubnetIds: string[];
  /** Or any subnet of the VPC with all these tags (tried after the candidates). */
  subnetTags: Record<string, string>;
  /** Free addresses the subnet needs for the replacement's instances. */
  minFreeAddresses: number;
  /** Zones the load balancers in front of the master serve; undefined: no load balancer to satisfy. */
  servedZones?: ReadonlySet<string> | undefined;
}

export class PlacementError extends Error {
  override name = 'PlacementError';
}

/**
 * Picks a subnet in the source cluster's VPC, in an Availability Zone that is not the failed one,
 * that the load balancer serves and that EC2 reports `available`. Configured candidates win, in their order; tagged subnets
 * follow, roomiest first. The error lists every subnet considered and why it was rejected.
 */
export async function chooseSubnet(ec2: EC2Client, request: PlacementRequest): Promise<Placement> {
  const [source] = await describeSubnets(ec2, [{ Name: 'subnet-id', Values: [request.sourceSubnetId] }]);
  if (!source?.VpcId) throw new PlacementError(`the cluster's subnet ${request.sourceSubnetId} was not found`);
  const vpcId = source.VpcId;

  const candidates: Subnet[] = [];
  const rejected: string[] = [];
  if (request.candidateSubnetIds.length) {
    const found = await describeSubnets(ec2, [{ Name: 'subnet-id', Values: request.candidateSubnetIds }]);
    for (const id of request.candidateSubnetIds) {
      const subnet = found.find((s) => s.SubnetId === id);
      if (subnet) candidates.push(subnet);
      else rejected.push(`${id}: not found`);
    }
  }
  const tagFilters = Object.entries(request.subnetTags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
  if (tagFilters.length) {
    const tagged = await describeSubnets(ec2, [{ Name: 'vpc-id', Values: [vpcId] }, ...tagFilters]);
    tagged
      .filter((s) => !candidates.some((c) => c.SubnetId === s.SubnetId))
      .sort((a, b) => (b.AvailableIpAddressCount ?? 0) - (a.AvailableIpAddressCount ?? 0) || String(a.SubnetId).localeCompare(String(b.SubnetId)))
      .forEach((s) => candidates.push(s));
  }

  const zones = await zoneStates(ec2, [...new Set(candidates.map((s) => s.AvailabilityZone).filter((z): z is string => !!z))]);
  for (const subnet of candidates) {
    const problem = rejection(subnet, { vpcId, zones, ...request });
    if (!problem) return { subnetId: subnet.SubnetId!, availabilityZone: subnet.AvailabilityZone!, vpcId };
    rejected.push(`${subnet.SubnetId}: ${problem}`);
  }
  const considered = rejected.length ? rejected.join('; ') : 'no candidate subnets matched the configuration';
  throw new PlacementError(
    `no subnet in another available Availability Zone (failed zone ${request.failedZone}, VPC ${vpcId}): ${considered}`,
  );
}

function rejection(
  subnet: Subnet,
  context: { vpcId: string; failedZone: string; zones: Map<string, string>; minFreeAddresses: number; servedZones?: ReadonlySet<string> | undefined },
): string | undefined {
  const zone = subnet.AvailabilityZone ?? '?';
  if (subnet.VpcId !== context.vpcId) return `in VPC ${subnet.VpcId}, not the cluster's ${context.vpcId}`;
  if (zone === context.failedZone) return `in the failed zone ${zone}`;
  if (context.servedZones && !context.servedZones.has(zone)) {
    return `zone ${zone} is not enabled on the load balancer (it serves ${[...context.servedZones].sort().join(', ') || 'no zone'})`;
  }
  const zoneState = context.zones.get(zone);
  if (zoneState !== 'available') return `zone ${zone} is ${zoneState ?? 'unknown to EC2'}`;
  if (subnet.State !== 'available') return `subnet is ${subnet.State ?? 'in an unknown state'}`;
  if ((subnet.AvailableIpAddressCount ?? 0) < context.minFreeAddresses) {
    return `${subnet.AvailableIpAddressCount ?? 0} free addresses, ${context.minFreeAddresses} needed`;
  }
  return undefined;
}

async function describeSubnets(ec2: EC2Client, filters: Filter[]): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeSubnetsCommand({ Filters: filters, NextToken: token }));
    subnets.push(...(page.Subnets ?? []));
    token = page.NextToken;
  } while (token);
  return subnets;
}

async function zoneStates(ec2: EC2Client, zoneNames: string[]): Promise<Map<string, string>> {
  if (!zoneNames.length) return new Map();
  const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: zoneNames }));
  return new Map(AvailabilityZones.map((z) => [z.ZoneName ?? '', z.State ?? 'unknown']));
}
