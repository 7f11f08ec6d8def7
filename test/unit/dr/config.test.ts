import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../lib/config/load.ts';
import { findEmrCluster, drConfigSchema } from '../../../lib/config/dr.ts';

const minimalCluster = {
  name: 'analytics',
  clusterId: 'j-2AXXXXXXGAPLF',
  probe: { address: 'emr-analytics-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com' },
  placement: { candidateSubnetIds: ['subnet-0b2c3d4e5f6a7b8c9'] },
  roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
};

function issuesOf(raw: unknown): string {
  try {
    parseConfig(raw, 'test config');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('dr config', () => {
  it('defaults to no clusters', () => {
    expect(parseConfig({}).dr.clusters).toEqual([]);
  });

  it('fills the defaults of a minimal cluster', () => {
    const [cluster] = parseConfig({ dr: { clusters: [minimalCluster] } }).dr.clusters;
    expect(cluster).toMatchObject({
      probe: {
        ports: { resourceManager: 8088, nameNode: 9870, livy: 8998 },
        connectTimeoutMs: 2000,
        totalTimeoutMs: 5000,
        confirm: { attempts: 3, intervalSeconds: 10, unhealthyToFail: 3 },
      },
      targetGroups: [],
      placement: { candidateSubnetIds: ['subnet-0b2c3d4e5f6a7b8c9'], subnetTags: {} },
      alarm: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3 },
      drill: { retireOldCluster: false, dryRun: false },
    });
    expect(cluster?.runJobFlowTemplate).toBeUndefined();
  });

  it('accepts target groups, tag-based placement and a stored template', () => {
    const dr = drConfigSchema.parse({
      clusters: [
        {
          ...minimalCluster,
          targetGroups: [
            { arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-livy/73e2d6bc24d8a067', port: 8998 },
            { arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-rm/0123456789abcdef' },
          ],
          placement: { subnetTags: { 'lifeguard:dr': 'true' } },
          runJobFlowTemplate: { Name: 'analytics', ReleaseLabel: 'emr-7.2.0', Instances: { InstanceGroups: [] } },
        },
      ],
    });
    expect(dr.clusters[0]?.targetGroups[1]?.port).toBeUndefined();
    expect(dr.clusters[0]?.runJobFlowTemplate?.ReleaseLabel).toBe('emr-7.2.0');
  });

  it.each([
    [{ ...minimalCluster, clusterId: 'cluster-1' }, 'dr.clusters.0.clusterId'],
    [{ ...minimalCluster, probe: {} }, 'dr.clusters.0.probe.address'],
    [{ ...minimalCluster, probe: { address: 'x', ports: { livy: 70000 } } }, 'dr.clusters.0.probe.ports.livy'],
    [{ ...minimalCluster, probe: { address: 'x', connectTimeoutMs: 9000, totalTimeoutMs: 1000 } }, 'dr.clusters.0.probe.connectTimeoutMs'],
    [{ ...minimalCluster, probe: { address: 'x', confirm: { attempts: 2, unhealthyToFail: 3 } } }, 'dr.clusters.0.probe.confirm.unhealthyToFail'],
    // One failed probe must never fail a cluster over.
    [{ ...minimalCluster, probe: { address: 'x', confirm: { attempts: 3, unhealthyToFail: 1 } } }, 'dr.clusters.0.probe.confirm.unhealthyToFail'],
    // The confirm Lambda runs for 30 s: a longer probe would time the task out instead of answering.
    [{ ...minimalCluster, probe: { address: 'x', totalTimeoutMs: 60_000 } }, 'dr.clusters.0.probe.totalTimeoutMs'],
    // A timed-out execution cleans nothing up: confirmation must leave room for the failover.
    [{ ...minimalCluster, probe: { address: 'x', confirm: { attempts: 5, intervalSeconds: 300 } } }, 'dr.clusters.0.probe.confirm.intervalSeconds'],
    [{ ...minimalCluster, placement: {} }, 'dr.clusters.0.placement'],
    [{ ...minimalCluster, placement: { candidateSubnetIds: ['sn-1'] } }, 'dr.clusters.0.placement.candidateSubnetIds.0'],
    [{ ...minimalCluster, targetGroups: [{ arn: 'arn:aws:s3:::bucket' }] }, 'dr.clusters.0.targetGroups.0.arn'],
    [{ ...minimalCluster, alarm: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, 'dr.clusters.0.alarm.datapointsToAlarm'],
    [{ ...minimalCluster, runJobFlowTemplate: { ReleaseLabel: 'emr-7.2.0' } }, 'dr.clusters.0.runJobFlowTemplate.Name'],
    [{ ...minimalCluster, drill: { retire: true } }, 'dr.clusters.0.drill'],
    // The state machine may pass only the roles named here.
    [{ ...minimalCluster, roles: undefined }, 'dr.clusters.0.roles'],
    [{ ...minimalCluster, roles: { ...minimalCluster.roles, service: 'EMR_DefaultRole' } }, 'dr.clusters.0.roles.service'],
    [{ ...minimalCluster, roles: { ...minimalCluster.roles, autoScaling: 'arn:aws:iam::123456789012:policy/x' } }, 'dr.clusters.0.roles.autoScaling'],
  ])('rejects %j naming %s', (cluster, field) => {
    expect(issuesOf({ dr: { clusters: [cluster] } })).toContain(`${field}:`);
  });

  it('refuses a fixed master address, which a failover would leave behind, and probes the target groups without one', () => {
    const targetGroups = [{ arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-livy/73e2d6bc24d8a067' }];
    const message = issuesOf({ dr: { clusters: [{ ...minimalCluster, targetGroups, probe: { address: '10.0.1.25' } }] } });
    expect(message).toContain('dr.clusters.0.probe.address:');
    expect(message).toContain('leave it out to probe the master the target groups route to');
    const [cluster] = parseConfig({ dr: { clusters: [{ ...minimalCluster, targetGroups, probe: {} }] } }).dr.clusters;
    expect(cluster?.probe.address).toBeUndefined();
  });

  it('validates a standby like the source: a j-ID, not the cluster itself nor another cluster\'s, behind target groups, reachable from the VPC', () => {
    const targetGroups = [{ arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-livy/73e2d6bc24d8a067' }];
    const network = { subnetIds: ['subnet-0bbb2222'], securityGroupIds: ['sg-0abc1234def567890'] };
    const withStandby = (standby: Record<string, unknown>, more: Record<string, unknown> = { network }) => issuesOf({ ...more, dr: { clusters: [{ ...minimalCluster, targetGroups, standby }] } });
    expect(parseConfig({ network, dr: { clusters: [{ ...minimalCluster, targetGroups, standby: { clusterId: 'j-3BSTANDBY0001' } }] } }).dr.clusters[0]?.standby).toEqual({ clusterId: 'j-3BSTANDBY0001', rearm: false });
    expect(withStandby({ clusterId: 'standby' })).toContain('dr.clusters.0.standby.clusterId: an EMR cluster id such as j-2AXXXXXXGAPLF');
    expect(withStandby({ clusterId: minimalCluster.clusterId })).toContain('dr.clusters.0.standby.clusterId: the standby must be another cluster than clusterId');
    expect(withStandby({ clusterId: 'j-3BSTANDBY0001' }, {})).toContain("dr.clusters.0.standby: a failover probes the standby at its master's private IP: set network");
    expect(issuesOf({ network, dr: { clusters: [{ ...minimalCluster, standby: { clusterId: 'j-3BSTANDBY0001' } }] } })).toContain('dr.clusters.0.standby: a standby takes over through the target groups: name targetGroups');
    const second = { ...minimalCluster, name: 'streaming', clusterId: 'j-3BSTANDBY0001', targetGroups };
    expect(issuesOf({ network, dr: { clusters: [{ ...minimalCluster, targetGroups, standby: { clusterId: 'j-3BSTANDBY0001' } }, second] } })).toContain("'j-3BSTANDBY0001' is already used by clusters.0");
  });

  it('rejects resources in another region than the stack (rules, access entries and target groups are regional)', () => {
    const tg = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/emr-livy/73e2d6bc24d8a067';
    const message = issuesOf({ region: 'us-east-1', dr: { clusters: [{ ...minimalCluster, targetGroups: [{ arn: tg }] }] } });
    expect(message).toContain("dr.clusters.0.targetGroups.0.arn: target group in 'eu-west-1', not the stack's region 'us-east-1'");
    const eks = issuesOf({ region: 'us-east-1', eks: [{ name: 'spark', region: 'eu-west-1' }] });
    expect(eks).toContain("eks.0.region: 'eu-west-1' differs from the stack's region 'us-east-1'");
  });

  it('takes candidate subnet ids of exactly 8 or 17 hex digits, as EC2 issues them, and says so for any other length', () => {
    const withSubnet = (id: string) => ({ dr: { clusters: [{ ...minimalCluster, placement: { candidateSubnetIds: [id] } }] } });
    for (const id of ['subnet-0abc1234', 'subnet-0b2c3d4e5f6a7b8c9']) expect(() => parseConfig(withSubnet(id))).not.toThrow();
    for (const digits of [7, 9, 12, 16, 18]) {
      const message = issuesOf(withSubnet(`subnet-${'a'.repeat(digits)}`));
      expect(message).toContain('dr.clusters.0.placement.candidateSubnetIds.0: a subnet id (subnet- and 8 or 17 lowercase hex digits, e.g. subnet-0abc1234)');
    }
  });

  it('rejects two clusters with the same name', () => {
    const message = issuesOf({ dr: { clusters: [minimalCluster, { ...minimalCluster, clusterId: 'j-3BBBBBBBBBBBB' }] } });
    expect(message).toContain('dr.clusters.1:');
    expect(message).toContain("'analytics' is already used by clusters.0");
  });

  it('finds a cluster by name or j-ID and names the configured ones otherwise', () => {
    const dr = drConfigSchema.parse({ clusters: [minimalCluster] });
    expect(findEmrCluster(dr, 'analytics').clusterId).toBe('j-2AXXXXXXGAPLF');
    expect(findEmrCluster(dr, 'j-2AXXXXXXGAPLF').name).toBe('analytics');
    expect(() => findEmrCluster(dr, 'j-NOPE')).toThrow(/'j-NOPE' is not configured .*analytics \(j-2AXXXXXXGAPLF\)/);
  });
});
