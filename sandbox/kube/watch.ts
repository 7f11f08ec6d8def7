import type { ServerResponse } from 'node:http';
import type { PodChange, WatchEventType } from './pod-changes.ts';
import { POD_FIELDS, podFields } from './pod-fields.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelRequirement } from './selectors.ts';
import { badRequest, expired, invalid, type ApiStatusError } from './status.ts';
import { queryBool } from './query.ts';
import { asTable, type TableOptions } from './tables.ts';
import type { ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';

/** `?watch=true` (or True, 1, …: apimachinery's boolean) turns a LIST into a WATCH. */
export const isWatchRequest = (query: URLSearchParams): boolean => queryBool(query, 'watch');

/** kube-apiserver ends a watch after --min-request-timeout (1800 s) when the client sets no timeoutSeconds. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

export interface PodWatchRequest {
  namespace: string | undefined;
  query: URLSearchParams;
  /** The WatchList feature: streaming lists served (EKS 1.32, 1.34+) or refused with 422 (1.33, where it is off by default). */
  watchList: boolean;
  /** Each event's object as a one-row Table (`kubectl get pods -w`), column definitions on the first only, as the server sends them. */
  table?: { apiVersion: TableOptions['apiVersion']; includeObject: string | null };
}

/** The annotation of the BOOKMARK that ends a streaming list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** `sendInitialEvents=true`: the watch starts with the current state, then a bookmark (a streaming list). */
export const isStreamingList = (query: URLSearchParams): boolean => queryBool(query, 'sendInitialEvents');

/**
 * The ListOptions checks kube-apiserver makes on a WATCH (metainternalversion validation): a
 * streaming list needs `resourceVersionMatch=NotOlderThan` and `allowWatchBookmarks=true`;
 * without the WatchList feature, `sendInitialEvents` and `resourceVersionMatch` are forbidden on a
 * watch. Each refusal is a 422 Invalid naming the field.
 */
