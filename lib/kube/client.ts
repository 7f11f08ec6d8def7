import {
  CoreV1Api,
  EventsV1Api,
  type ConfigurationOptions,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Clock } from '../util/clock.ts';
import { silentLog, type Log } from '../observability/log.ts';
import { classify, type CallKind, type Failure } from './api-failure.ts';
import { watchPodsOnNode } from './pod-watch.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi, type KubeCallOptions } from './port.ts';
import { DEFAULT_RATE_LIMIT, TokenBucket, type RequestPriority, type TokenBucketOptions } from './token-bucket.ts';

export interface KubeApiOptions {
  clock: Clock;
  log?: Log;
  /** Tries per call, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt, then jittered (default 250 ms). */
  baseDelayMs?: number;
  /** Ceiling of one backoff step (default 8 s). */
  maxDelayMs?: number;
  /** [0, 1) source for the jitter; injectable so tests are deterministic. */
  random?: () => number;
  /**
   * A Retry-After longer than this is not slept through here: the call fails at once with
   * `retryAfterSeconds` set, so a deadline-aware caller decides (default 30 s).
   */
  maxRetryAfterSeconds?: number;
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
  const log = options.log ?? silentLog;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 250);
  const maxDelayMs = Math.max(baseDelayMs, options.maxDelayMs ?? 8_000);
  const random = options.random ?? Math.random;
  const maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  const core = kc.makeApiClient(CoreV1Api);
  const events = kc.makeApiClient(EventsV1Api);
  const perRequest = requestOptions(requestTimeoutMs, options.keepAlive !== false);
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const bucket = rateLimit ? new TokenBucket(clock, rateLimit) : undefined;

  function backoffMs(attempt: number): number {
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Equal jitter: never less than half the step, so a herd spreads out but still waits.
    return Math.round(step / 2 + (random() * step) / 2);
  }

  async function call<T>(operation: string, work: () => Promise<T>, kind: CallKind = {}, priority: RequestPriority = 'normal'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let failure: Failure;
      await bucket?.take(priority);
      try {
        return await clock.io(work);
      } catch (err) {
        failure = classify(err, operation, clock.now(), kind);
      }
      const { error, retryable } = failure;
      if (!retryable || attempt >= maxAttempts) {
        if (retryable) {
          log.warn('kubernetes call failed after retries', { operation, attempts: attempt, status: error.status, reason: error.reason });
        }
        throw error;
      }
      if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds > maxRetryAfterSeconds) {
        log.warn('kubernetes asked to wait longer than allowed; giving up', {
          operation,
          status: error.status,
          retryAfterSeconds: error.retryAfterSeconds,
        });
        throw error;
      }
      const delayMs = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoffMs(attempt);
      log.warn('kubernetes call failed; retrying', {
        operation,
        attempt,
        status: error.status,
        reason: error.reason,
        delayMs,
      });
      await clock.sleep(delayMs);
    }
  }

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
      const nodes: V1Node[] = [];
      let continueToken: string | undefined;
      let restarted = false;
      for (;;) {
        let page;
        try {
          const token = continueToken;
          page = await call(
            'list nodes',
            () => core.listNode({ limit: NODE_PAGE_SIZE, ...(token ? { _continue: token } : {}) }, perRequest),
            {},
            callOptions?.priority,
          );
        } catch (err) {
          // 410 Gone: the continue token outlived the server's snapshot; start over once.
          if (err instanceof KubeApiError && err.status === 410 && continueToken && !restarted) {
            restarted = true;
            continueToken = undefined;
            nodes.length = 0;
            continue;
          }
          throw err;
        }
        nodes.push(...page.items);
        continueToken = page.metadata?._continue || undefined;
        if (!continueToken) return nodes;
      }
    },

    async patchNode(name, ops: JsonPatchOp[], callOptions?: KubeCallOptions) {
      // client-node 1.4 sends application/json-patch+json for patch calls by default.
      // High priority by default: a node PATCH is the cordon (or its record), which must not wait behind evictions.
      return call(`patch node ${name}`, () => core.patchNode({ name, body: ops }, perRequest), {}, callOptions?.priority ?? 'high');
    },

    async listPodsOnNode(nodeName, callOptions?: KubeCallOptions) {
      const list = await call(
        `list pods on ${nodeName}`,
        () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }, perRequest),
        {},
        callOptions?.priority,
      );
      return { items: list.items as V1Pod[], resourceVersion: list.metadata?.resourceVersion };
    },

    watchPodsOnNode(nodeName, resourceVersion, handlers) {
      return watchPodsOnNode({ kc, clock, bucket, timeoutSeconds: watchTimeoutSeconds }, nodeName, resourceVersion, handlers);
    },

    async evictPod(namespace, name, uid, gracePeriodSeconds, callOptions?: KubeCallOptions) {
      await call(
        `evict pod ${namespace}/${name}`,
        () =>
          core.createNamespacedPodEviction(
            {
              namespace,
              name,
              body: {
                apiVersion: 'policy/v1',
                kind: 'Eviction',
                metadata: { name, namespace },
                deleteOptions: {
                  preconditions: { uid },
                  ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
                },
              },
            },
            perRequest,
          ),
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
      await call(`patch event ${namespace}/${name}`, () => events.patchNamespacedEvent({ namespace, name, body: ops }, perRequest));
    },
  };
}

/**
 * Per-call options: a middleware that bounds each HTTP exchange in real time and, with
 * `keepAlive`, swaps the agent client-node made for this request (after authentication, so it
 * carries the cluster's TLS settings) for one keep-alive agent shared by every request of the
 * client. Proxy agents are left alone. The object-style API runs call options through its
 * observable pipeline, so the middleware returns client-node's Observable, as its own
 * setHeaderOptions does.
 */
function requestOptions(timeoutMs: number, keepAlive: boolean): ConfigurationOptions {
  let shared: HttpAgent | undefined;
  const timeout: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      if (keepAlive) {
        const fresh = context.getAgent();
        if (fresh?.constructor === HttpsAgent) shared ??= new HttpsAgent({ ...(fresh as HttpsAgent).options, keepAlive: true });
        else if (fresh?.constructor === HttpAgent) shared ??= new HttpAgent({ keepAlive: true });
        if (shared && fresh?.constructor === shared.constructor) context.setAgent(shared);
      }
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [timeout], middlewareMergeStrategy: 'append' };
}
