import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { auditEmrScenario } from '../../../cli/audit-emr-scenario.ts';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('audit');
import { auditEmr } from '../../../lib/audit/dr/audit-emr.ts';
import type { DrAuditReport } from '../../../lib/audit/dr/types.ts';
import type { Cluster } from '@aws-sdk/client-emr';
import { readEmrCluster } from '../../../lib/audit/dr/read-emr.ts';
import { sandboxDrConfig } from '../../../sandbox/dr/runner.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../../sandbox/dr/scenario.ts';
import { drSandboxWorld } from '../../support/dr-sandbox-world.ts';
import { captureIo } from '../cli/capture.ts';

/** `lifeguard audit --emr`: each finding from a DR scenario, read through the sandbox's AWS. */
const WELL_BUILT = 'test/fixtures/audit/dr-well-built.yaml';
const BAD = 'test/fixtures/audit/dr-bad.yaml';
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-dr-audit-'));

type Spec = { emr: { clusters: Array<Record<string, unknown> & { made: Record<string, unknown> }>; [key: string]: unknown } };
/** The well-built cluster with one thing changed. */
function variant(name: string, change: (spec: Spec) => void): string {
  const spec = parse(readFileSync(WELL_BUILT, 'utf8')) as Spec;
  change(spec);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(spec));
  return file;
}

async function audit(file: string): Promise<DrAuditReport> {
  const { inputs } = await auditEmrScenario(file);
  return auditEmr(inputs, file);
}
const checks = (report: DrAuditReport) => report.findings.map((f) => `${f.severity} ${f.check}`);

