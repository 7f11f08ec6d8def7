import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.ts';
import { handleInterruption } from '../../lib/interruption/handle.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import { RecordingLog } from '../../lib/observability/log.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { executor, nodes } from '../support/scenarios.ts';

const invalidDir = 'test/fixtures/events/invalid';
const invalid = readdirSync(invalidDir).map((file) => [file, JSON.parse(readFileSync(join(invalidDir, file), 'utf8'))] as const);

describe('malformed events against a live (emulated) cluster', () => {
  let clock: VirtualClock;
  let emulator: KubeEmulator;

  beforeEach(async () => {
    clock = new VirtualClock();
    emulator = await startKubeEmulator({ clock });
    for (const node of nodes) emulator.addNode(node);
    emulator.addPod(executor('exec-1'));
  });
  afterEach(() => emulator.close());

  it.each(invalid)('%s is rejected with the field named, and nothing in the cluster changes', async (_file, event) => {
    const log = new RecordingLog();
    const kube = createKubeApi(emulator.kubeConfig('lifeguard'), { clock, log });
    const before = JSON.stringify({ nodes: nodes.map((n) => emulator.node(n.name)), pods: emulator.pods() });

    const report = await handleInterruption(event, {
      config: parseConfig({ eks: [{ name: 'spark' }] }),
      clock,
      log,
      kube,
      nodes: new NodeIndex(kube, { clock }),
      clusterName: 'spark',
    });

    expect(report.ignored).toBe(true);
    expect(report.instances).toEqual([]);
    expect(report.reason).toMatch(/\S/);
    expect(report.field).toBeDefined();
    expect(report.reason).toContain(report.field!.replace(/^\$$/, ''));
    expect(log.records.find((r) => r.level === 'warn')?.extra).toMatchObject({ field: report.field });
    // Not a single request reached the API server, let alone a write.
    expect(emulator.requests).toEqual([]);
    expect(JSON.stringify({ nodes: nodes.map((n) => emulator.node(n.name)), pods: emulator.pods() })).toBe(before);
  });
});
