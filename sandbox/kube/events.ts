import { applyPatch, PATCH_CONTENT_TYPES, type PatchContentType } from './patch.ts';
import type { ApiRequest, ApiResponse } from './routes.ts';
import { alreadyExists, badRequest, invalid, notFound, unsupportedMediaType } from './status.ts';
import type { EventObject } from './objects.ts';
import type { ClusterStore } from './store.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The API server's validation of events.k8s.io/v1 Events, for the fields it checks. Lengths are
 * Go `len()` of a string: UTF-8 bytes (kube-apiserver pkg/apis/core/validation/events.go).
 */
function validate(event: Record<string, unknown>, namespace: string): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const metadata = isObject(event.metadata) ? event.metadata : {};
  const text = (field: string, max: number) => {
    const value = event[field];
    if (typeof value !== 'string' || value.length === 0) problems.push({ field, message: 'Required value' });
    else if (Buffer.byteLength(value, 'utf8') > max) problems.push({ field, message: `must be no more than ${max} characters` });
  };
  if (typeof metadata.name !== 'string' || !metadata.name) problems.push({ field: 'metadata.name', message: 'Required value' });
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) problems.push({ field: 'metadata.namespace', message: 'does not match the namespace of the request' });
  if (typeof event.eventTime !== 'string' || Number.isNaN(Date.parse(event.eventTime))) problems.push({ field: 'eventTime', message: 'Required value' });
  text('reportingController', 253);
  text('reportingInstance', 128);
  text('action', 128);
  text('reason', 128);
  if (typeof event.note === 'string' && Buffer.byteLength(event.note, 'utf8') > 1024) problems.push({ field: 'note', message: 'can have at most 1024 characters' });
  if (event.type !== 'Normal' && event.type !== 'Warning') problems.push({ field: 'type', message: 'Unsupported value: must be Normal or Warning' });
  if (!isObject(event.regarding)) problems.push({ field: 'regarding', message: 'Required value' });
  if (event.series !== undefined && (!isObject(event.series) || typeof event.series.count !== 'number' || event.series.count < 2)) {
    problems.push({ field: 'series.count', message: 'should be at least 2' });
  }
  return problems;
}

/** POST and PATCH of events.k8s.io/v1 Events, kept in the store (reads: event-views.ts). */
export function handleEventRequest(store: ClusterStore, request: ApiRequest): ApiResponse {
  const { params } = request.route;
  const namespace = params.namespace!;
  switch (request.route.operation) {
    case 'create-event': {
      if (!isObject(request.body)) throw badRequest('an Event body is required');
      const name = isObject(request.body.metadata) ? String(request.body.metadata.name ?? '') : '';
      const problems = validate(request.body, namespace);
      if (problems.length) throw invalid('Event', name, problems);
      const key = `${namespace}/${name}`;
      if (store.events.has(key)) {
        throw alreadyExists('events', name, 'events.k8s.io');
      }
      const event = { ...structuredClone(request.body), metadata: { ...(request.body.metadata as object), namespace, resourceVersion: store.nextResourceVersion(), creationTimestamp: new Date(store.now()).toISOString() } } as EventObject;
      store.events.set(key, event);
      return { status: 201, body: structuredClone(event) };
    }
    case 'patch-event': {
      const key = `${namespace}/${params.name!}`;
      const existing = store.events.get(key);
      if (!existing) throw notFound('events', params.name!, 'events.k8s.io');
      const contentType = request.contentType as PatchContentType | undefined;
      if (!contentType || !PATCH_CONTENT_TYPES.includes(contentType)) throw unsupportedMediaType(request.contentType ?? '', PATCH_CONTENT_TYPES);
      const patched = applyPatch(contentType, structuredClone(existing), request.body) as Record<string, unknown>;
      const problems = validate(patched, namespace);
      if (problems.length) throw invalid('Event', params.name!, problems);
      const event = { ...patched, metadata: { ...existing.metadata, resourceVersion: store.nextResourceVersion() } } as EventObject;
      store.events.set(key, event);
      return { status: 200, body: structuredClone(event) };
    }
    default:
      throw badRequest(`not an event write: ${request.route.operation}`);
  }
}
