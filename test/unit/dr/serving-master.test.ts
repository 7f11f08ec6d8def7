import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, type TargetHealthStateEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import { drConfigSchema } from '../../../lib/config/dr.ts';
import { probeAddressResolver, servingMasterIp } from '../../../lib/dr/serving-master.ts';

const LIVY = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';
const RM = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/yarn/fedcba9876543210';
const client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
const elbv2 = mockClient(client);

type Targets = Array<[string, TargetHealthStateEnum]>;
function groups(byArn: Record<string, Targets>) {
  elbv2.on(DescribeTargetHealthCommand).callsFake(({ TargetGroupArn }: { TargetGroupArn: string }) => ({
    TargetHealthDescriptions: (byArn[TargetGroupArn] ?? []).map(([ip, State]) => ({ Target: { Id: ip, Port: 8998 }, TargetHealth: { State } })),
  }));
}

const cluster = drConfigSchema.parse({
  clusters: [
    {
      name: 'analytics',
      clusterId: 'j-2AXXXXXXGAPLF',
      probe: {},
      targetGroups: [{ arn: LIVY }, { arn: RM }],
      placement: { candidateSubnetIds: ['subnet-0bbb2222'] },
      roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
    },
  ],
}).clusters[0]!;

beforeEach(() => elbv2.reset());

describe('servingMasterIp', () => {
  it('picks the master healthy in the most groups, ignoring draining and unused targets', async () => {
    groups({
      [LIVY]: [['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.3.30', 'unused']],
      [RM]: [['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy']],
    });
    expect(await servingMasterIp(client, [LIVY, RM])).toBe('10.0.2.20');
  });

  it('during a switch prefers the healthy new master over the failing old one', async () => {
    groups({ [LIVY]: [['10.0.1.10', 'unhealthy'], ['10.0.2.20', 'healthy']], [RM]: [['10.0.1.10', 'healthy'], ['10.0.2.20', 'healthy']] });
    expect(await servingMasterIp(client, [LIVY, RM])).toBe('10.0.2.20');
  });

  it('still names a registered master that no group sees healthy (the outage itself)', async () => {
    groups({ [LIVY]: [['10.0.1.10', 'unhealthy']], [RM]: [['10.0.1.10', 'unhealthy']] });
    expect(await servingMasterIp(client, [LIVY, RM])).toBe('10.0.1.10');
    groups({});
    expect(await servingMasterIp(client, [LIVY, RM])).toBeUndefined();
  });
});

describe('probeAddressResolver', () => {
  it('uses a configured address as is, without asking ELB', async () => {
    const resolve = probeAddressResolver(client);
    expect(await resolve({ ...cluster, probe: { ...cluster.probe, address: 'nlb.internal' } })).toBe('nlb.internal');
    expect(elbv2.calls()).toHaveLength(0);
  });

  it('falls back to the last serving master when the ELB API fails, but not when nothing is registered', async () => {
    const resolve = probeAddressResolver(client);
    groups({ [LIVY]: [['10.0.2.20', 'healthy']] });
    expect(await resolve(cluster)).toBe('10.0.2.20');
    elbv2.on(DescribeTargetHealthCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    expect(await resolve(cluster)).toBe('10.0.2.20');
    groups({});
    await expect(resolve(cluster)).rejects.toThrow(/no target is registered in the target groups of analytics/);
  });

  it('passes the API error on when it has never seen the cluster served', async () => {
    elbv2.on(DescribeTargetHealthCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(probeAddressResolver(client)(cluster)).rejects.toThrow('Rate exceeded');
  });
});