describe('lifeguard audit --emr', () => {
  it('finds nothing on a well-built DR cluster, and exits 0', async () => {
    const io = captureIo();
    expect(await run(['--emr', '--scenario', WELL_BUILT, '--json'], io.io)).toBe(0);
    const report = JSON.parse(io.stdout()) as DrAuditReport;
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ severe: 0, warning: 0, info: 0, clusters: 1 });
  });

  it('on a cluster with a local metastore, an HDFS warehouse, one fitting zone and an unlisted role: each, severe, exit 1', async () => {
    const io = captureIo();
    expect(await run(['--emr', '--scenario', BAD, '--json'], io.io)).toBe(1);
    const report = JSON.parse(io.stdout()) as DrAuditReport;
    expect(checks(report)).toEqual(['severe metastore-on-cluster', 'severe role-not-listed', 'severe too-few-fitting-zones', 'severe warehouse-on-hdfs']);
    const byCheck = Object.fromEntries(report.findings.map((f) => [f.check, f]));
    expect(byCheck['too-few-fitting-zones']!.message).toContain('us-east-1b: EC2 offers no r6gd.4xlarge (core) there');
    expect(byCheck['role-not-listed']!.message).toContain('ServiceRole EMR_CustomServiceRole');
    expect(byCheck['warehouse-on-hdfs']!.objects).toEqual(['hive-site: hive.metastore.warehouse.dir']);
    for (const f of report.findings) {
      expect(f.why.length).toBeGreaterThan(40);
      expect(f.fix.length).toBeGreaterThan(30);
    }
  });

  it('reads only: every call it makes describes, lists or gets', async () => {
    for (const file of [WELL_BUILT, BAD]) {
      const { calls } = await auditEmrScenario(file);
      expect(calls.length).toBeGreaterThan(5);
      expect(calls.filter((c) => !/^(Describe|List|Get)/.test(c.action)).map((c) => c.action)).toEqual([]);
    }
    const { calls } = await auditEmrScenario(WELL_BUILT);
    expect([...new Set(calls.map((c) => `${c.service}:${c.action}`))].sort()).toEqual([
      'ec2:DescribeInstanceTypeOfferings',
      'ec2:DescribeSubnets',
      'elbv2:DescribeLoadBalancers',
      'elbv2:DescribeTargetGroups',
      'elbv2:DescribeTargetHealth',
      'emr:DescribeCluster',
      'emr:ListBootstrapActions',
      'emr:ListInstanceGroups',
      'emr:ListInstances',
      'emr:ListSteps',
    ]);
  });

  it('metastore-on-cluster: not with an external JDBC metastore; yes with one on the master', async () => {
    const jdbc = (url: string) =>
      variant(`jdbc-${url.length}`, (s) => {
        s.emr.clusters[0]!.made.configurations = [
          { Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionURL': url, 'hive.metastore.warehouse.dir': 's3://w/' } },
        ];
      });
    expect(checks(await audit(jdbc('jdbc:mysql://metastore.cluster-abc.us-east-1.rds.amazonaws.com:3306/hive')))).toEqual([]);
    expect(checks(await audit(jdbc('jdbc:mysql://localhost:3306/hive?createDatabaseIfNotExist=true')))).toEqual(['severe metastore-on-cluster']);
  });

  it('warehouse-on-hdfs: spark.sql.warehouse.dir on HDFS counts too', async () => {
    const file = variant('spark-warehouse', (s) => {
      (s.emr.clusters[0]!.made.configurations as unknown[]).push({ Classification: 'spark-defaults', Properties: { 'spark.sql.warehouse.dir': 'hdfs:///spark-warehouse' } });
    });
    const report = await audit(file);
    expect(checks(report)).toEqual(['severe warehouse-on-hdfs']);
    expect(report.findings[0]!.objects).toEqual(['spark-defaults: spark.sql.warehouse.dir']);
  });

  it('job-data-on-hdfs: a step reading HDFS is a warning', async () => {
    const file = variant('hdfs-step', (s) => {
      s.emr.clusters[0]!.steps = [{ name: 'load', args: ['spark-submit', 'load.py', '--input', 'hdfs:///landing/today'] }];
    });
    expect(checks(await audit(file))).toEqual(['warning job-data-on-hdfs']);
  });

  it('too-few-fitting-zones: no other zone enabled on the load balancer', async () => {
    const file = variant('one-served-zone', (s) => {
      s.emr.loadBalancer = { zones: ['us-east-1a'] };
    });
    expect(checks(await audit(file))).toEqual(['severe too-few-fitting-zones', 'warning load-balancer-misses-zone']);
  });

  it('single-candidate-subnet: one other zone fits, and only one subnet in it', async () => {
    const file = variant('single-subnet', (s) => {
      s.emr.clusters[0]!.candidateSubnetIds = ['subnet-0bbb2222'];
    });
    const report = await audit(file);
    expect(checks(report)).toEqual(['warning single-candidate-subnet']);
    expect(report.findings[0]!.objects).toEqual(['subnet-0bbb2222']);
  });

  it('role-not-listed: an instance profile or auto-scaling role the configuration does not name', async () => {
    const file = variant('roles', (s) => {
      Object.assign(s.emr.clusters[0]!.made, { instanceProfile: 'analytics-instance-profile', autoScalingRole: 'EMR_AutoScaling_DefaultRole' });
    });
    const report = await audit(file);
    expect(checks(report)).toEqual(['severe role-not-listed']);
    expect(report.findings[0]!.objects).toEqual([
      'instance profile analytics-instance-profile (roles.instance: EMR_EC2_DefaultRole)',
      'AutoScalingRole EMR_AutoScaling_DefaultRole (roles.autoScaling: not set)',
    ]);
  });

  it('health-check-port-mismatch: a target group that checks another service than it routes to', async () => {
    const file = variant('health-port', (s) => {
      (s.emr.targetGroups as Array<Record<string, unknown>>)[0]!.healthCheck = { port: 8088 };
    });
    const report = await audit(file);
    expect(checks(report)).toEqual(['warning health-check-port-mismatch']);
    expect(report.findings[0]!.message).toContain('routes to 8998, checks 8088');
  });

  it('load-balancer-misses-zone: a candidate zone the NLB has not enabled', async () => {
    const file = variant('missed-zone', (s) => {
      s.emr.loadBalancer = { zones: ['us-east-1a', 'us-east-1b'] };
    });
    expect(checks(await audit(file))).toEqual(['warning load-balancer-misses-zone', 'warning single-candidate-subnet']);
  });

  it('names-failed-zone-resource: a bootstrap action naming an EBS volume and an IP, a configuration naming the subnet', async () => {
    const file = variant('zone-resources', (s) => {
      const made = s.emr.clusters[0]!.made;
      made.bootstrapActions = [{ name: 'attach-data', path: 's3://b/attach.sh', args: ['vol-0123456789abcdef0', '10.0.1.55'] }];
      (made.configurations as unknown[]).push({ Classification: 'spark-defaults', Properties: { 'spark.driver.extraJavaOptions': '-Dsubnet=subnet-0aaa1111' } });
    });
    const report = await audit(file);
    expect(checks(report)).toEqual(['warning names-failed-zone-resource']);
    expect(report.findings[0]!.objects).toEqual([
      'bootstrap action attach-data: vol-0123456789abcdef0, 10.0.1.55',
      'configuration spark-defaults: spark.driver.extraJavaOptions: subnet-0aaa1111',
    ]);
  });

  it('unsafe-step-resubmit: resubmitSteps with a step that terminates the cluster on failure; nothing when resubmitSteps is none', async () => {
    const withStep = (resubmitSteps: string) =>
      variant(`unsafe-${resubmitSteps}`, (s) => {
        s.emr.clusters[0]!.resubmitSteps = resubmitSteps;
        s.emr.clusters[0]!.steps = [{ id: 's-ENDSALL', name: 'final', args: ['spark-submit', 's3://etl/final.py'], actionOnFailure: 'TERMINATE_CLUSTER' }];
      });
    expect(checks(await audit(withStep('pending-and-running')))).toEqual(['warning unsafe-step-resubmit']);
    expect(checks(await audit(withStep('none')))).toEqual([]);
  });

  it('standby-unusable and standby-differs: a standby in the cluster\'s own zone or unknown to EMR is severe; one made differently, a warning; a good one, nothing', async () => {
    const standby = { id: 'j-STANDBY0001', subnetId: 'subnet-0bbb2222', master: { ip: '10.0.2.20', instanceId: 'i-0bbb2222' } };
    const withStandby = (name: string, standbyChange: Record<string, unknown>) =>
      variant(name, (s) => {
        s.emr.clusters[0]!.standby = { ...standby, ...standbyChange };
      });
    expect(checks(await audit(withStandby('standby-good', {})))).toEqual([]);
    const sameZone = await audit(withStandby('standby-same-zone', { subnetId: 'subnet-0aaa1111', master: { ip: '10.0.1.20', instanceId: 'i-0aaa2222' } }));
    expect(checks(sameZone)).toEqual(['severe standby-unusable']);
    expect(sameZone.findings[0]!.message).toBe("the standby j-STANDBY0001 is in us-east-1a, the cluster's own zone");

    // A standby that ended: none is running (and no rearmed one either).
    const gone = await audit(withStandby('standby-gone', { failsAt: 0 }));
    expect(gone.findings.map((f) => [f.check, f.message])).toEqual([
      ['standby-unusable', 'no standby is running: the configured standby j-STANDBY0001 is TERMINATED_WITH_ERRORS, and no cluster tagged lifeguard:standby=analytics is active'],
    ]);
    const { inputs } = await auditEmrScenario(withStandby('standby-made', {}));
    const found = inputs[0]!.standby as { cluster: Cluster };
    const older = auditEmr([{ ...inputs[0]!, standby: { cluster: { ...found.cluster, ReleaseLabel: 'emr-6.15.0' } } }], 'x');
    expect(older.findings.map((f) => [f.severity, f.check, f.message])).toEqual([['warning', 'standby-differs', 'the standby is made differently: release emr-6.15.0, the cluster emr-7.5.0']]);
    const untagged = auditEmr([{ ...inputs[0]!, standby: { cluster: { ...found.cluster, Tags: [] } } }], 'x');
    expect(untagged.findings[0]!.fix).toBe('aws emr add-tags --resource-id j-STANDBY0001 --tags lifeguard:cluster=analytics lifeguard:standby=analytics');
  });

  it('serving-cluster-moved: after a failover the audit reads the cluster the target groups route to, and says so', async () => {
    const spec = (parse(readFileSync(WELL_BUILT, 'utf8')) as { emr: DrScenarioSpec }).emr;
    const world = drSandboxWorld({ ...spec, triggers: [{ at: 0 }] }, Date.parse('2026-01-01T00:00:00Z'));
    const configured = sandboxDrConfig(drScenarioSchema.parse({ ...spec, triggers: [{ at: 0 }] })).clusters[0]!;
    // A failover, as its state machine made it: a tagged replacement in us-east-1c, the targets moved to its master.
    const { JobFlowId } = world.act('emr', 'RunJobFlow', {
      Name: 'analytics-dr-20260101T000000Z',
      Instances: { Ec2SubnetId: 'subnet-0ccc3333', KeepJobFlowAliveWhenNoSteps: true },
      Tags: [{ Key: 'lifeguard:cluster', Value: 'analytics' }],
    }) as { JobFlowId: string };
    world.at(Date.parse('2026-01-01T01:00:00Z'));
    const newIp = world.emr.clusters.get(JobFlowId)!.masterIp;
    for (const { arn } of configured.targetGroups) {
      world.act('elbv2', 'RegisterTargets', { TargetGroupArn: arn, Targets: [{ Id: newIp }] });
      world.act('elbv2', 'DeregisterTargets', { TargetGroupArn: arn, Targets: [{ Id: '10.0.1.10' }] });
    }
    const input = await readEmrCluster(world.clients, configured.clusterId, configured);
    expect(input.cluster.Id).toBe(JobFlowId);
    // (The bare replacement made here has none of the cluster's configurations: those findings are about it.)
    expect(auditEmr([input], 'x').findings.filter((f) => f.check === 'serving-cluster-moved').map((f) => [f.severity, f.check, f.message])).toEqual([
      ['info', 'serving-cluster-moved', `the target groups route to ${JobFlowId}, not the configured j-2AXXXXXXGAPLF: this audit reads ${JobFlowId}`],
    ]);
  });

  it('exits 1 on warnings with --fail-on warning, 2 on a file without an emr section, and prints why and fix', async () => {
    const io = captureIo();
    expect(await run(['--emr', '--scenario', variant('fail-on', (s) => { s.emr.clusters[0]!.candidateSubnetIds = ['subnet-0bbb2222']; }), '--fail-on', 'warning'], io.io)).toBe(1);
    expect(io.stdout()).toMatch(/WARNING single-candidate-subnet: .*\n\s+why: .*\n\s+fix: Name candidate subnets/);
    const bad = captureIo();
    const noEmr = join(dir, 'no-emr.yaml');
    writeFileSync(noEmr, 'name: x\ncluster: { name: c, nodes: [], pods: [] }\n');
    expect(await run(['--emr', '--scenario', noEmr], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/emr: missing/);
    expect(await run(['--emr', '--scenario', WELL_BUILT, '--kubeconfig', 'x'], captureIo().io)).toBe(2);
  });
});