export function watchOptionsProblem(query: URLSearchParams, watchList: boolean): ApiStatusError | undefined {
  const problems: Array<{ field: string; message: string }> = [];
  const sendInitialEvents = query.get('sendInitialEvents');
  const match = query.get('resourceVersionMatch');
  if (!watchList) {
    if (sendInitialEvents !== null) problems.push({ field: 'sendInitialEvents', message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' });
    if (match !== null) problems.push({ field: 'resourceVersionMatch', message: 'resourceVersionMatch is forbidden for watch' });
  } else if (sendInitialEvents !== null) {
    if (match !== 'NotOlderThan') problems.push({ field: 'resourceVersionMatch', message: "sendInitialEvents requires setting resourceVersionMatch to 'NotOlderThan'" });
    if (!queryBool(query, 'allowWatchBookmarks')) problems.push({ field: 'allowWatchBookmarks', message: 'sendInitialEvents requires setting allowWatchBookmarks=true' });
  } else if (match !== null) {
    problems.push({ field: 'resourceVersionMatch', message: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  return problems.length > 0 ? invalid('ListOptions', '', problems) : undefined;
}

/**
 * Serves a pod WATCH as kube-apiserver does: a 200 whose body is one JSON watch event per line.
 * With a resourceVersion, every change after it that the selectors match, then live changes; an
 * object entering or leaving the selection is ADDED or DELETED to this watch. Without one (or
 * "0"), a synthetic ADDED per matching pod first. A resourceVersion older than the kept changes
 * gets one ERROR event (410 Expired) and the end of the stream. The stream ends at timeoutSeconds.
 * A streaming list (`sendInitialEvents=true`, checked by watchOptionsProblem before this) sends
 * an ADDED per matching pod as of now, then a BOOKMARK at the current resourceVersion annotated
 * `k8s.io/initial-events-end`, then live changes.
 *
 * Each write is tracked I/O until the socket has taken it, so a virtual clock does not move on
 * while an event is on its way to the client.
 */
export function servePodWatch(request: PodWatchRequest, res: ServerResponse, store: ClusterStore, timers: Timers): void {
  const { namespace, query } = request;
  const problem = watchOptionsProblem(query, request.watchList);
  if (problem) throw problem;
  const selection: PodSelection = {
    namespace,
    labels: parseLabelSelector(query.get('labelSelector') ?? undefined),
    fields: parseFieldSelector(query.get('fieldSelector') ?? undefined, POD_FIELDS),
  };
  const timeoutSeconds = optionalInteger(query, 'timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS;
  const streaming = isStreamingList(query);
  const from = query.get('resourceVersion');
  // A streaming list's resourceVersion is a lower bound on its initial state, which is always now here.
  const since = !streaming && from && from !== '0' ? optionalInteger(query, 'resourceVersion')! : undefined;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  // The client's watch starts on the headers; with nothing to send yet they must go now.
  res.flushHeaders();
  // Writes not yet taken by the socket; all released if the client goes away.
  const unflushed = new Set<() => void>();
  res.once('close', () => {
    for (const release of unflushed) release();
    unflushed.clear();
  });
  let headersSent = false;
  const asRow = (type: string, objectJson: string): string => {
    if (!request.table || (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED')) return objectJson;
    const table = asTable(JSON.parse(objectJson) as Record<string, unknown>, { ...request.table, now: store.now(), noHeaders: headersSent });
    headersSent = true;
    return JSON.stringify(table);
  };
  const send = (type: WatchEventType | 'BOOKMARK' | 'ERROR', pod: string) => {
    if (res.destroyed || res.writableEnded) return;
    const objectJson = asRow(type, pod);
    void timers.track(
      new Promise<void>((resolve) => {
        unflushed.add(resolve);
        res.write(`{"type":"${type}","object":${objectJson}}\n`, () => {
          unflushed.delete(resolve);
          resolve();
        });
      }),
    );
  };

  const unsubscribe = followPods(store, selection, since, send);
  if (unsubscribe && streaming) send('BOOKMARK', JSON.stringify(initialEventsEnd(store.currentResourceVersion)));
  if (!unsubscribe) {
    send('ERROR', JSON.stringify(expired(since!, store.podChanges.expiredUpTo + 1)));
    res.end();
    return;
  }
  const cancelTimeout = timers.after(timeoutSeconds * 1000, () => res.end());
  res.once('close', () => {
    unsubscribe();
    cancelTimeout();
  });
}

/** The bookmark that closes a streaming list's initial events: only kind, apiVersion and metadata are set. */
export function initialEventsEnd(resourceVersion: string) {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion, annotations: { [INITIAL_EVENTS_END]: 'true' } } };
}

/** Which pods one watch follows: its namespace (all when undefined) and its parsed selectors. */
export interface PodSelection {
  namespace: string | undefined;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/**
 * The events of one pod watch, whatever carries them. From `since`: every kept change after it
 * that the selection matches (undefined when some are no longer kept: the caller answers 410
 * Expired); without it, a synthetic ADDED per matching pod. Then live changes, until the returned
 * function unsubscribes. A pod entering or leaving the selection is ADDED or DELETED to this watch.
 */
export function followPods(
  store: ClusterStore,
  selection: PodSelection,
  since: number | undefined,
  send: (type: WatchEventType, objectJson: string) => void,
): (() => void) | undefined {
  const { namespace, labels, fields } = selection;
  const selects = (change: PodChange, f: Record<string, string> | undefined) =>
    f !== undefined && (namespace === undefined || change.namespace === namespace) && matchesLabels(labels, change.labels) && matchesFields(fields, f);
  const forward = (change: PodChange) => {
    const before = change.previous !== undefined && selects(change, change.previous);
    const now = change.type !== 'DELETED' && selects(change, change.fields);
    if (before || now) send(before && now ? 'MODIFIED' : now ? 'ADDED' : 'DELETED', change.json);
  };

  // A selector that pins the node (a drain's watch) needs only that node's pods and changes.
  const node = fields.find((r) => r.field === 'spec.nodeName' && r.op === '=')?.value;
  if (since === undefined) {
    // The node's pods in the order a scan of every pod meets them: the same events, without the scan.
    const candidates = node === undefined ? store.pods.values() : store.podsOnNodeInStoreOrder(node);
    for (const record of candidates) {
      const pod = record.object;
      if ((namespace === undefined || pod.metadata.namespace === namespace) && matchesLabels(labels, pod.metadata.labels) && matchesFields(fields, podFields(pod))) send('ADDED', JSON.stringify(pod));
    }
  } else {
    const backlog = store.podChanges.since(since);
    if (!backlog) return undefined;
    backlog.forEach(forward);
  }
  return store.podChanges.subscribe(forward, node);
}

function optionalInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name}: must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}
