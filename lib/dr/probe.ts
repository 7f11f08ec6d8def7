import type { EmrClusterConfig } from '../config/dr.ts';
import { checkLivy, checkNameNode, checkResourceManager } from './hadoop-checks.ts';
import type { HttpGetOptions } from './http-get.ts';
import type { HealthVerdict } from './types.ts';
import { ProbeAddressError } from './serving-master.ts';

export interface ProbeOptions {
  /** Overrides the configured probe address: the master the target groups serve (lib/dr/serving-master.ts). */
  address?: string;
  fetch?: typeof fetch;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** Epoch ms; used for `checkedAt` and latencies. */
  now?: () => number;
}

/**
 * Probes the cluster's ResourceManager, NameNode and Livy in parallel. Never throws for an
 * unhealthy or unreachable service: the verdict says which one and why.
 */
export async function probeCluster(cluster: EmrClusterConfig, options: ProbeOptions = {}): Promise<HealthVerdict> {
  const address = options.address ?? cluster.probe.address;
  if (!address) throw new ProbeAddressError(`dr.clusters[${cluster.name}]: no probe address (configured or resolved from the target groups)`);
  const http: HttpGetOptions = {
    fetch: options.fetch ?? globalThis.fetch,
    connectTimeoutMs: options.connectTimeoutMs ?? cluster.probe.connectTimeoutMs,
    totalTimeoutMs: options.totalTimeoutMs ?? cluster.probe.totalTimeoutMs,
    now: options.now ?? Date.now,
  };
  const checkedAt = http.now();
  const { ports } = cluster.probe;
  const [resourceManager, nameNode, livy] = await Promise.all([
    checkResourceManager(baseUrl(address, ports.resourceManager), http),
    checkNameNode(baseUrl(address, ports.nameNode), http),
    checkLivy(baseUrl(address, ports.livy), http),
  ]);
  return {
    cluster: cluster.name,
    clusterId: cluster.clusterId,
    healthy: resourceManager.healthy && nameNode.healthy && livy.healthy,
    checkedAt,
    address,
    services: { resourceManager, nameNode, livy },
  };
}

function baseUrl(address: string, port: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}
