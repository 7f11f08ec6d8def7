import { startHadoopEmulator, type HadoopEmulator, type HadoopHealth, type HadoopWork } from '../hadoop/emulator.ts';
import type { InMemoryEmr, SandboxCluster } from './emr.ts';
import { serviceOnPort } from './master-health.ts';

/**
 * The network between the probes and the EMR masters: a request to `http://<master IP>:<port>`
 * reaches that master's service, played by a Hadoop emulator (one per cluster, started when first
 * reached) whose health is brought up to date with the cluster's timeline before each request.
 */

export interface MasterNetworkDeps {
  emr: InMemoryEmr;
  healthOf: (cluster: SandboxCluster, atMs: number) => HadoopHealth;
  now: () => number;
  /** Emulators by cluster id; the caller closes them. */
  emulators: Map<string, HadoopEmulator>;
  /** What runs on a cluster's master (scenario `clusters[].running`). */
  workOf?: (cluster: SandboxCluster) => HadoopWork | undefined;
}

export function masterNetwork(deps: MasterNetworkDeps): typeof fetch {
  const emulatorFor = async (cluster: SandboxCluster): Promise<HadoopEmulator> => {
    const known = deps.emulators.get(cluster.id);
    if (known) return known;
    const work = deps.workOf?.(cluster);
    const started = await startHadoopEmulator({ health: deps.healthOf(cluster, deps.now()), ...(work ? { work } : {}) });
    // A concurrent first request may have started one too: keep one, close the other.
    const raced = deps.emulators.get(cluster.id);
    if (raced) {
      await started.close();
      return raced;
    }
    deps.emulators.set(cluster.id, started);
    return started;
  };

  const routed = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const target = new URL(url instanceof Request ? url.url : String(url));
    const cluster = deps.emr.byMasterIp(target.hostname);
    const service = serviceOnPort(Number(target.port));
    if (!cluster || !service) {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED ${target.host}`), { code: 'ECONNREFUSED' }) });
    }
    const emulator = await emulatorFor(cluster);
    const health = deps.healthOf(cluster, deps.now());
    if (JSON.stringify(emulator.health()) !== JSON.stringify(health)) await emulator.setHealth(health);
    return fetch(`http://${emulator.address}:${emulator.ports[service]}${target.pathname}${target.search}`, init);
  };
  return routed as typeof fetch;
}
