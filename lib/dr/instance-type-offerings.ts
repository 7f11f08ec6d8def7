import { DescribeInstanceTypeOfferingsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { RunJobFlowCommandInput } from '@aws-sdk/client-emr';

/**
 * Which instance types EC2 offers in which Availability Zones, and whether a zone can host a
 * cluster: the failover's placement and `lifeguard audit --emr` ask the same question.
 */

/** The instance types a cluster needs: one choice list per instance group (one type) or instance fleet (any of its types). */
export type TypeNeeds = Array<{ name: string; anyOf: string[] }>;

/**
 * A zone offers `types` when DescribeInstanceTypeOfferings with LocationType `availability-zone`
 * lists them there (EC2 API reference: the location filter takes zone names for that location type).
 * Read-only; one call for every type and zone asked (the filters take lists; a page holds up to 1,000).
 */
export async function offeredTypes(ec2: EC2Client, types: string[], zones: string[]): Promise<Map<string, Set<string>>> {
  const offerings = new Map<string, Set<string>>(zones.map((z) => [z, new Set<string>()]));
  if (!types.length || !zones.length) return offerings;
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone',
        Filters: [
          { Name: 'instance-type', Values: types },
          { Name: 'location', Values: zones },
        ],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const o of page?.InstanceTypeOfferings ?? []) if (o.Location && o.InstanceType) offerings.get(o.Location)?.add(o.InstanceType);
    token = page?.NextToken;
  } while (token);
  return offerings;
}

/** Each need a zone cannot meet, with the types it lacks (an instance fleet lacks a type only when it lacks all of them). */
export function unmetNeeds(needs: TypeNeeds, offered: ReadonlySet<string> | undefined): TypeNeeds {
  return needs.filter((need) => !need.anyOf.some((t) => offered?.has(t)));
}

/** `r5.4xlarge (core)`, `m5.xlarge or m5a.xlarge (master fleet)`. */
export function describeNeeds(needs: TypeNeeds): string {
  return needs.map((n) => `${n.anyOf.join(' or ')} (${n.name})`).join(', ');
}

/** Every instance type of a list of needs, sorted, once. */
export function typesOf(needs: TypeNeeds): string[] {
  return [...new Set(needs.flatMap((n) => n.anyOf))].sort();
}

/** What a RunJobFlow request needs: each instance group's type, each fleet's types, or the legacy master/slave types. */
export function requestNeeds(request: RunJobFlowCommandInput): TypeNeeds {
  const instances = request.Instances ?? {};
  if (instances.InstanceFleets?.length) {
    return instances.InstanceFleets.map((f, i) => ({
      name: `${(f.InstanceFleetType ?? f.Name ?? `fleet ${i + 1}`).toLowerCase()} fleet`,
      anyOf: [...new Set((f.InstanceTypeConfigs ?? []).map((c) => c.InstanceType ?? '').filter(Boolean))],
    })).filter((n) => n.anyOf.length);
  }
  if (instances.InstanceGroups?.length) {
    return instances.InstanceGroups.filter((g) => g.InstanceType).map((g) => ({ name: (g.InstanceRole ?? g.Name ?? 'group').toLowerCase(), anyOf: [g.InstanceType!] }));
  }
  return [
    ...(instances.MasterInstanceType ? [{ name: 'master', anyOf: [instances.MasterInstanceType] }] : []),
    ...(instances.SlaveInstanceType ? [{ name: 'core', anyOf: [instances.SlaveInstanceType] }] : []),
  ];
}
