import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../support/cli-command.ts';
import { systemClock } from '../../lib/util/clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { emulatorKubeconfig } from '../../sandbox/kube/kubeconfig.ts';
import { captureIo } from '../unit/cli/capture.ts';

const lifeguard = cliCommand('handle');

/**
 * The real kubectl (v1.32 on these machines and in CI) against the emulator on 127.0.0.1, in real
 * time, through a kubeconfig file: a client nobody here wrote, reading discovery, Tables, core/v1
 * Events, apps/v1 owners, and writing with PATCH, evictions and DELETE. Lifeguard first drains a
 * Spot node through its own command line, so the node carries its annotations, taint and Events.
 * Every command and its output go to .ci/out/kubectl-transcript.txt and to the test output.
 */

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const KUBECTL = onPath('kubectl');
if (!KUBECTL) console.warn('kubectl is not on PATH: test/integration/kubectl.test.ts is skipped (CI has kubectl; install v1.32 to run it here)');

const SPOT = 'ip-10-0-1-10.ec2.internal';
const OTHER = 'ip-10-0-1-11.ec2.internal';
const ON_DEMAND = 'ip-10-0-2-20.ec2.internal';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-kubectl-'));
const kubeconfig = join(dir, 'kubeconfig');
const transcript: string[] = [];
let emulator: KubeEmulator;

function note(command: string, output: string, code: number | null): void {
  transcript.push(`$ ${command}${code ? `    # exit ${code}` : ''}`, ...output.trimEnd().split('\n').filter((l, i, all) => l !== '' || i < all.length - 1), '');
}

/** Runs kubectl to completion, asynchronously: the emulator answers it from this same process. */
function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { env: { ...process.env, HOME: dir }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const out = `${stdout}${stderr}`;
      note(`kubectl ${args.join(' ')}`, out, code);
      resolve({ code, out });
    });
  });
}

const rows = (out: string) => out.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/));

