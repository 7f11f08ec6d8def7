import type { V1Node } from '@kubernetes/client-node';
import type { InstanceDirectory } from '../aws/ports.ts';
import type { Log } from '../observability/log.ts';
import { silentLog } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';
import { errorMessage, RetryLaterError } from '../util/errors.ts';
import { KubeApiError, type KubeApi } from './port.ts';

export interface NodeIndexOptions {
  clock: Clock;
  /** EC2 (private DNS name): looked up first, so a cold start GETs one node instead of listing all. */
  instances?: InstanceDirectory;
  /** The cluster's Region, for the instance's resource name (`i-….<region>.compute.internal`); without it that name is not tried. */
  region?: string;
  /** At most one re-list per this much clock time, however many misses arrive (default 30 s). */
  minRelistIntervalMs?: number;
  log?: Log;
}

export interface NodeResolution {
  nodeName: string;
  /**
   * How it was found: the cached index (or the first LIST), a re-LIST, EC2's private DNS name (a
   * GET, or matched in a LIST), or a GET of a name the instance id gives (bare id, resource name).
   */
  via: 'index' | 'relist' | 'ec2' | 'name';
  /** The node as this lookup just read it (a GET), so the caller need not GET it again. */
  node?: V1Node;
}

/**
 * The instance's resource-based hostname: `i-0123456789abcdef0.ec2.internal` in us-east-1,
 * `i-0123456789abcdef0.<region>.compute.internal` elsewhere (Amazon EC2 User Guide, "Amazon EC2
 * instance hostname types"). Nodes of instances launched with resource-based naming carry it.
 */
export function resourceName(instanceId: string, region: string): string {
  return region === 'us-east-1' ? `${instanceId}.ec2.internal` : `${instanceId}.${region}.compute.internal`;
}

/** One instance's answer in a lookup of many: its node (undefined: no node of this cluster), or why there is no answer yet. */
export type NodeLookup<R = { nodeName: string; via: string; node?: V1Node }> = { node: R | undefined } | { error: unknown };

/**
 * Asked to wait: no node answers to the instance's names and the node list is too recent to be
 * listed again. The node may have joined since that list; "not ours" would drop its notice.
 */
export class NodeNotListedYetError extends RetryLaterError {}

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** `aws:///us-east-1a/i-0abc…` (EKS, Karpenter) — the instance id is the last path segment. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  if (!providerId?.startsWith('aws://')) return undefined;
  const last = providerId.split('/').pop();
  return last && /^i-[0-9a-f]+$/.test(last) ? last : undefined;
}

/**
 * Instance id → node name for one cluster. Kept across warm invocations (create it once per
 * cluster at module level). A cold environment does not LIST every node: it GETs the names a node of
 * this instance can have — EC2's private DNS name (the node name on EKS with IP-based hostnames),
 * the bare instance id (the external AWS cloud controller manager's naming), the resource-based
 * hostname — accepting a node only if its `spec.providerID` names this instance (or names none). A
 * LIST is the last resort, at most once per lookup and once per `minRelistIntervalMs` overall, so a
 * burst of events for foreign instances cannot hammer the API server; after it, the DNS name is also
 * matched against node names and the kubernetes.io/hostname label. A miss while no LIST is allowed
 * yet is NodeNotListedYetError (retried once one is), never "not a node of this cluster".
 */
export class NodeIndex {
  private byInstance = new Map<string, string>();
  private nodes: V1Node[] = [];
  /** EC2's answers, so the LIST fallback does not ask again. */
  private readonly dnsByInstance = new Map<string, string>();
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

  /** Number of instances the index can answer for without asking anyone. */
  get size(): number {
    return this.byInstance.size;
  }

  async resolve(instanceId: string): Promise<NodeResolution | undefined> {
    const answer = (await this.resolveMany([instanceId])).get(instanceId)!;
    if ('error' in answer) throw answer.error;
    return answer.node;
  }

  /**
   * Many instances at once, as a batch of notices needs them: what the index knows, then ONE EC2
   * DescribeInstances for every instance it does not know, a GET of each one's plausible names,
   * and for the misses at most one LIST, shared by all of them. Each instance gets its own answer:
   * its node, undefined (no node of this cluster), or the error its lookup met (a throttled GET, a
   * failed LIST, NodeNotListedYetError).
   */
  async resolveMany(instanceIds: readonly string[]): Promise<Map<string, NodeLookup<NodeResolution>>> {
    const answers = new Map<string, NodeLookup<NodeResolution>>();
    const unknown: string[] = [];
    for (const id of new Set(instanceIds)) {
      const cached = this.byInstance.get(id);
      if (cached) answers.set(id, { node: { nodeName: cached, via: 'index' } });
      else unknown.push(id);
    }
    if (unknown.length === 0) return answers;

    await this.learnDnsNames(unknown);
    const direct = await Promise.allSettled(unknown.map((id) => this.byPlausibleNames(id)));
    const misses: string[] = [];
    direct.forEach((result, i) => {
      const id = unknown[i]!;
      if (result.status === 'rejected') answers.set(id, { error: result.reason });
      else if (result.value) answers.set(id, { node: result.value });
      else misses.push(id);
    });
    if (misses.length > 0) for (const [id, answer] of await this.fromList(misses)) answers.set(id, answer);
    return answers;
  }

