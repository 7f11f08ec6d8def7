import type { KubeConfig } from '@kubernetes/client-node';
import type { AuditInput } from '../lib/audit/types.ts';
import { systemClock } from '../lib/util/clock.ts';
import { startKubeEmulator } from '../sandbox/kube/index.ts';
import { parseScenario } from '../sandbox/scenario/load.ts';
import { readDocument } from './read-document.ts';

/**
 * A scenario's cluster, audited exactly as a real one: the scenario loader validates the file, the
 * Kubernetes emulator serves its nodes, pods and budgets over HTTP, and the audit reads them
 * through the same client it uses against a kubeconfig. Nothing runs: no event is delivered.
 */
export async function auditScenario(
  file: string,
  read: (kc: KubeConfig) => Promise<AuditInput>,
): Promise<{ input: AuditInput; clusterName: string; config?: Record<string, unknown> }> {
  const scenario = parseScenario(readDocument(file), file);
  if (!scenario.cluster) throw new Error(`${file}: cluster: missing (got nothing): the audit needs the scenario's Kubernetes cluster`);
  const emulator = await startKubeEmulator({ clock: systemClock, seed: scenario.seed });
  try {
    for (const node of scenario.cluster.nodes) emulator.addNode(node);
    for (const pdb of scenario.cluster.pdbs) emulator.addPdb(pdb);
    for (const pod of scenario.cluster.pods) emulator.addPod(pod);
    const input = await read(emulator.kubeConfig('admin'));
    return { input, clusterName: scenario.cluster.name, ...(Object.keys(scenario.config).length ? { config: scenario.config } : {}) };
  } finally {
    await emulator.close();
  }
}
