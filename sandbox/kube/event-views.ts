import type { EventObject } from './objects.ts';
import type { ApiResponse } from './routes.ts';
import { listResponse } from './list.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { notFound } from './status.ts';
import type { ClusterStore } from './store.ts';

/**
 * One store of Events, read through both APIs that serve it, as kube-apiserver does: an Event
 * written as events.k8s.io/v1 (Lifeguard's recorder) is the same object a core/v1 reader
 * (`kubectl describe node`, `kubectl get events`) lists, converted field by field
 * (pkg/apis/events/v1/conversion.go: regarding ↔ involvedObject, note ↔ message,
 * reportingController ↔ reportingComponent, deprecated* ↔ source, firstTimestamp, lastTimestamp, count).
 */

export type EventApi = 'v1' | 'events.k8s.io/v1';

/** The fields a core/v1 field selector may name, and their values (pkg/registry/core/event/strategy.go ToSelectableFields). */
export function eventFields(event: EventObject): Record<string, string> {
  const regarding = event.regarding ?? {};
  return {
    'involvedObject.kind': regarding.kind ?? '',
    'involvedObject.namespace': regarding.namespace ?? '',
    'involvedObject.name': regarding.name ?? '',
    'involvedObject.uid': regarding.uid ?? '',
    'involvedObject.apiVersion': regarding.apiVersion ?? '',
    'involvedObject.resourceVersion': regarding.resourceVersion ?? '',
    'involvedObject.fieldPath': regarding.fieldPath ?? '',
    reason: event.reason ?? '',
    reportingComponent: event.reportingController ?? '',
    // source.component, else the reporting controller.
    source: event.deprecatedSource?.component || event.reportingController || '',
    type: event.type ?? '',
    'metadata.name': event.metadata.name,
    'metadata.namespace': event.metadata.namespace,
  };
}

/** events.k8s.io/v1 field labels and the core field each selects (pkg/apis/events/v1 AddFieldLabelConversionsForEvent). */
const EVENTS_V1_FIELD_LABELS: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

const CORE_FIELDS = Object.keys(eventFields({ metadata: { name: '', namespace: '' }, regarding: {} } as EventObject));

/** The event as core/v1 serves it. */
export function coreEvent(event: EventObject) {
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: structuredClone(event.metadata),
    involvedObject: structuredClone(event.regarding),
    ...(event.reason ? { reason: event.reason } : {}),
    ...(event.note ? { message: event.note } : {}),
    source: structuredClone(event.deprecatedSource ?? {}),
    firstTimestamp: event.deprecatedFirstTimestamp ?? null,
    lastTimestamp: event.deprecatedLastTimestamp ?? null,
    ...(event.deprecatedCount ? { count: event.deprecatedCount } : {}),
    ...(event.type ? { type: event.type } : {}),
    eventTime: event.eventTime ?? null,
    ...(event.series ? { series: structuredClone(event.series) } : {}),
    ...(event.action ? { action: event.action } : {}),
    ...(event.related ? { related: structuredClone(event.related) } : {}),
    reportingComponent: event.reportingController ?? '',
    reportingInstance: event.reportingInstance ?? '',
  };
}

function view(event: EventObject, api: EventApi) {
  return api === 'v1' ? coreEvent(event) : structuredClone(event);
}

/** LIST of Events through either API, with its field selectors, label selector and pages. */
export function listEvents(store: ClusterStore, namespace: string | undefined, query: URLSearchParams, api: EventApi): ApiResponse {
  const selector = query.get('fieldSelector') ?? undefined;
  const fields =
    api === 'v1'
      ? parseFieldSelector(selector, CORE_FIELDS)
      : parseFieldSelector(selector, Object.keys(EVENTS_V1_FIELD_LABELS)).map((r) => ({ ...r, field: EVENTS_V1_FIELD_LABELS[r.field]! }));
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const items = [...store.events.values()]
    .filter((e) => namespace === undefined || e.metadata.namespace === namespace)
    .filter((e) => matchesLabels(labels, e.metadata.labels) && matchesFields(fields, eventFields(e)))
    .map((e) => view(e, api));
  return listResponse('EventList', api, items, query, store.currentResourceVersion);
}

/** GET of one Event through either API. */
export function getEvent(store: ClusterStore, namespace: string, name: string, api: EventApi): ApiResponse {
  const event = store.events.get(`${namespace}/${name}`);
  if (!event) throw notFound('events', name, api === 'v1' ? undefined : 'events.k8s.io');
  return { status: 200, body: view(event, api) };
}
