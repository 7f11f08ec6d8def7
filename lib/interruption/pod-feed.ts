import type { V1Pod } from '@kubernetes/client-node';
import type { KubeApi, KubeApiError, PodList, PodWatch, PodWatchEvent, PodWatchHandlers, StreamedPods } from '../kube/port.ts';
import type { Log } from '../observability/log.ts';

/**
 * One stream of every pod, shared by the drains of a batch. A drain's own streaming list
 * (field selector spec.nodeName) makes the API server look at every pod of the cluster: API
 * Priority and Fairness charges it as a LIST of all pods (seats for the whole count, kube's list
 * work estimator), and so does the emulator (sandbox/kube/limits.ts). A batch of N drains paid that
 * N times; with the feed it pays it once, and each drain gets its node's pods and their changes
 * from it. The feed keeps only the pods of the batch's nodes; everything else the stream carries
 * is dropped as it arrives.
 *
 * A server without WatchList (422): one paged LIST of all pods and one WATCH from it instead. A
 * node the feed was not told about, or a client without the all-pods calls, streams its own node
 * as before. When the shared stream ends (the server's timeout, a failure), each drain is told
 * (onEnd) and resumes its own node's watch from the resourceVersion it has, as with its own stream.
 */
export class BatchPodFeed {
  private readonly nodes: ReadonlySet<string>;
  private readonly pods = new Map<string, Map<string, V1Pod>>();
  private readonly subscribers = new Map<string, Set<PodWatchHandlers>>();
  private resourceVersion: string | undefined;
  private watch: PodWatch | undefined;
  private opening: Promise<boolean> | undefined;
  /** Changes that came before the list they follow was in place. */
  private early: PodWatchEvent[] | undefined;
  /** The stream ended before its list was in place. */
  private endedEarly: { error: KubeApiError | undefined } | undefined;
  private closed = false;

  constructor(
    private readonly api: KubeApi,
    nodeNames: readonly string[],
    private readonly deps: { log: Log },
  ) {
    this.nodes = new Set(nodeNames);
  }

  /** The client the batch's drains use: `api`, with their nodes' pod streams served by the feed. */
  kube(): KubeApi {
    const api = this.api;
    return {
      getNode: (name, options) => api.getNode(name, options),
      listNodes: (options) => api.listNodes(options),
      patchNode: (name, ops, options) => api.patchNode(name, ops, options),
      listPodsOnNode: (nodeName, options) => api.listPodsOnNode(nodeName, options),
      watchPodsOnNode: (nodeName, resourceVersion, handlers) => api.watchPodsOnNode(nodeName, resourceVersion, handlers),
      streamPodsOnNode: async (nodeName, handlers) => (await this.subscribe(nodeName, handlers)) ?? api.streamPodsOnNode(nodeName, handlers),
      evictPod: (namespace, name, uid, grace, options) => api.evictPod(namespace, name, uid, grace, options),
      deletePod: (namespace, name, uid, grace, options) => api.deletePod(namespace, name, uid, grace, options),
      createEvent: (namespace, event) => api.createEvent(namespace, event),
      patchEvent: (namespace, name, ops) => api.patchEvent(namespace, name, ops),
    };
  }

  /**
   * The node's pods as the feed holds them now and their changes from here on; undefined when the
   * feed cannot serve this node (not one of the batch's, or no all-pods calls on this client). A
   * failure to open the shared stream rejects, as a drain's own stream would (it retries).
   */
  async subscribe(nodeName: string, handlers: PodWatchHandlers): Promise<StreamedPods | undefined> {
    if (this.closed || !this.nodes.has(nodeName) || !(await this.open()) || !this.watch) return undefined;
    let set = this.subscribers.get(nodeName);
    if (!set) this.subscribers.set(nodeName, (set = new Set()));
    set.add(handlers);
    const list: PodList = { items: [...(this.pods.get(nodeName)?.values() ?? [])], resourceVersion: this.resourceVersion };
    return { list, watch: { stop: () => void set.delete(handlers) } };
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
    this.watch = undefined;
    this.subscribers.clear();
    this.pods.clear();
  }

  /** Opens the shared stream once (again after it ended); false when this client cannot. */
  private open(): Promise<boolean> {
    if (this.watch) return Promise.resolve(true);
    this.opening ??= this.start().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async start(): Promise<boolean> {
    const { api } = this;
    if (!api.streamAllPods || !api.listAllPods || !api.watchAllPods) return false;
    this.early = [];
    this.endedEarly = undefined;
    const handlers: PodWatchHandlers = { onEvent: (event) => (this.early ? this.early.push(event) : this.apply(event)), onEnd: (error) => this.ended(error) };
    let streamed = await api.streamAllPods(handlers);
    if (!streamed) {
      // No WatchList on this server: list every pod, then watch from the list.
      const list = await api.listAllPods();
      if (list.resourceVersion === undefined) throw new Error('the pod list came without a resourceVersion: cannot watch from it');
      streamed = { list, watch: await api.watchAllPods(list.resourceVersion, handlers) };
    }
    if (this.closed) {
      streamed.watch.stop();
      return false;
    }
    this.pods.clear();
    for (const pod of streamed.list.items) this.keep(pod);
    this.resourceVersion = streamed.list.resourceVersion;
    this.watch = streamed.watch;
    const early = this.early;
    this.early = undefined;
    for (const event of early) this.apply(event);
    this.deps.log.debug('one pod stream serves the batch', { nodes: this.nodes.size, pods: streamed.list.items.length });
    // Set by the stream's callbacks meanwhile (the compiler cannot see them).
    const endedEarly = this.endedEarly as { error: KubeApiError | undefined } | undefined;
    if (endedEarly) this.ended(endedEarly.error);
    return true;
  }

  /** Keeps the pod if it is on one of the batch's nodes; returns that node. */
  private keep(pod: V1Pod): string | undefined {
    const node = pod.spec?.nodeName;
    if (!node || !this.nodes.has(node)) return undefined;
    let pods = this.pods.get(node);
    if (!pods) this.pods.set(node, (pods = new Map()));
    pods.set(pod.metadata?.uid ?? '', pod);
    return node;
  }

  private apply(event: PodWatchEvent): void {
    this.resourceVersion = event.pod.metadata?.resourceVersion ?? this.resourceVersion;
    const node = event.pod.spec?.nodeName;
    if (!node || !this.nodes.has(node)) return;
    if (event.type === 'DELETED') this.pods.get(node)?.delete(event.pod.metadata?.uid ?? '');
    else this.keep(event.pod);
    for (const handlers of this.subscribers.get(node) ?? []) handlers.onEvent(event);
  }

  /** The shared stream ended: every drain resumes its own node's watch. */
  private ended(error: KubeApiError | undefined): void {
    if (this.early) {
      // Before the list was in place: start() ends it once it is.
      this.endedEarly = { error };
      return;
    }
    this.watch = undefined;
    const subscribers = [...this.subscribers.values()].flatMap((set) => [...set]);
    this.subscribers.clear();
    for (const handlers of subscribers) handlers.onEnd(error);
  }
}
