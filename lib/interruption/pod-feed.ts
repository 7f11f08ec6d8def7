import type { V1Pod } from '@kubernetes/client-node';
import type { KubeApi, PodWatchHandlers, StreamedPods } from '../kube/port.ts';
import type { Log } from '../observability/log.ts';
import { LifeguardError } from '../util/errors.ts';

/** The batch's one read of every pod cannot serve its drains. */
export class PodFeedError extends LifeguardError {}

/**
 * One read of every pod, shared by the drains of a batch. A drain's own streaming list (field
 * selector spec.nodeName) makes the API server look at every pod of the cluster: API Priority and
 * Fairness charges it as a LIST of all pods (seats for the whole count, kube's list work
 * estimator), and so does the emulator (sandbox/kube/limits.ts). A batch of N drains paid that N
 * times; with the feed it pays it once: one streaming list of every pod (without WatchList, one
 * paged LIST), kept only for the batch's nodes and closed as soon as its initial state is in.
 * Each drain then gets its node's pods as of that read and follows their changes with a WATCH of
 * its node from the read's resourceVersion — a request that looks at no stored pod (one seat,
 * briefly) and brings only that node's changes, so no invocation receives the whole cluster's.
 *
 * A node the feed was not told about, or a client without the all-pods calls, streams its own node
 * as before; a drain that starts long after the read gets 410 Expired for its watch and lists its
 * node again, as any drain whose watch fell behind.
 */
export class BatchPodFeed {
  private readonly nodes: ReadonlySet<string>;
  private readonly pods = new Map<string, V1Pod[]>();
  private resourceVersion: string | undefined;
  private reading: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly api: KubeApi,
    nodeNames: readonly string[],
    private readonly deps: { log: Log },
  ) {
    this.nodes = new Set(nodeNames);
  }

  /** The client the batch's drains use: `api`, with their nodes' first read served by the feed. */
  kube(): KubeApi {
    const api = this.api;
    return {
      getNode: (name, options) => api.getNode(name, options),
      listNodes: (options) => api.listNodes(options),
      patchNode: (name, ops, options) => api.patchNode(name, ops, options),
      listPodsOnNode: (nodeName, options) => api.listPodsOnNode(nodeName, options),
      watchPodsOnNode: (nodeName, resourceVersion, handlers) => api.watchPodsOnNode(nodeName, resourceVersion, handlers),
      streamPodsOnNode: async (nodeName, handlers) => (await this.serve(nodeName, handlers)) ?? api.streamPodsOnNode(nodeName, handlers),
      evictPod: (namespace, name, uid, grace, options) => api.evictPod(namespace, name, uid, grace, options),
      deletePod: (namespace, name, uid, grace, options) => api.deletePod(namespace, name, uid, grace, options),
      createEvent: (namespace, event) => api.createEvent(namespace, event),
      patchEvent: (namespace, name, ops) => api.patchEvent(namespace, name, ops),
    };
  }

  /**
   * The node's pods as of the shared read and a watch of them from it; undefined when the feed
   * cannot serve this node. A failure (of the read or the watch) rejects, as a drain's own stream
   * would: the drain retries a transient one.
   */
  async serve(nodeName: string, handlers: PodWatchHandlers): Promise<StreamedPods | undefined> {
    if (this.closed || !this.nodes.has(nodeName) || !(await this.read())) return undefined;
    const resourceVersion = this.resourceVersion!;
    const watch = await this.api.watchPodsOnNode(nodeName, resourceVersion, handlers);
    return { list: { items: [...(this.pods.get(nodeName) ?? [])], resourceVersion }, watch };
  }

  close(): void {
    this.closed = true;
    this.pods.clear();
  }

  /** Reads every pod once (again after a failure); false when this client cannot. */
  private read(): Promise<boolean> {
    this.reading ??= this.readAll().catch((err: unknown) => {
      this.reading = undefined;
      throw err;
    });
    return this.reading;
  }

  private async readAll(): Promise<boolean> {
    const { api } = this;
    if (!api.streamAllPods || !api.listAllPods) return false;
    // The stream's later changes are not needed: each drain watches its own node from the list.
    const ignore: PodWatchHandlers = { onEvent: () => {}, onEnd: () => {} };
    const ours = (pod: V1Pod) => this.nodes.has(pod.spec?.nodeName ?? '');
    const streamed = await api.streamAllPods(ignore, ours);
    streamed?.watch.stop();
    const list = streamed?.list ?? (await api.listAllPods(ours));
    if (list.resourceVersion === undefined) throw new PodFeedError('the list of every pod came without a resourceVersion: no watch can follow it');
    for (const pod of list.items) {
      const node = pod.spec!.nodeName!;
      const pods = this.pods.get(node);
      if (pods) pods.push(pod);
      else this.pods.set(node, [pod]);
    }
    this.resourceVersion = list.resourceVersion;
    this.deps.log.debug('one read of every pod serves the batch', { nodes: this.nodes.size, pods: list.items.length });
    return true;
  }
}
