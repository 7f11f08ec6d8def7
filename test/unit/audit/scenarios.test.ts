import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('audit');
import type { AuditReport, FindingCheck } from '../../../lib/audit/types.ts';
import { systemClock } from '../../../lib/util/clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../../sandbox/kube/index.ts';
import { captureIo } from '../cli/capture.ts';

// `lifeguard audit` on scenario clusters: a healthy one, and that one with each problem added.
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-audit-'));
const HEALTHY = 'test/fixtures/audit/healthy.yaml';
type Scenario = { cluster: { nodes: Array<Record<string, unknown>>; pods: Array<Record<string, any>>; pdbs: Array<Record<string, unknown>> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
const healthy = () => parse(readFileSync(HEALTHY, 'utf8')) as Scenario;
const pod = (s: Scenario, name: string) => s.cluster.pods.find((p) => p.name === name)!;

function scenarioFile(change: (s: Scenario) => void): string {
  const scenario = healthy();
  change(scenario);
  const path = join(dir, `scenario-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, stringify(scenario));
  return path;
}

async function auditJson(argv: string[]) {
  const io = captureIo();
  const code = await run([...argv, '--json'], { ...io.io, env: {} });
  return { code, report: JSON.parse(io.stdout()) as AuditReport, err: io.stderr() };
}

const problems: Array<{ check: FindingCheck; severity: string; exit: number; change: (s: Scenario) => void; mentions: RegExp }> = [
  { check: 'executor-without-decommission-hook', severity: 'severe', exit: 1, change: (s) => delete pod(s, 'etl-exec-2').preStop, mentions: /1 of 2 executor\(s\) have no decommission preStop hook: spark\/etl-exec-2/ },
  { check: 'executor-grace-exceeds-spot-window', severity: 'warning', exit: 0, change: (s) => (pod(s, 'etl-exec-1').terminationGracePeriodSeconds = 116), mentions: /up to 116 s .* at most 115 s/ },
  { check: 'driver-on-spot', severity: 'severe', exit: 1, change: (s) => (pod(s, 'etl-driver').node = 'spot-2'), mentions: /the driver spark\/etl-driver runs on Spot node spot-2/ },
  {
    check: 'no-fallback-storage',
    severity: 'warning',
    exit: 0,
    change: (s) => (pod(s, 'etl-driver').annotations['lifeguard.io/spark-conf'] = 'spark.decommission.enabled=true\n'),
    mentions: /spark-0001 has no fallback storage/,
  },
  { check: 'spark-conf-not-visible', severity: 'info', exit: 0, change: (s) => delete pod(s, 'etl-driver').annotations, mentions: /not visible/ },
  { check: 'budget-never-allows-disruption', severity: 'severe', exit: 1, change: (s) => (s.cluster.pdbs[0] = { name: 'web', selector: { app: 'web' }, minAvailable: '100%' }), mentions: /default\/web \(minAvailable 100%\) covers 2 pod\(s\)/ },
  { check: 'budget-never-allows-disruption', severity: 'severe', exit: 1, change: (s) => (s.cluster.pdbs[0] = { name: 'web', selector: { app: 'web' }, maxUnavailable: 0 }), mentions: /\(maxUnavailable 0\)/ },
  { check: 'pod-without-controller', severity: 'warning', exit: 0, change: (s) => delete pod(s, 'web-b').owner, mentions: /1 pod\(s\) have no controller: default\/web-b/ },
  {
    check: 'daemonset-does-not-tolerate-taint',
    severity: 'warning',
    exit: 0,
    change: (s) => (pod(s, 'log-agent-2').tolerations = [{ key: 'lifeguard.io/interruption', operator: 'Equal', value: 'spot-interruption', effect: 'NoSchedule' }]),
    mentions: /kube-system\/log-agent/,
  },
];

describe('lifeguard audit --scenario', () => {
  it('finds nothing on a healthy cluster and exits 0', async () => {
    const { code, report } = await auditJson(['--scenario', HEALTHY]);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ severe: 0, warning: 0, info: 0, sparkApplications: 1, nodeGroups: 2, nodes: 3, pods: 7 });
    expect(code).toBe(0);
  });

  it.each(problems)('reports $check ($severity) and exits $exit', async ({ check, severity, exit, change, mentions }) => {
    const { code, report } = await auditJson(['--scenario', scenarioFile(change)]);
    expect(report.findings.map((f) => f.check)).toEqual([check]);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ severity, why: expect.stringMatching(/\w/), fix: expect.stringMatching(/\w/) });
    expect(finding!.message).toMatch(mentions);
    expect(code).toBe(exit);
  });

  it('fails on warnings too with --fail-on warning', async () => {
    const path = scenarioFile((s) => delete pod(s, 'web-b').owner);
    expect((await auditJson(['--scenario', path])).code).toBe(0);
    expect((await auditJson(['--scenario', path, '--fail-on', 'warning'])).code).toBe(1);
  });

  it('knows EMR on EKS pods by their labels and hook', async () => {
    const path = scenarioFile((s) => {
      const emr = (role: string) => ({ 'emr-containers.amazonaws.com/component': role, 'emr-containers.amazonaws.com/job.id': '000000033example' });
      Object.assign(pod(s, 'etl-driver'), { labels: emr('driver'), node: 'spot-1' });
      Object.assign(pod(s, 'etl-exec-1'), { labels: emr('executor'), preStop: '/usr/bin/decom.sh' });
      Object.assign(pod(s, 'etl-exec-2'), { labels: emr('executor') });
      delete pod(s, 'etl-exec-2').preStop;
    });
    const { report } = await auditJson(['--scenario', path]);
    expect(report.findings.map((f) => [f.scope.name, f.check, f.objects[0]])).toEqual([
      ['000000033example', 'driver-on-spot', 'spark/etl-driver'],
      ['000000033example', 'executor-without-decommission-hook', 'spark/etl-exec-2'],
    ]);
  });

  it('holds On-Demand executors to no Spot window', async () => {
    const path = scenarioFile((s) => Object.assign(pod(s, 'etl-exec-1'), { node: 'od-1', terminationGracePeriodSeconds: 600 }));
    expect((await auditJson(['--scenario', path])).report.findings).toEqual([]);
  });

  it('uses the scenario\'s drain margin for the Spot window', async () => {
    const path = scenarioFile((s) => {
      (s as unknown as { config: unknown }).config = { interruption: { drain: { marginSeconds: 30 } } };
    });
    const { report } = await auditJson(['--scenario', path]);
    expect(report.findings.map((f) => f.message)).toEqual([expect.stringMatching(/up to 100 s .* at most 90 s \(120 s less Lifeguard's 30-s margin\)/)]);
  });

  it('prints every problem of a broken cluster grouped by application and node group, with why and fix', async () => {
    const io = captureIo();
    expect(await run(['--scenario', 'test/fixtures/audit/every-problem.yaml'], { ...io.io, env: {} })).toBe(1);
    const text = io.stdout();
    expect(text).toMatch(/^Spark application spark-0001\n {2}SEVERE {2}driver-on-spot: .*\n {10}why: .*\n {10}fix: .*spark\.kubernetes\.driver\.node\.selector\.karpenter\.sh\/capacity-type=on-demand/m);
    expect(text).toMatch(/^Node group spark\n {2}SEVERE {2}budget-never-allows-disruption/m);
    expect(text).toMatch(/^Node group system\n {2}WARNING pod-without-controller: .*default\/debug-shell/m);
    expect(text).toMatch(/3 severe, 4 warning\(s\), 0 note\(s\)$/);
  });

  it('rejects bad usage and bad input with exit 2', async () => {
    const drOnly = join(dir, 'dr-only.yaml');
    writeFileSync(drOnly, readFileSync('sandbox/dr/examples/az-outage.yaml', 'utf8'));
    for (const [argv, message] of [
      [['--scenario', HEALTHY, '--kubeconfig', 'k'], /option '--scenario <file>' cannot be used with option '--kubeconfig <path>'/],
      [['--fail-on', 'info'], /argument 'info' is invalid. Allowed choices are severe, warning/],
      [['--scenario', join(dir, 'absent.yaml')], /cannot read .*absent\.yaml: no such file/],
      [['--scenario', drOnly], /cluster: missing \(got nothing\)/],
    ] as const) {
      const io = captureIo();
      expect(await run([...argv], { ...io.io, env: {} })).toBe(2);
      expect(io.stderr()).toMatch(message);
    }
  });
});

describe('lifeguard audit against a kubeconfig', () => {
  let emulator: KubeEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('reads the cluster through the Kubernetes client and reports as for a scenario', async () => {
    emulator = await startKubeEmulator({ clock: systemClock });
    const problem = parse(readFileSync('test/fixtures/audit/every-problem.yaml', 'utf8')) as Scenario;
    for (const node of problem.cluster.nodes) emulator.addNode(node as never);
    for (const pdb of problem.cluster.pdbs) emulator.addPdb(pdb as never);
    for (const p of problem.cluster.pods) emulator.addPod(p as never);
    const kubeconfig = join(dir, 'kubeconfig.json');
    writeFileSync(kubeconfig, emulator.kubeConfig('admin').exportConfig());

    const fromCluster = await auditJson(['--kubeconfig', kubeconfig]);
    const fromScenario = await auditJson(['--scenario', 'test/fixtures/audit/every-problem.yaml']);
    expect(fromCluster.code).toBe(1);
    expect(fromCluster.report.findings).toEqual(fromScenario.report.findings);
    expect(emulator.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('exits 3 when the cluster cannot be read, 2 when the kubeconfig is missing', async () => {
    emulator = await startKubeEmulator({ clock: systemClock, faults: { rate: 1, statuses: [403], only: ['list-pdbs'] } });
    const kubeconfig = join(dir, 'forbidden.json');
    writeFileSync(kubeconfig, emulator.kubeConfig('admin').exportConfig());
    const io = captureIo();
    expect(await run(['--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(3);
    expect(await run(['--kubeconfig', join(dir, 'absent')], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/cannot read the cluster: [\s\S]*kubeconfig .*absent does not exist/);
  });
});
