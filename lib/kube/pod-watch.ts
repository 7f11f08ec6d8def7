import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { classify } from './api-failure.ts';
import { KubeApiError, type PodWatch, type PodWatchEvent, type PodWatchHandlers } from './port.ts';
import type { TokenBucket } from './token-bucket.ts';

export interface PodWatchDeps {
  kc: KubeConfig;
  clock: Clock;
  bucket: TokenBucket | undefined;
  /** Asked of the server; it ends the stream then (onEnd without an error) and the caller re-watches. */
  timeoutSeconds: number;
}

const CHANGES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);

/**
 * A WATCH of the pods bound to one node, through client-node's Watch (one streaming request; API
 * Priority and Fairness holds no seats for it once it has started). Starting it takes a token of
 * the client's bucket and counts as I/O on the clock; the stream itself does not, or a virtual
 * clock could never move while a drain watches.
 */
export async function watchPodsOnNode(deps: PodWatchDeps, nodeName: string, resourceVersion: string, handlers: PodWatchHandlers): Promise<PodWatch> {
  const operation = `watch pods on ${nodeName}`;
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
  const query = { fieldSelector: `spec.nodeName=${nodeName}`, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: deps.timeoutSeconds };
  const onEvent = (type: string, object: unknown) => {
    if (stopped || ended) return;
    if (CHANGES.has(type)) handlers.onEvent({ type: type as PodWatchEvent['type'], pod: object as V1Pod });
    else if (type === 'ERROR') end(statusError(operation, object));
    // BOOKMARK: nothing changed but the resourceVersion, which the next change carries too.
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
  if (typeof statusCode === 'number') return new KubeApiError(`${operation}: ${(err as Error).message}`, statusCode);
  return classify(err, operation, nowMs, {}).error;
}
