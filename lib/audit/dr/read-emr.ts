import { DescribeSubnetsCommand, type EC2Client, type Filter, type Subnet } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeClusterCommand,
  ListBootstrapActionsCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListStepsCommand,
  type Cluster,
  type EMRClient,
} from '@aws-sdk/client-emr';
import type { EmrClusterConfig } from '../../config/dr.ts';
import { resolveSourceCluster } from '../../dr/emr-source.ts';
import { offeredTypes, typesOf } from '../../dr/instance-type-offerings.ts';
import { findStandby } from '../../dr/standby.ts';
import { registeredTargetIps } from '../../dr/target-groups.ts';
import { LifeguardError } from '../../util/errors.ts';
import type { AuditSubnet, EmrAuditInput } from './types.ts';

/** DescribeCluster answered without a cluster. */
export class EmrClusterNotFoundError extends LifeguardError {}

export interface DrAuditClients {
  emr: EMRClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
}

/**
 * Reads one EMR cluster and what a failover of it depends on — read-only: the cluster, its
 * instance groups or fleets, bootstrap actions, recent steps; the candidate subnets and the
 * instance types EC2 offers in their zones; the target groups and their load balancers' zones.
 */
export async function readEmrCluster(clients: DrAuditClients, requestedId: string, configured?: EmrClusterConfig): Promise<EmrAuditInput> {
  const { emr, ec2, elbv2 } = clients;
  const cluster = configured ? await servingCluster(clients, configured) : (await emr.send(new DescribeClusterCommand({ ClusterId: requestedId }))).Cluster;
  if (!cluster?.Id) throw new EmrClusterNotFoundError(`EMR cluster ${requestedId} not found`);
  const clusterId = cluster.Id;
  const fleets = cluster.InstanceCollectionType === 'INSTANCE_FLEET';
  const [typeNeeds, bootstrap, steps] = await Promise.all([
    fleets
      ? emr.send(new ListInstanceFleetsCommand({ ClusterId: clusterId })).then((r) =>
          (r.InstanceFleets ?? []).map((f) => ({ name: `${(f.InstanceFleetType ?? f.Name ?? 'instance').toLowerCase()} fleet`, anyOf: (f.InstanceTypeSpecifications ?? []).map((s) => s.InstanceType ?? '').filter(Boolean) })),
        )
      : emr.send(new ListInstanceGroupsCommand({ ClusterId: clusterId })).then((r) =>
          (r.InstanceGroups ?? []).map((g) => ({ name: (g.InstanceGroupType ?? g.Name ?? 'group').toLowerCase(), anyOf: g.InstanceType ? [g.InstanceType] : [] })),
        ),
    emr.send(new ListBootstrapActionsCommand({ ClusterId: clusterId })),
    emr.send(new ListStepsCommand({ ClusterId: clusterId })),
  ]);
  const needs = typeNeeds.filter((n) => n.anyOf.length);
  const types = typesOf(needs);

  const ownSubnetId = cluster.Ec2InstanceAttributes?.Ec2SubnetId;
  const [own] = ownSubnetId ? await describeSubnets(ec2, { SubnetIds: [ownSubnetId] }) : [];
  const candidates = await candidateSubnets(ec2, own, configured);
  const zones = [...new Set([...candidates.map((s) => s.zone), ...(own?.AvailabilityZone ? [own.AvailabilityZone] : [])])].sort();
  const offerings = await offeredTypes(ec2, types, zones);

  const groupArns = configured?.targetGroups.map((g) => g.arn) ?? [];
  const groups = groupArns.length ? ((await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: groupArns }))).TargetGroups ?? []) : [];
  const lbArns = [...new Set(groups.flatMap((g) => g.LoadBalancerArns ?? []))];
  const loadBalancers = lbArns.length ? ((await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns }))).LoadBalancers ?? []) : [];

  const standby = configured?.standby ? await findStandby(emr, { configured, sourceClusterId: clusterId }) : undefined;

  return {
    name: configured?.name ?? clusterId,
    cluster,
    configurations: cluster.Configurations ?? [],
    instanceTypes: types,
    typeNeeds: needs,
    bootstrapActions: bootstrap.BootstrapActions ?? [],
    steps: steps.Steps ?? [],
    candidateSubnets: candidates,
    offerings,
    targetGroups: groups.map((g) => ({ arn: g.TargetGroupArn ?? '', port: g.Port, healthCheckPort: g.HealthCheckPort, loadBalancerArns: g.LoadBalancerArns ?? [] })),
    loadBalancerZones: new Map(loadBalancers.map((lb) => [lb.LoadBalancerArn ?? '', (lb.AvailabilityZones ?? []).map((z) => z.ZoneName ?? '')])),
    configured,
    standby,
  };
}

/**
 * The cluster a configured name stands for now: the one the target groups route to (after a
 * failover, a replacement or the standby), as the failover's plan finds it.
 */
async function servingCluster({ emr, elbv2 }: DrAuditClients, configured: EmrClusterConfig): Promise<Cluster> {
  const registered = await registeredTargetIps(elbv2, configured.targetGroups.map((g) => g.arn));
  return (await resolveSourceCluster(emr, configured, registered)).cluster;
}
/** The configured candidates (ids, then tags), or every other subnet of the cluster's VPC when the cluster is not configured. */
async function candidateSubnets(ec2: EC2Client, own: Subnet | undefined, configured?: EmrClusterConfig): Promise<AuditSubnet[]> {
  const found: Subnet[] = [];
  if (configured?.placement.candidateSubnetIds.length) found.push(...(await describeSubnets(ec2, { SubnetIds: configured.placement.candidateSubnetIds })));
  const tags = Object.entries(configured?.placement.subnetTags ?? {});
  if (own?.VpcId && (tags.length || !configured)) {
    found.push(...(await describeSubnets(ec2, { Filters: [{ Name: 'vpc-id', Values: [own.VpcId] }, ...tags.map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }))] })));
  }
  const byId = new Map(found.filter((s) => s.SubnetId && s.SubnetId !== own?.SubnetId).map((s) => [s.SubnetId!, { id: s.SubnetId!, zone: s.AvailabilityZone ?? '?' }]));
  return [...byId.values()];
}

async function describeSubnets(ec2: EC2Client, query: { SubnetIds?: string[]; Filters?: Filter[] }): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeSubnetsCommand({ ...query, ...(token ? { NextToken: token } : {}) }));
    subnets.push(...(page.Subnets ?? []));
    token = page.NextToken;
  } while (token);
  return subnets;
}
