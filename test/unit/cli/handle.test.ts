import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../cli/commands/handle.ts';
import { systemClock } from '../../../lib/util/clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../../sandbox/kube/index.ts';
import { nodes, SPOT_NODE } from '../../support/scenarios.ts';

// `lifeguard handle` against a cluster reached through a kubeconfig file (here: the emulator's).
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-handle-'));
const spotEvent = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8'));

describe('lifeguard handle', () => {
  let emulator: KubeEmulator;
  let kubeconfig: string;
  let out: string[];
  let err: string[];
  const io = () => ({ out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) });

  beforeEach(async () => {
    out = [];
    err = [];
    emulator = await startKubeEmulator({ clock: systemClock });
    for (const node of nodes) emulator.addNode(node);
    emulator.addPod({ name: 'exec-1', namespace: 'spark', node: SPOT_NODE, labels: { 'spark-role': 'executor' }, preStop: '/opt/decom.sh' });
    emulator.addPod({ name: 'web-1', node: SPOT_NODE, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' } });
    kubeconfig = join(dir, 'kubeconfig.json');
    writeFileSync(kubeconfig, emulator.kubeConfig().exportConfig());
  });
  afterEach(() => emulator.close());

  const eventFile = (event: unknown) => {
    const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(event));
    return path;
  };
  const now = () => ({ ...spotEvent, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });

  it('prints the plan in a dry run and changes nothing', async () => {
    expect(await run([eventFile(now()), '--dry-run', '--kubeconfig', kubeconfig], io())).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('dry run: nothing changed');
    expect(text).toMatch(/spark-executor: spark\/exec-1[\s\S]*workload: default\/web-1/);
    expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(emulator.node(SPOT_NODE)?.spec.unschedulable).toBeFalsy();
  });

  it('cordons and drains the node for real without --dry-run', async () => {
    expect(await run([eventFile(now()), '--kubeconfig', kubeconfig, '--json'], io())).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.instances[0]).toMatchObject({ nodeName: SPOT_NODE, status: 'drained' });
    expect(emulator.node(SPOT_NODE)?.spec.unschedulable).toBe(true);
    expect(emulator.pods().filter((p) => p.spec.nodeName === SPOT_NODE)).toEqual([]);
  });

  it('rejects a malformed event with the field named, exit 2, nothing changed', async () => {
    const bad = { ...now(), detail: { 'instance-action': 'terminate' } };
    expect(await run([eventFile(bad), '--kubeconfig', kubeconfig], io())).toBe(2);
    expect(out.join('\n')).toContain('detail.instance-id');
    expect(emulator.requests).toEqual([]);
  });

  it('says what is wrong with the kubeconfig or the arguments', async () => {
    expect(await run([eventFile(now()), '--kubeconfig', join(dir, 'absent')], io())).toBe(2);
    expect(await run([], io())).toBe(2);
    expect(err.join('\n')).toMatch(/kubeconfig .*absent does not exist[\s\S]*expected exactly one event file/);
  });
});