  /** The misses of one lookup, answered by one LIST (when one is allowed now) or by the last one. */
  private async fromList(misses: readonly string[]): Promise<Map<string, NodeLookup<NodeResolution>>> {
    const answers = new Map<string, NodeLookup<NodeResolution>>();
    let listed: 'index' | 'relist' | undefined;
    if (this.mayRelist()) {
      listed = this.lastListAt === undefined ? 'index' : 'relist';
      try {
        await this.relist();
      } catch (err) {
        for (const id of misses) answers.set(id, { error: err });
        return answers;
      }
    } else if (this.listError !== undefined) {
      for (const id of misses) answers.set(id, { error: this.listError });
      return answers;
    }
    for (const id of misses) {
      const fresh = listed ? this.byInstance.get(id) : undefined;
      const viaDns = fresh ? undefined : this.matchListedByDns(id);
      if (fresh) answers.set(id, { node: { nodeName: fresh, via: listed! } });
      else if (viaDns) answers.set(id, { node: { nodeName: viaDns, via: 'ec2' } });
      else if (listed) {
        this.log.debug('instance is not a node of this cluster', { instanceId: id, nodes: this.nodes.length });
        answers.set(id, { node: undefined });
      } else answers.set(id, { error: this.notListedYet(id) });
    }
    return answers;
  }

  private notListedYet(instanceId: string): NodeNotListedYetError {
    const now = this.options.clock.now();
    const waitMs = this.lastListAt! + this.minRelistIntervalMs - now;
    return new NodeNotListedYetError(
      `instance ${instanceId}: no node has any of its names and the node list is ${Math.round((now - this.lastListAt!) / 1000)} s old; ` +
        `it may have joined since: listing again in ${Math.ceil(waitMs / 1000)} s before calling it foreign`,
      waitMs,
    );
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
        const withoutProviderId = new Set<string>();
        for (const node of nodes) {
          const id = instanceIdFromProviderId(node.spec?.providerID);
          const name = node.metadata?.name;
          if (name && !id) withoutProviderId.add(name);
          if (id && name) byInstance.set(id, name);
        }
        // Keep what EC2 resolved for nodes without a providerID, as long as those nodes still exist.
        for (const [id, name] of this.byInstance) if (!byInstance.has(id) && withoutProviderId.has(name)) byInstance.set(id, name);
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

  /** EC2's private DNS names of instances not asked about before, in one call; a failure leaves the GETs of the other names and the LIST to answer. */
  private async learnDnsNames(instanceIds: readonly string[]): Promise<void> {
    const ask = instanceIds.filter((id) => !this.dnsByInstance.has(id));
    if (!this.options.instances || ask.length === 0) return;
    try {
      for (const [id, dns] of await this.options.instances.privateDnsNames(ask)) this.dnsByInstance.set(id, dns.toLowerCase());
    } catch (err) {
      // EC2 throttled or refused: the LIST still can answer.
      this.log.warn('ec2:DescribeInstances failed; trying the names the instance ids give, then listing nodes', { instances: ask.length, error: errorMessage(err) });
    }
  }

  /** EC2's private DNS name first, then the names the instance id gives; each GET, verified by providerID. */
  private async byPlausibleNames(instanceId: string): Promise<NodeResolution | undefined> {
    const dns = this.dnsByInstance.get(instanceId);
    const candidates = new Map<string, NodeResolution['via']>();
    if (dns) candidates.set(dns, 'ec2');
    for (const name of [instanceId, this.options.region ? resourceName(instanceId, this.options.region) : undefined]) {
      if (name && !candidates.has(name)) candidates.set(name, 'name');
    }
    for (const [name, via] of candidates) {
      const node = await this.getIfItIs(instanceId, name);
      if (node) return { nodeName: node.metadata!.name!, via, node };
    }
    return undefined;
  }

  /** The node of that name if it is this instance's; undefined when there is none or it is another's. */
  private async getIfItIs(instanceId: string, name: string): Promise<V1Node | undefined> {
    let node: V1Node | undefined;
    try {
      node = await this.kube.getNode(name);
    } catch (err) {
      // A throttled or failing API server would fare worse with a LIST of every node: fail, so the event is retried.
      if (err instanceof KubeApiError && (err.status === 429 || err.status >= 500 || err.status === 0)) throw err;
      this.log.warn('could not get a node by a name of the instance; trying the next, then listing nodes', { instanceId, node: name, error: errorMessage(err) });
      return undefined;
    }
    const found = node?.metadata?.name;
    if (!node || !found) return undefined;
    const id = instanceIdFromProviderId(node.spec?.providerID);
    // Same name, another instance (a private IP reused after a termination): not this one.
    if (id !== undefined && id !== instanceId) return undefined;
    this.byInstance.set(instanceId, found);
    return node;
  }

  private matchListedByDns(instanceId: string): string | undefined {
    const dnsName = this.dnsByInstance.get(instanceId);
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
