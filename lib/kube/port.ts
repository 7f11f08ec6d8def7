import type { EventsV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import { LifeguardError } from '../util/errors.ts';
import type { RequestPriority } from './token-bucket.ts';

export type { RequestPriority } from './token-bucket.ts';

/** Per-call options. `priority: 'high'` takes the client's next rate-limit token before any waiting normal call. */
export interface KubeCallOptions {
  /** Default: `high` for patchNode (the cordon), `normal` for everything else. */
  priority?: RequestPriority;
}

/** One RFC 6902 operation; node updates are JSON patches so a `test` op can guard them. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/**
 * A failed Kubernetes API call. `status` is the HTTP status (0 for a connection error);
 * `retryAfterSeconds` comes from the Retry-After header when the server sent one.
 */
export class KubeApiError extends LifeguardError {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The 500 an eviction gets when the pod matches several PodDisruptionBudgets: the API server cannot
 * decide, so retrying cannot change the answer. Any other 500 is a server failure.
 */
export const isSeveralBudgetsRefusal = (err: unknown): boolean =>
  err instanceof KubeApiError && err.status === 500 && /more than one PodDisruptionBudget/i.test(err.message);

/**
 * Lifeguard's reason for the API server's answer to a JSON patch that does not apply to the object
 * as stored — a `test` op that no longer holds (classified in api-failure.ts). The server says 422
 * Invalid for it, as it does for an object that fails validation: only the reason tells them apart.
 */
export const PATCH_NOT_APPLIED = 'PatchNotApplied';

/**
 * A JSON-patch `test` op or a resourceVersion precondition failed: someone else changed the object
 * first. Any other 422 (an invalid object: a duplicate taint, an annotation too large, an admission
 * policy) is not: reading again and writing the same patch would fail the same way.
 */
export const isPreconditionFailure = (err: unknown): boolean =>
  err instanceof KubeApiError && (err.status === 409 || (err.status === 422 && err.reason === PATCH_NOT_APPLIED));

/**
 * A failure that another try may not meet: throttling (429 that is not a disruption budget's
 * answer), a server error other than the several-budgets refusal, or a connection failure
 * (status 0). A drain keeps retrying these until its deadline; anything else (401, 403, 404 on the
 * node, 400/422) is permanent.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  if (err.status === 0) return true;
  if (err.status === 429) return err.reason !== 'DisruptionBudget';
  return err.status >= 500 && !isSeveralBudgetsRefusal(err);
}

/** A node's pods, and the resourceVersion to watch them from. */
export interface PodList {
  items: V1Pod[];
  /** The list's resourceVersion (undefined when the server sent none). */
  resourceVersion: string | undefined;
}

/**
 * One change a pod watch delivers. `pod` is the object as the server sent it (date fields stay
 * strings: nothing here reads them as dates).
 */
export interface PodWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  pod: V1Pod;
}

export interface PodWatchHandlers {
  onEvent(event: PodWatchEvent): void;
  /**
   * The stream ended: without an error when the server closed it (its timeout), with one when it
   * failed — 410 (the resourceVersion is too old: list again), or a connection failure.
   */
  onEnd(error?: KubeApiError): void;
}

/** A running watch; `stop` ends it without calling onEnd. */
export interface PodWatch {
  stop(): void;
}

/** What a streaming list gives: the node's pods as of its start, and the watch carrying on from them. */
export interface StreamedPods {
  list: PodList;
  watch: PodWatch;
}

/**
 * The slice of the Kubernetes API Lifeguard uses. Implemented over @kubernetes/client-node
 * (lib/kube/client.ts) for a real cluster and for the sandbox's emulator alike.
 * Transient failures (429 throttling, 5xx, connection resets) are retried inside, honouring
 * Retry-After; an eviction refused by a PodDisruptionBudget (429 on pods/eviction) is NOT retried
 * inside: it is returned as a KubeApiError with status 429 for the drain to back off and decide.
 */
export interface KubeApi {
  getNode(name: string, options?: KubeCallOptions): Promise<V1Node | undefined>;
  listNodes(options?: KubeCallOptions): Promise<V1Node[]>;
  /** JSON-patch a node. A failed `test` op surfaces as KubeApiError(422, PATCH_NOT_APPLIED); see isPreconditionFailure. */
  patchNode(name: string, ops: JsonPatchOp[], options?: KubeCallOptions): Promise<V1Node>;
  /** Pods bound to the node (fieldSelector spec.nodeName), all namespaces. */
  listPodsOnNode(nodeName: string, options?: KubeCallOptions): Promise<PodList>;
  /**
   * Watches the node's pods (same field selector) from `resourceVersion`: one long request that
   * holds no API server seats once started. Resolves once the server has accepted the watch;
   * a refusal (403, 405...) or a failure to connect rejects with a KubeApiError.
   */
  watchPodsOnNode(nodeName: string, resourceVersion: string, handlers: PodWatchHandlers): Promise<PodWatch>;
  /**
   * The node's pods, then their changes, in one request (a streaming list: a WATCH with
   * sendInitialEvents=true): resolves once the server has sent every current pod and the bookmark
   * that ends them, then hands changes to `handlers` as watchPodsOnNode does. Resolves undefined
   * when the server does not serve streaming lists (the WatchList feature is off: Kubernetes 1.33
   * by default, or before 1.32); the client remembers that and asks no more, and the caller LISTs
   * and WATCHes instead. A failure before the bookmark rejects with a KubeApiError.
   */
  streamPodsOnNode(nodeName: string, handlers: PodWatchHandlers): Promise<StreamedPods | undefined>;
  /**
   * Every pod of the cluster, then every change, as streamPodsOnNode gives one node's: how a batch
   * reads the pods of all its nodes with one request (the server scans every pod for a node's
   * field selector anyway). Only the pods `keep` accepts are kept in the list. Optional: without
   * it, each drain streams its own node.
   */
  streamAllPods?(handlers: PodWatchHandlers, keep?: (pod: V1Pod) => boolean): Promise<StreamedPods | undefined>;
  /** Every pod `keep` accepts (a paged LIST) with the resourceVersion to watch from: streamAllPods without WatchList. */
  listAllPods?(keep?: (pod: V1Pod) => boolean, options?: KubeCallOptions): Promise<PodList>;
  /** policy/v1 Eviction with a UID precondition. */
  evictPod(namespace: string, name: string, uid: string, gracePeriodSeconds?: number, options?: KubeCallOptions): Promise<void>;
  /** DELETE with a UID precondition and an explicit grace. */
  deletePod(namespace: string, name: string, uid: string, gracePeriodSeconds: number, options?: KubeCallOptions): Promise<void>;
  /** events.k8s.io/v1: create an Event (what `kubectl describe` and `kubectl get events` show). */
  createEvent(namespace: string, event: EventsV1Event): Promise<void>;
  /** JSON-patch an Event (its series count as occurrences repeat). */
  patchEvent(namespace: string, name: string, ops: JsonPatchOp[]): Promise<void>;
}
