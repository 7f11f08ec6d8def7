import { CoreV1Api, EventsV1Api, type KubeConfig, type V1Eviction, type V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { silentLog, type Log } from '../observability/log.ts';
import { listInPages } from './paged-list.ts';
import { streamPods, watchPods, type PodScope, type PodWatchDeps } from './pod-watch.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi, type KubeCallOptions, type PodWatchHandlers, type StreamedPods } from './port.ts';
import { requestOptions } from './request-options.ts';
import { retryingCall, type KubeCall, type KubeRetryOptions } from './retrying-call.ts';
import { DEFAULT_RATE_LIMIT, TokenBucket, type TokenBucketOptions } from './token-bucket.ts';

export interface KubeApiOptions extends KubeRetryOptions {
  clock: Clock;
  log?: Log;
  /** How long the server is asked to keep one pod watch open before the drain re-watches (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Real-time limit on one HTTP exchange, so a black-holed connection cannot eat a deadline (default 15 s). */
  requestTimeoutMs?: number;
  /**
   * Client-side rate limit, one bucket per client (so per execution environment when the client is
   * built once at module level); every HTTP attempt, retries included, takes a token. `false`
   * turns it off. Default: DEFAULT_RATE_LIMIT.
   */
  rateLimit?: TokenBucketOptions | false;
  /**
   * One keep-alive agent for every request of this client (default true). client-node builds a
   * fresh agent per request, i.e. a new TCP (and TLS) connection per request; this replaces it.
   */
  keepAlive?: boolean;
}

/** A page of nodes per LIST: big clusters are listed in chunks instead of one huge response. */
const NODE_PAGE_SIZE = 500;
/** A page of pods when a batch lists every pod (its shared view, without WatchList). */
const POD_PAGE_SIZE = 500;

/**
 * The KubeApi port over @kubernetes/client-node. Every HTTP exchange runs inside `clock.io` (a
 * virtual clock must not jump while a request is in flight) and every wait uses `clock.sleep`.
 *
 * Retried here: 429 throttling (API Priority and Fairness / max-in-flight: a plain-text body plus a
 * Retry-After header), 500/502/503/504 and socket failures, with jittered exponential backoff, or
 * exactly the server's Retry-After when it sent one. NOT retried: a PodDisruptionBudget refusal of
 * an eviction (429 whose Status lists a `DisruptionBudget` cause) — it surfaces at once as
 * KubeApiError(429, reason 'DisruptionBudget') for the drain to back off on its own schedule — and
 * the 500 an eviction gets when a pod matches several PDBs (retrying cannot change that answer).
 */
export function createKubeApi(kc: KubeConfig, options: KubeApiOptions): KubeApi {
  const clock = options.clock;
  const core = kc.makeApiClient(CoreV1Api);
  const events = kc.makeApiClient(EventsV1Api);
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const perRequest = requestOptions(requestTimeoutMs, options.keepAlive !== false);
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const bucket = rateLimit ? new TokenBucket(clock, rateLimit) : undefined;
  const call = retryingCall({ clock, log: options.log ?? silentLog, bucket }, options);
  const watchDeps: PodWatchDeps = { kc, clock, bucket, timeoutSeconds: options.watchTimeoutSeconds ?? 300, requestTimeoutMs };
  const insideCall: PodWatchDeps = { ...watchDeps, bucket: undefined, clock: { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms, signal), io: (work) => work() } };
  const stream = podStreams(call, insideCall, options.log);

  return {
    async getNode(name, callOptions?: KubeCallOptions) {
      try {
        return await call(`get node ${name}`, () => core.readNode({ name }, perRequest), {}, callOptions?.priority);
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        throw err;
      }
    },

    async listNodes(callOptions?: KubeCallOptions) {
      return listInPages((token) =>
        call('list nodes', () => core.listNode({ limit: NODE_PAGE_SIZE, ...(token ? { _continue: token } : {}) }, perRequest), {}, callOptions?.priority),
      );
    },

    async patchNode(name, ops: JsonPatchOp[], callOptions?: KubeCallOptions) {
      // client-node 1.4 sends application/json-patch+json for patch calls by default.
      // High priority by default: a node PATCH is the cordon (or its record), which must not wait behind evictions.
      return call(`patch node ${name}`, () => core.patchNode({ name, body: ops }, perRequest), { jsonPatch: true }, callOptions?.priority ?? 'high');
    },

    async listPodsOnNode(nodeName, callOptions?: KubeCallOptions) {
      const list = await call(`list pods on ${nodeName}`, () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }, perRequest), {}, callOptions?.priority);
      return { items: list.items as V1Pod[], resourceVersion: list.metadata?.resourceVersion };
    },

    watchPodsOnNode(nodeName, resourceVersion, handlers) {
      return watchPods(watchDeps, { nodeName }, resourceVersion, handlers);
    },

    streamPodsOnNode(nodeName, handlers) {
      return stream({ nodeName }, handlers);
    },

    async listAllPods(keep?: (pod: V1Pod) => boolean, callOptions?: KubeCallOptions) {
      let resourceVersion: string | undefined;
      // Filtered page by page: a big cluster's pods are never held all at once.
      const items = await listInPages(async (token) => {
        const page = await call('list all pods', () => core.listPodForAllNamespaces({ limit: POD_PAGE_SIZE, ...(token ? { _continue: token } : {}) }, perRequest), {}, callOptions?.priority);
        resourceVersion = page.metadata?.resourceVersion;
        return { ...page, items: keep ? page.items.filter(keep) : page.items };
      });
      return { items, resourceVersion };
    },

    streamAllPods(handlers, keep?: (pod: V1Pod) => boolean) {
      return stream('all', handlers, keep);
    },

    async evictPod(namespace, name, uid, gracePeriodSeconds, callOptions?: KubeCallOptions) {
      const body = eviction(namespace, name, uid, gracePeriodSeconds);
      await call(
        `evict pod ${namespace}/${name}`,
        () => core.createNamespacedPodEviction({ namespace, name, body }, perRequest),
        { eviction: true },
        callOptions?.priority,
      );
    },

    async deletePod(namespace, name, uid, gracePeriodSeconds, callOptions?: KubeCallOptions) {
      await call(
        `delete pod ${namespace}/${name}`,
        () => core.deleteNamespacedPod({ namespace, name, body: { preconditions: { uid }, gracePeriodSeconds } }, perRequest),
        {},
        callOptions?.priority,
      );
    },

    async createEvent(namespace, event) {
      await call(`create event ${namespace}/${event.metadata?.name ?? ''}`, () => events.createNamespacedEvent({ namespace, body: event }, perRequest));
    },

    async patchEvent(namespace, name, ops) {
      await call(`patch event ${namespace}/${name}`, () => events.patchNamespacedEvent({ namespace, name, body: ops }, perRequest), { jsonPatch: true });
    },
  };
}

