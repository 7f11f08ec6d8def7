import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('emulator');
import { loopbackHost } from '../../../sandbox/kube/listen.ts';
import { captureIo } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-emulator-'));

/** Starts `lifeguard emulator ARGS`; resolves once it says it is serving, with a way to stop it. */
async function start(args: string[]) {
  const stop = new AbortController();
  const lines: string[] = [];
  const err: string[] = [];
  let ready!: () => void;
  const serving = new Promise<void>((resolve) => (ready = resolve));
  const exited = run(args, {
    out: (text) => {
      lines.push(text);
      if (text.startsWith('serving cluster')) ready();
    },
    err: (text) => void err.push(text),
    stop: stop.signal,
  });
  const first = await Promise.race([serving.then(() => 'serving' as const), exited]);
  return { first, lines, err, exited, stop: () => stop.abort() };
}

describe('lifeguard emulator', () => {
  it("serves the scenario's cluster with a kubeconfig a client can use, in real time, until stopped; then removes the kubeconfig", async () => {
    const kubeconfig = join(dir, 'demo.kubeconfig');
    const emulator = await start(['sandbox/scenarios/demo.yaml', '--kubeconfig', kubeconfig, '--quiet']);
    expect(emulator.first).toBe('serving');
    expect(emulator.lines[0]).toMatch(/^serving cluster spark-prod of sandbox\/scenarios\/demo\.yaml at http:\/\/127\.0\.0\.1:\d+ \(3 nodes, 9 pods, 1 PodDisruptionBudget;/);
    const text = readFileSync(kubeconfig, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# Written by `lifeguard emulator`/);

    // The real client, from the file: the cluster is there, and a write is served.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    expect(kc.getCurrentCluster()!.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.listNode()).items.map((n) => n.metadata!.name)).toEqual(['ip-10-0-1-10.ec2.internal', 'ip-10-0-1-11.ec2.internal', 'ip-10-0-2-20.ec2.internal']);
    expect((await core.listPodForAllNamespaces()).items).toHaveLength(9);

    emulator.stop();
    expect(await emulator.exited).toBe(0);
    expect(emulator.lines.at(-1)).toBe(`stopped; removed ${kubeconfig}`);
    expect(existsSync(kubeconfig)).toBe(false);
    await expect(core.listNode()).rejects.toThrow();
  });

  it('prints what clients do to the cluster as it happens, unless --quiet', async () => {
    const kubeconfig = join(dir, 'loud.kubeconfig');
    const emulator = await start(['sandbox/scenarios/demo.yaml', '--kubeconfig', kubeconfig]);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'web-7d9f-a', namespace: 'default', gracePeriodSeconds: 0 });
    emulator.stop();
    expect(await emulator.exited).toBe(0);
    expect(emulator.lines.join('\n')).toMatch(/^ {2}\d\d:\d\d:\d\d api delete default\/web-7d9f-a \(grace 0s\)$/m);
  });

  it('refuses any address but loopback, before reading the scenario', async () => {
    for (const host of ['0.0.0.0', '10.0.0.5', '::', 'example.com']) {
      const io = captureIo();
      expect(await run(['sandbox/scenarios/demo.yaml', '--host', host], io.io)).toBe(2);
      expect(io.stderr()).toContain(`'${host}' is not a loopback address: the emulator listens only on 127.0.0.0/8, ::1 or localhost`);
    }
    expect(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '[::1]', 'LOCALHOST'].map(loopbackHost)).toEqual(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::1', 'localhost']);
  });

  it('will not overwrite a kubeconfig it did not write', async () => {
    const mine = join(dir, 'config');
    writeFileSync(mine, 'apiVersion: v1\nkind: Config\n');
    const io = captureIo();
    expect(await run(['sandbox/scenarios/demo.yaml', '--kubeconfig', mine], io.io)).toBe(2);
    expect(io.stderr()).toContain(`--kubeconfig: ${mine} exists and was not written by lifeguard emulator; name another file`);
    expect(readFileSync(mine, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
  });

  it('a scenario with no cluster, or an invalid one, is bad input (2); a port in use cannot be served (1)', async () => {
    const emrOnly = join(dir, 'emr-only.yaml');
    writeFileSync(emrOnly, readFileSync('sandbox/dr/examples/az-outage.yaml', 'utf8')); // an emr section only
    const noCluster = captureIo();
    expect(await run([emrOnly, '--kubeconfig', join(dir, 'x.kubeconfig')], noCluster.io)).toBe(2);
    expect(noCluster.stderr()).toContain('has no cluster section to serve');

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const taken = captureIo();
    expect(await run(['sandbox/scenarios/demo.yaml', '--port', String(port), '--kubeconfig', join(dir, 'busy.kubeconfig')], taken.io)).toBe(1);
    expect(taken.stderr()).toContain(`port ${port} is in use on 127.0.0.1: pick another --port, or 0 for a free one`);
    expect(existsSync(join(dir, 'busy.kubeconfig'))).toBe(false);
    await new Promise((resolve) => busy.close(resolve));
  });
});
