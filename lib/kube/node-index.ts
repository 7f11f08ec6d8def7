import type { V1Node } from '@kubernetes/client-node';
import type { InstanceDirectory } from '../aws/ports.ts';
import type { Log } from '../observability/log.ts';
import { silentLog } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';
import type { KubeApi } from './port.ts';

export interface NodeIndexOptions {
  clock: Clock;
  /** EC2 fallback (private DNS name); without it a miss after a re-list is final. */
  instances?: InstanceDirectory;
  /** At most one re-list per this much clock time, however many misses arrive (default 30 s). */
  minRelistIntervalMs?: number;
  log?: Log;
}

export interface NodeResolution {
  nodeName: string;
  /** How it was found: the cached index, a fresh LIST, or the EC2 private DNS fallback. */
  via: 'index' | 'relist' | 'ec2';
}

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** `aws:///us-east-1a/i-0abc…` (EKS, Karpenter) — the instance id is the last path segment. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  if (!providerId?.startsWith('aws://')) return undefined;
  const last = providerId.split('/').pop();
  return last && /^i-[0-9a-f]+$/.test(last) ? last : undefined;
}

/**
 * Instance id → node name for one cluster, from `spec.providerID`. Kept across warm invocations
 * (create it once per cluster at module level). A miss re-lists the nodes — at most once per
 * lookup and once per `minRelistIntervalMs` overall, so a burst of events for foreign instances
 * cannot hammer the API server — then asks EC2 for the private DNS name and matches it against the
 * node name or the kubernetes.io/hostname label.
 */
export class NodeIndex {
  private byInstance = new Map<string, string>();
  private nodes: V1Node[] = [];
  private lastListAt: number | undefined;
  private listing: Promise<void> | undefined;
  /** Set while the latest LIST failed: a miss then means "cannot tell", never "not ours". */
  private listError: unknown;
  private readonly minRelistIntervalMs: number;
  private readonly log: Log;

  constructor(
    private readonly kube: KubeApi,
    private readonly options: NodeIndexOptions,
  ) {
    this.minRelistIntervalMs = options.minRelistIntervalMs ?? 30_000;
    this.log = options.log ?? silentLog;
  }

  /** Number of nodes with a recognisable AWS provider id in the current index. */
  get size(): number {
    return this.byInstance.size;
  }

  async resolve(instanceId: string): Promise<NodeResolution | undefined> {
    if (this.lastListAt === undefined) await this.relist();
    const cached = this.byInstance.get(instanceId);
    if (cached) return { nodeName: cached, via: 'index' };

    if (this.mayRelist()) {
      await this.relist();
      const fresh = this.byInstance.get(instanceId);
      if (fresh) return { nodeName: fresh, via: 'relist' };
    } else if (this.listError !== undefined) {
      throw this.listError;
    }

    const viaEc2 = await this.fromEc2(instanceId);
    if (viaEc2) return { nodeName: viaEc2, via: 'ec2' };
    this.log.debug('instance is not a node of this cluster', { instanceId, nodes: this.nodes.length });
    return undefined;
  }

  private mayRelist(): boolean {
    return this.lastListAt === undefined || this.options.clock.now() - this.lastListAt >= this.minRelistIntervalMs;
  }

  /** One LIST shared by concurrent lookups. */
  private relist(): Promise<void> {
    this.listing ??= (async () => {
      try {
        const nodes = await this.kube.listNodes();
        const byInstance = new Map<string, string>();
        for (const node of nodes) {
          const id = instanceIdFromProviderId(node.spec?.providerID);
          const name = node.metadata?.name;
          if (id && name) byInstance.set(id, name);
        }
        this.nodes = nodes;
        this.byInstance = byInstance;
        this.listError = undefined;
      } catch (err) {
        this.listError = err;
        throw err;
      } finally {
        // Failed lists count too: an unreachable API server is not retried on every event.
        this.lastListAt = this.options.clock.now();
        this.listing = undefined;
      }
    })();
    return this.listing;
  }

  private async fromEc2(instanceId: string): Promise<string | undefined> {
    if (!this.options.instances) return undefined;
    const dnsName = (await this.options.instances.privateDnsName(instanceId))?.toLowerCase();
    if (!dnsName) return undefined;
    for (const node of this.nodes) {
      const name = node.metadata?.name;
      const hostname = node.metadata?.labels?.[HOSTNAME_LABEL];
      if (name && (name.toLowerCase() === dnsName || hostname?.toLowerCase() === dnsName)) {
        // Remember it: the next event for this instance is answered from the index.
        this.byInstance.set(instanceId, name);
        return name;
      }
    }
    return undefined;
  }
}