/**
 * Streaming lists of pods (WATCH with sendInitialEvents), retried like the LIST they replace:
 * `call` takes the bucket's token and counts the exchange as I/O on the clock, so the stream does
 * neither again. Learned from the first 422: this server has no WatchList, so no drain of this
 * client asks again; undefined then, and the drain lists instead.
 */
function podStreams(call: KubeCall, insideCall: PodWatchDeps, log: Log | undefined) {
  let streamingRefused = false;
  return async (scope: PodScope, handlers: PodWatchHandlers, keep?: (pod: V1Pod) => boolean): Promise<StreamedPods | undefined> => {
    if (streamingRefused) return undefined;
    const what = scope === 'all' ? 'all pods' : `pods on ${scope.nodeName}`;
    const streamed = await call(`stream ${what}`, () => streamPods(insideCall, scope, handlers, keep));
    if (!streamed) {
      streamingRefused = true;
      log?.info('the API server does not stream lists (WatchList off): drains list, then watch', { scope: what });
    }
    return streamed;
  };
}

/** A policy/v1 Eviction of exactly this pod (its UID as precondition), with the given grace if any. */
function eviction(namespace: string, name: string, uid: string, gracePeriodSeconds: number | undefined): V1Eviction {
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace },
    deleteOptions: {
      preconditions: { uid },
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    },
  };
}
