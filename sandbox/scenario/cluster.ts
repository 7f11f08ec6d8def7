import { readFileSync } from 'node:fs';
import type { Clock } from '../../lib/util/clock.ts';
import { LIFEGUARD_FLOW_CONTROL_MANIFEST, startKubeEmulator, type KubeEmulator } from '../kube/index.ts';
import type { TimelineEntry } from './result.ts';
import type { Scenario } from './schema.ts';

export type Recorder = (entry: Omit<TimelineEntry, 't'> & { at?: number }) => void;

/**
 * The scenario's cluster in the Kubernetes API emulator, every change on the timeline, and an
 * independent check of the budgets: an eviction that leaves a budget below its desired number of
 * healthy pods is a violation, whoever let it through. A simulation runs it on a virtual clock;
 * `lifeguard emulator` serves it in real time on `listen`.
 */
export async function startCluster(scenario: Scenario, cluster: NonNullable<Scenario['cluster']>, clock: Clock, record: Recorder, listen?: { host: string; port: number }) {
  let pdbViolations = 0;
  let emulator: KubeEmulator | undefined = undefined;
  emulator = await startKubeEmulator({
    clock,
    latencyMs: cluster.api.latencyMs,
    ...(cluster.api.faults ? { faults: cluster.api.faults } : {}),
    ...(cluster.api.limits !== false ? { limits: cluster.api.limits } : {}),
    ...(cluster.api.flowControl === 'lifeguard' ? { flowControlManifest: readFileSync(LIFEGUARD_FLOW_CONTROL_MANIFEST, 'utf8') } : {}),
    watchList: cluster.api.watchList,
    watchCacheSize: cluster.api.watchCacheSize,
    seed: scenario.seed,
    // Served to kubectl, which sends no token to an http:// server: a request without one is the administrator.
    ...(listen ? { listen, unauthenticated: 'admin' as const } : {}),
    ...(cluster.recreateDelaySeconds !== undefined ? { recreateDelaySeconds: cluster.recreateDelaySeconds } : {}),
    ...(cluster.readyDelaySeconds !== undefined ? { readyDelaySeconds: cluster.readyDelaySeconds } : {}),
    onEvent: (event) => {
      record({ at: event.at, actor: event.actor, action: event.action, ...pick(event) });
      if (event.action === 'terminating' && event.detail?.startsWith('eviction') && event.pod && emulator) pdbViolations += violatedBudgets(emulator, event.pod);
    },
  });
  try {
    for (const node of cluster.nodes) emulator.addNode(node);
    for (const pdb of cluster.pdbs) emulator.addPdb(pdb);
    for (const pod of cluster.pods) emulator.addPod(pod);
  } catch (err) {
    await emulator.close();
    throw err;
  }
  return { emulator, pdbViolations: () => pdbViolations };
}

function pick(event: { node?: string | undefined; pod?: string; detail?: string }) {
  return {
    ...(event.node ? { node: event.node } : {}),
    ...(event.pod ? { pod: event.pod } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  };
}

function violatedBudgets(emulator: KubeEmulator, podRef: string): number {
  const [namespace, name] = podRef.split('/') as [string, string];
  return emulator.budgetsOf(namespace, name).filter((pdb) => (pdb.status?.currentHealthy ?? 0) < (pdb.status?.desiredHealthy ?? 0)).length;
}
