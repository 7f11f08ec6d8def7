import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { classify } from './api-failure.ts';
import { KubeApiError, type PodWatch, type PodWatchEvent, type PodWatchHandlers, type StreamedPods } from './port.ts';
import type { TokenBucket } from './token-bucket.ts';
import { errorMessage } from '../util/errors.ts';

export interface PodWatchDeps {
  kc: KubeConfig;
  clock: Clock;
  bucket: TokenBucket | undefined;
  /** Asked of the server; it ends the stream then (onEnd without an error) and the caller re-watches. */
  timeoutSeconds: number;
  /** Real-time limit on a streaming list's initial events, as on any other exchange. */
  requestTimeoutMs: number;
}

const CHANGES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);

/** The annotation of the BOOKMARK that closes a streaming list's initial events. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** What one watch stream hands on: changes, bookmarks, and its end. */
interface StreamHandlers extends PodWatchHandlers {
  onBookmark?(object: unknown): void;
}

/** Which pods: those bound to one node (field selector spec.nodeName), or every pod of the cluster. */
export type PodScope = { nodeName: string } | 'all';

const scopeName = (scope: PodScope) => (scope === 'all' ? 'all pods' : `pods on ${scope.nodeName}`);

/** A WATCH of the pods in `scope`, from `resourceVersion`. */
export function watchPods(deps: PodWatchDeps, scope: PodScope, resourceVersion: string, handlers: PodWatchHandlers): Promise<PodWatch> {
  return openPodWatch(deps, scope, { resourceVersion }, handlers);
}

/**
 * A streaming list of the pods in `scope` (WatchList: `sendInitialEvents=true`,
 * `resourceVersionMatch=NotOlderThan`, no resourceVersion, i.e. a consistent read): collects the
 * initial ADDED events until the bookmark annotated `k8s.io/initial-events-end`, then resolves with
 * them and the bookmark's resourceVersion and hands later changes to `handlers`. A 422 (the
 * server validates the options and has no WatchList: Kubernetes 1.33 by default, or before 1.32)
 * resolves undefined. A stream that fails, ends or stalls past the request timeout before its
 * bookmark rejects; the watch is stopped. Only the initial pods `keep` accepts are kept.
 */
export async function streamPods(deps: PodWatchDeps, scope: PodScope, handlers: PodWatchHandlers, keep?: (pod: V1Pod) => boolean): Promise<StreamedPods | undefined> {
  const operation = `stream ${scopeName(scope)}`;
  const initial = new Map<string, V1Pod>();
  let live = false;
  let synced!: (resourceVersion: string) => void;
  let failed!: (error: KubeApiError) => void;
  const bookmark = new Promise<string>((resolve, reject) => {
    synced = resolve;
    failed = reject;
  });
  const uid = (pod: V1Pod) => pod.metadata?.uid ?? '';
  let watch: PodWatch;
  try {
    watch = await openPodWatch(deps, scope, { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' }, {
      onEvent: (event) => {
        if (live) handlers.onEvent(event);
        else if (event.type === 'DELETED') initial.delete(uid(event.pod));
        else if (!keep || keep(event.pod)) initial.set(uid(event.pod), event.pod);
      },
      onBookmark: (object) => {
        const metadata = (object as { metadata?: { resourceVersion?: unknown; annotations?: Record<string, unknown> } } | undefined)?.metadata;
        if (live || metadata?.annotations?.[INITIAL_EVENTS_END] !== 'true' || typeof metadata.resourceVersion !== 'string') return;
        live = true;
        synced(metadata.resourceVersion);
      },
      onEnd: (error) => {
        if (live) handlers.onEnd(error);
        else failed(error ?? new KubeApiError(`${operation}: the server ended the stream before its initial events were complete`, 0));
      },
    });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 422) return undefined;
    throw err;
  }
  const stalled = setTimeout(() => failed(new KubeApiError(`${operation}: no end of the initial events within ${deps.requestTimeoutMs} ms`, 0)), deps.requestTimeoutMs);
  try {
    const resourceVersion = await deps.clock.io(() => bookmark);
    return { list: { items: [...initial.values()], resourceVersion }, watch };
  } catch (err) {
    watch.stop();
    throw err;
  } finally {
    clearTimeout(stalled);
  }
}

/**
 * One WATCH request of the pods in `scope` (one node's: field selector spec.nodeName), through
 * client-node's Watch (API Priority and Fairness holds no seats for it once its initial events are
 * sent). Starting it takes a token of the client's bucket and counts as I/O on the clock; the
 * stream itself does not, or a virtual clock could never move while a drain watches. Resolves once
 * the server has accepted the watch; a refusal rejects with a KubeApiError.
 */
async function openPodWatch(deps: PodWatchDeps, scope: PodScope, from: Record<string, string | boolean>, handlers: StreamHandlers): Promise<PodWatch> {
  const operation = `watch ${scopeName(scope)}`;
  let stopped = false;
  let ended = false;
  // Filled once the request is running; the callbacks can fire before that.
  const running: { controller?: AbortController } = {};
  const end = (error?: KubeApiError) => {
    if (stopped || ended) return;
    ended = true;
    running.controller?.abort();
    handlers.onEnd(error);
  };
  const query = { ...(scope === 'all' ? {} : { fieldSelector: `spec.nodeName=${scope.nodeName}` }), ...from, allowWatchBookmarks: true, timeoutSeconds: deps.timeoutSeconds };
  const onEvent = (type: string, object: unknown) => {
    if (stopped || ended) return;
    if (CHANGES.has(type)) handlers.onEvent({ type: type as PodWatchEvent['type'], pod: object as V1Pod });
    else if (type === 'ERROR') end(statusError(operation, object));
    // Any other BOOKMARK only moves the resourceVersion on, which the next change carries too.
    else if (type === 'BOOKMARK') handlers.onBookmark?.(object);
  };
  let refused: KubeApiError | undefined;
  await deps.bucket?.take('normal');
  running.controller = await deps.clock.io(() =>
    new Watch(deps.kc).watch('/api/v1/pods', query, onEvent, (err: unknown) => {
      if (!err) return end();
      if ((err as { name?: string }).name === 'AbortError') return end();
      const failure = connectFailure(operation, err, deps.clock.now());
      // Before the watch is running, a failure is the caller's to handle: reject instead.
      if (running.controller === undefined) refused = failure;
      else end(failure);
    }),
  );
  if (refused) throw refused;
  return {
    stop() {
      stopped = true;
      running.controller?.abort();
    },
  };
}

/** A watch ERROR event carries a Status (410 Expired when the resourceVersion is too old). */
function statusError(operation: string, object: unknown): KubeApiError {
  const status = object as { code?: unknown; reason?: unknown; message?: unknown } | undefined;
  const code = typeof status?.code === 'number' ? status.code : 500;
  const message = typeof status?.message === 'string' ? status.message : `HTTP ${code}`;
  return new KubeApiError(`${operation}: ${message}`, code, typeof status?.reason === 'string' ? status.reason : undefined);
}

/** client-node's Watch reports a refused request as an Error with `statusCode`, a socket failure as itself. */
function connectFailure(operation: string, err: unknown, nowMs: number): KubeApiError {
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number') return new KubeApiError(`${operation}: ${errorMessage(err)}`, statusCode, undefined, undefined, { cause: err });
  return classify(err, operation, nowMs, {}).error;
}