describe.skipIf(!KUBECTL)('kubectl against the emulator', () => {
  beforeAll(async () => {
    // Real time; controllers replace pods at once, so every command below sees a settled cluster.
    // kubectl sends no token over plain HTTP: it is the administrator, as `lifeguard emulator` serves it.
    emulator = await startKubeEmulator({ clock: systemClock, recreateDelaySeconds: 0, readyDelaySeconds: 0, unauthenticated: 'admin' });
    emulator.addNode({ name: SPOT, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a', capacityType: 'SPOT' });
    emulator.addNode({ name: OTHER, instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1b', capacityType: 'SPOT' });
    emulator.addNode({ name: ON_DEMAND, instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1a' });
    emulator.addPod({ name: 'etl-driver', namespace: 'spark', node: ON_DEMAND, labels: { 'spark-role': 'driver' } });
    const executor = { namespace: 'spark', owner: { kind: 'Pod', name: 'etl-driver' }, preStop: '/opt/decom.sh', shutdownSeconds: 1, terminationGracePeriodSeconds: 30 } as const;
    emulator.addPod({ ...executor, name: 'etl-exec-1', node: SPOT, labels: { 'spark-role': 'executor', 'spark-exec-id': '1' } });
    emulator.addPod({ ...executor, name: 'etl-exec-2', node: SPOT, labels: { 'spark-role': 'executor', 'spark-exec-id': '2' } });
    emulator.addPod({ ...executor, name: 'etl-exec-3', node: OTHER, labels: { 'spark-role': 'executor', 'spark-exec-id': '3' } });
    for (const [suffix, node] of [['a', SPOT], ['b', OTHER], ['c', ON_DEMAND]] as const) {
      emulator.addPod({ name: `web-7d9f-${suffix}`, node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-7d9f' } });
      emulator.addPod({ name: `log-agent-${suffix}`, namespace: 'kube-system', node, labels: { app: 'log-agent' }, owner: { kind: 'DaemonSet', name: 'log-agent' } });
    }
    emulator.addPod({ name: 'db-0', node: OTHER, labels: { app: 'db' }, owner: { kind: 'StatefulSet', name: 'db' } });
    emulator.addPdb({ name: 'web', selector: { app: 'web' }, minAvailable: 2 });
    writeFileSync(kubeconfig, emulatorKubeconfig({ server: emulator.url, cluster: 'sandbox' }));

    // Lifeguard drains the Spot node, as its Lambda would on the two-minute warning.
    const event = {
      version: '0',
      id: 'kubectl-spot-1',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1a:123456789012:instance/i-0aaa1111bbbb22220'],
      detail: { 'instance-id': 'i-0aaa1111bbbb22220', 'instance-action': 'terminate' },
    };
    const eventFile = join(dir, 'spot-warning.json');
    writeFileSync(eventFile, JSON.stringify(event));
    const io = captureIo();
    // As the function: the kubeconfig's Lifeguard context, held to deploy/kubernetes-rbac.yaml.
    const code = await lifeguard([eventFile, '--kubeconfig', kubeconfig, '--context', 'sandbox-emulator-lifeguard'], { ...io.io, env: {}, clock: systemClock });
    note('lifeguard handle spot-warning.json --kubeconfig $KUBECONFIG --context sandbox-emulator-lifeguard', `${io.stdout()}\n${io.stderr()}`, code);
    expect(code, io.stderr()).toBe(0);
    expect(io.stdout()).toContain(`i-0aaa1111bbbb22220 → ${SPOT}: drained`);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    const text = transcript.join('\n');
    mkdirSync('.ci/out', { recursive: true });
    writeFileSync('.ci/out/kubectl-transcript.txt', text);
    console.log(`kubectl transcript (.ci/out/kubectl-transcript.txt):\n\n${text}`);
  });

  it('get nodes: the Spot node Lifeguard drained is cordoned', async () => {
    const { code, out } = await kubectl('get', 'nodes');
    expect(code).toBe(0);
    expect(rows(out).map((r) => r.slice(0, 2))).toEqual([
      [SPOT, 'Ready,SchedulingDisabled'],
      [OTHER, 'Ready'],
      [ON_DEMAND, 'Ready'],
    ]);
    expect(rows(out)[0]![4]).toBe('v1.32.0');
  });

  it('get pods -A -o wide: every pod with its IP and node, the drained node keeping only its DaemonSet pod', async () => {
    const { code, out } = await kubectl('get', 'pods', '-A', '-o', 'wide');
    expect(code).toBe(0);
    expect(out.split('\n')[0]!.split(/\s{2,}/)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const pods = rows(out);
    for (const pod of pods) expect(pod[6]).toMatch(/^100\.64\.\d+\.\d+$/);
    expect(new Set(pods.map((p) => p[6])).size).toBe(pods.length);
    expect(pods.filter((p) => p[7] === SPOT).map((p) => `${p[0]}/${p[1]} ${p[2]} ${p[3]}`)).toEqual(['kube-system/log-agent-a 1/1 Running']);
  });

  it("describe node: Lifeguard's annotations, taint and Events", async () => {
    const { code, out } = await kubectl('describe', 'node', SPOT);
    expect(code).toBe(0);
    expect(out).toMatch(/lifeguard\.io\/event-id: kubectl-spot-1/);
    expect(out).toMatch(/lifeguard\.io\/kind: spot-interruption/);
    expect(out).toMatch(/^Taints: +lifeguard\.io\/interruption=spot-interruption:NoSchedule$/m);
    expect(out).toMatch(/^Unschedulable: +true$/m);
    expect(out).toMatch(/^ {2}InternalIP: +10\.0\.1\.10$/m);
    expect(out).toMatch(/^ {2}HolderIdentity: +ip-10-0-1-10\.ec2\.internal$/m);
    const events = out.slice(out.indexOf('\nEvents:'));
    expect(events).toMatch(/Normal {2}DrainStarted .* lifeguard\.io\/interruption {2}tainted and cordoned: Spot interruption/);
    expect(events).toMatch(/Normal {2}Drained .* lifeguard\.io\/interruption {2}drained: 3 evicted/);
  });

  it("get events --field-selector reportingComponent=lifeguard.io/interruption: Lifeguard's Events, through core/v1", async () => {
    const { code, out } = await kubectl('get', 'events', '-A', '--field-selector', 'reportingComponent=lifeguard.io/interruption');
    expect(code).toBe(0);
    expect(rows(out).map((r) => `${r[2]} ${r[3]} ${r[4]}`).sort()).toEqual([`Normal DrainStarted node/${SPOT}`, `Normal Drained node/${SPOT}`]);
    expect((await kubectl('get', 'events', '-A', '--field-selector', 'reportingComponent=kubelet')).out).toContain('No resources found');
  });

  it('cordon and uncordon (strategic merge patches)', async () => {
    expect((await kubectl('cordon', OTHER)).out.trim()).toBe(`node/${OTHER} cordoned`);
    expect(emulator.node(OTHER)!.spec.unschedulable).toBe(true);
    expect(rows((await kubectl('get', 'node', OTHER)).out)[0]![1]).toBe('Ready,SchedulingDisabled');
    expect((await kubectl('uncordon', OTHER)).out.trim()).toBe(`node/${OTHER} uncordoned`);
    expect(emulator.node(OTHER)!.spec.unschedulable).toBeUndefined();
  });

  it('drain --ignore-daemonsets --delete-emptydir-data: evicts everything but the DaemonSet pod, within the budget', async () => {
    const { code, out } = await kubectl('drain', OTHER, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
    expect(code, out).toBe(0);
    expect(out).toContain('Warning: ignoring DaemonSet-managed Pods: kube-system/log-agent-b');
    for (const pod of ['spark/etl-exec-3', 'default/web-7d9f-b', 'default/db-0']) expect(out).toContain(`evicting pod ${pod}`);
    expect(out).toContain(`node/${OTHER} drained`);
    const left = await kubectl('get', 'pods', '-A', '--field-selector', `spec.nodeName=${OTHER}`);
    expect(rows(left.out).map((r) => `${r[0]}/${r[1]}`)).toEqual(['kube-system/log-agent-b']);
    // Evictions, not deletions: the budget was asked each time.
    expect(emulator.requests.filter((r) => r.operation === 'evict-pod' && r.status === 201).length).toBeGreaterThanOrEqual(3);
    expect(emulator.pdbs()[0]!.status!.currentHealthy).toBeGreaterThanOrEqual(2);
  });

  it('get pods -w: the list, then each change as it happens (a DELETE)', async () => {
    const watch = spawn(KUBECTL!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'pods', '-n', 'default', '-w'], { env: { ...process.env, HOME: dir } });
    let out = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => pattern.test(out) && resolve();
        watch.stdout.on('data', check);
        watch.stderr.on('data', check);
        watch.once('close', () => reject(new Error(`kubectl get pods -w ended before ${pattern}:\n${out}`)));
        check();
      });
    watch.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    watch.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await seen(/^web-7d9f-c +1\/1 +Running/m);
      const deleted = await kubectl('delete', 'pod', '-n', 'default', 'web-7d9f-c', '--wait=false');
      expect(deleted.out.trim()).toBe('pod "web-7d9f-c" deleted');
      await seen(/^web-7d9f-c +\S+ +Terminating/m);
    } finally {
      watch.kill('SIGTERM');
    }
    note('kubectl get pods -n default -w    # ended after the Terminating row', out, 0);
    const lines = out.trim().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    // Headers once: watch events after the first carry no column definitions.
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
  });
});
