import { ServiceError, type CallLog, type Caller } from './service-error.ts';

export interface SandboxSubnet {
  id: string;
  zone: string;
  vpcId: string;
  cidrPrefix: string;
  tags: Record<string, string>;
  freeAddresses: number;
}

interface Filter {
  Name?: string;
  Values?: string[];
}

/** EC2 subnets and Availability Zones, with zones that can be impaired. */
export class InMemoryEc2 {
  private readonly impairedZones = new Set<string>();
  private nextHost = new Map<string, number>();

  constructor(
    readonly subnets: SandboxSubnet[],
    private readonly log: CallLog,
    /** Instance types offered per zone; a zone left out offers every type. */
    private readonly offerings: Record<string, string[]> = {},
  ) {}

  /** DescribeInstanceTypeOfferings by availability zone, with the instance-type and location filters. */
  describeInstanceTypeOfferings(input: { LocationType?: string; Filters?: Filter[] }, caller?: Caller) {
    this.log.enter('ec2', 'DescribeInstanceTypeOfferings', input, caller);
    if (input.LocationType !== 'availability-zone') throw new ServiceError('InvalidParameterValue', 'the sandbox answers LocationType availability-zone only');
    const values = (name: string) => input.Filters?.find((f) => f.Name === name)?.Values;
    const types = values('instance-type') ?? [];
    const zones = values('location') ?? [...new Set(this.subnets.map((s) => s.zone))];
    return {
      InstanceTypeOfferings: zones.flatMap((zone) =>
        types.filter((type) => !this.offerings[zone] || this.offerings[zone].includes(type)).map((type) => ({ InstanceType: type, LocationType: 'availability-zone', Location: zone })),
      ),
    };
  }

  impairZone(zone: string): void {
    this.impairedZones.add(zone);
  }

  subnet(id: string): SandboxSubnet | undefined {
    return this.subnets.find((s) => s.id === id);
  }

  /** The zone of the subnet an address belongs to. */
  zoneOfIp(ip: string): string | undefined {
    return this.subnets.find((s) => ip.startsWith(`${s.cidrPrefix}.`))?.zone;
  }

  /** A fresh private IP in the subnet (for a new instance). */
  allocateIp(subnetId: string): string {
    const subnet = this.subnet(subnetId);
    if (!subnet) throw new Error(`unknown subnet ${subnetId}`);
    const host = (this.nextHost.get(subnetId) ?? 100) + 1;
    this.nextHost.set(subnetId, host);
    return `${subnet.cidrPrefix}.${host}`;
  }

  describeSubnets(input: { SubnetIds?: string[]; Filters?: Filter[] }, caller?: Caller) {
    this.log.enter('ec2', 'DescribeSubnets', input, caller);
    const matches = (s: SandboxSubnet) =>
      (!input.SubnetIds || input.SubnetIds.includes(s.id)) && (input.Filters ?? []).every((f) => filterMatches(s, f));
    return {
      Subnets: this.subnets.filter(matches).map((s) => ({
        SubnetId: s.id,
        AvailabilityZone: s.zone,
        VpcId: s.vpcId,
        State: 'available',
        AvailableIpAddressCount: s.freeAddresses,
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
    };
  }

  describeAvailabilityZones(input: { ZoneNames?: string[] }, caller?: Caller) {
    this.log.enter('ec2', 'DescribeAvailabilityZones', input, caller);
    const zones = [...new Set(this.subnets.map((s) => s.zone))].filter((z) => !input.ZoneNames || input.ZoneNames.includes(z));
    return {
      AvailabilityZones: zones.map((z) => ({ ZoneName: z, State: this.impairedZones.has(z) ? 'impaired' : 'available' })),
    };
  }
}

function filterMatches(subnet: SandboxSubnet, filter: Filter): boolean {
  const values = filter.Values ?? [];
  const name = filter.Name ?? '';
  if (name === 'subnet-id') return values.includes(subnet.id);
  if (name === 'vpc-id') return values.includes(subnet.vpcId);
  if (name === 'availability-zone') return values.includes(subnet.zone);
  if (name.startsWith('tag:')) {
    const value = subnet.tags[name.slice(4)];
    return value !== undefined && values.includes(value);
  }
  throw new Error(`the sandbox EC2 does not support the DescribeSubnets filter '${name}'`);
}
