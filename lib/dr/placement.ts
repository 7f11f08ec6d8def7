import {
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  type Subnet,
} from '@aws-sdk/client-ec2';
import type { RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import { compact } from './clone-cluster.ts';
import { describeNeeds, offeredTypes, typesOf, unmetNeeds, type TypeNeeds } from './instance-type-offerings.ts';
import { PlanningError } from './planning-error.ts';
import type { PlacementAttempt } from './types.ts';

/**
 * Every candidate zone, kept or dropped, and why: what the dry-run plan shows and what a failed
 * placement says.
 */
export interface ZoneVerdict {
  zone: string;
  kept: boolean;
  why: string;
  /** Its candidate subnets in order of preference (a kept zone: the usable ones). */
  subnetIds: string[];
}

/** Where the replacement goes, in the order zones are tried. */
export interface Placements {
  vpcId: string;
  zones: ZoneVerdict[];
  /** The kept zones' usable subnets, best first per zone, zones in order of preference. */
  fitting: Array<{ zone: string; subnetIds: string[] }>;
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
  /** The instance types the replacement needs offered in its zone. */
  needs: TypeNeeds;
}

export class PlacementError extends PlanningError {
  constructor(
    message: string,
    /** Every zone considered and why it was dropped (empty when the source's subnet was not found). */
    readonly zones: ZoneVerdict[] = [],
  ) {
    super(message);
  }
}

/**
 * The zones a replacement may go to, best first: in the source cluster's VPC, not the failed zone,
 * served by the load balancer, `available` to EC2, offering every instance type the replacement
 * needs (an instance fleet: one of its types), with a usable subnet. Configured candidates win, in
 * their order; tagged subnets follow, roomiest first. No zone left: the error names every zone and
 * subnet considered and why it was dropped (missing instance types by zone).
 */
export async function placeReplacement(ec2: EC2Client, request: PlacementRequest): Promise<Placements> {
  const [source] = await describeSubnets(ec2, [{ Name: 'subnet-id', Values: [request.sourceSubnetId] }]);
  if (!source?.VpcId) throw new PlacementError(`the cluster's subnet ${request.sourceSubnetId} was not found`);
  const vpcId = source.VpcId;

  const candidates: Subnet[] = [];
  /** Configured subnets that are no candidate at all, and why. */
  const notFound: string[] = [];
  if (request.candidateSubnetIds.length) {
    const found = await describeSubnets(ec2, [{ Name: 'subnet-id', Values: request.candidateSubnetIds }]);
    for (const id of request.candidateSubnetIds) {
      const subnet = found.find((s) => s.SubnetId === id);
      if (subnet) candidates.push(subnet);
      else notFound.push(`${id}: not found`);
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

  // Security groups are VPC-scoped: a subnet of another VPC is no candidate, whatever its zone.
  const elsewhere = candidates.filter((s) => s.VpcId !== vpcId);
  notFound.push(...elsewhere.map((s) => `${s.SubnetId}: in VPC ${s.VpcId}, not the cluster's ${vpcId}`));
  candidates.splice(0, candidates.length, ...candidates.filter((s) => s.VpcId === vpcId));

  const zoneNames = [...new Set(candidates.map((s) => s.AvailabilityZone ?? '?'))];
  const states = await zoneStates(ec2, zoneNames.filter((z) => z !== '?'));
  const zoneProblems = new Map(zoneNames.map((zone) => [zone, zoneRejection(zone, { states, ...request })]));
  // Offerings are read only for the zones nothing else rules out.
  const open = zoneNames.filter((z) => !zoneProblems.get(z));
  const offered = await offeredTypes(ec2, typesOf(request.needs), open);

  const zones: ZoneVerdict[] = zoneNames.map((zone) => {
    const inZone = candidates.filter((s) => (s.AvailabilityZone ?? '?') === zone);
    const dropped = (why: string) => ({ zone, kept: false, why, subnetIds: inZone.map((s) => s.SubnetId!) });
    const problem = zoneProblems.get(zone);
    if (problem) return dropped(problem);
    const missing = unmetNeeds(request.needs, offered.get(zone));
    if (missing.length) return dropped(`EC2 offers no ${describeNeeds(missing)} there`);
    const usable = inZone.filter((s) => !subnetRejection(s, request));
    if (!usable.length) {
      return dropped(`no usable subnet: ${inZone.map((s) => `${s.SubnetId}: ${subnetRejection(s, request)}`).join('; ')}`);
    }
    const types = typesOf(request.needs);
    return { zone, kept: true, why: `${types.length ? `offers ${types.filter((t) => offered.get(zone)?.has(t)).join(', ')}` : 'no instance type to check'}; ${usable.length} usable subnet(s)`, subnetIds: usable.map((s) => s.SubnetId!) };
  });

  const fitting = zones.filter((z) => z.kept).map(({ zone, subnetIds }) => ({ zone, subnetIds }));
  if (!fitting.length) {
    const considered = [...zones.map((z) => `${z.zone} (${z.subnetIds.join(', ')}): ${z.why}`), ...notFound];
    throw new PlacementError(
      `no zone fits the replacement (failed zone ${request.failedZone}, VPC ${vpcId}${request.needs.length ? `, needs ${describeNeeds(request.needs)}` : ''}): ${considered.length ? considered.join('; ') : 'no candidate subnets matched the configuration'}`,
      zones,
    );
  }
  return { vpcId, zones, fitting };
}

function zoneRejection(zone: string, context: { failedZone: string; states: Map<string, string>; servedZones?: ReadonlySet<string> | undefined }): string | undefined {
  if (zone === context.failedZone) return 'the failed zone';
  if (context.servedZones && !context.servedZones.has(zone)) {
    return `not enabled on the load balancer (it serves ${[...context.servedZones].sort().join(', ') || 'no zone'})`;
  }
  const zoneState = context.states.get(zone);
  if (zoneState !== 'available') return `zone is ${zoneState ?? 'unknown to EC2'}`;
  return undefined;
}

function subnetRejection(subnet: Subnet, context: { minFreeAddresses: number }): string | undefined {
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

/**
 * The attempts the failover may make, in order. Instance groups: one zone at a time (the best
 * subnet of each fitting zone); a capacity failure moves on to the next. Instance fleets: one
 * attempt with every fitting subnet, and EMR chooses the zone ("Ec2SubnetIds: ... Amazon EMR
 * chooses the EC2 subnet with the best fit from among the list of RequestedEc2SubnetIds", EMR API
 * reference, JobFlowInstancesConfig).
 */
export function placementsFor(fitting: Placements['fitting'], fleets: boolean): PlacementAttempt[] {
  if (fleets && fitting.length) {
    const subnetIds = fitting.flatMap((z) => z.subnetIds);
    return [{ zone: fitting.map((z) => z.zone).join(', '), subnetIds, instances: { Ec2SubnetIds: subnetIds } }];
  }
  return fitting.map((z) => ({ zone: z.zone, subnetIds: [z.subnetIds[0]!], instances: { Ec2SubnetId: z.subnetIds[0]! } }));
}

/** Only placement changes: groups take Ec2SubnetId, fleets Ec2SubnetIds; an explicit AZ is dropped. */
export function withPlacement(request: RunJobFlowCommandInput, placement: PlacementAttempt['instances']): RunJobFlowCommandInput {
  const instances = { ...request.Instances };
  delete instances.Placement;
  delete instances.Ec2SubnetId;
  delete instances.Ec2SubnetIds;
  return compact({ ...request, Instances: { ...instances, ...placement } });
}
