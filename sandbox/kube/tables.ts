import { coreEvent } from './event-views.ts';
import type { EventObject } from './objects.ts';
import { ApiStatusError, badRequest } from './status.ts';
import { DEFAULT_PRINTER, PRINTERS, type ColumnDefinition } from './table-rows.ts';

/**
 * Server-side printing: a GET or LIST whose Accept header asks for
 * `application/json;as=Table;v=v1;g=meta.k8s.io` (as `kubectl get` does) is answered with a
 * meta.k8s.io Table — column definitions, one row of cells per object, and each row's object as
 * PartialObjectMetadata unless `includeObject` says otherwise — the way the API server's
 * transformResponseObject answers it. Anything else gets the plain JSON object.
 */

export type ResponseForm = { as: 'object' } | { as: 'table'; apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' };

const JSON_RANGES = new Set(['application/json', 'application/*', '*/*']);
const OFFERED = 'application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io';

/** The first acceptable form in the client's order of preference; a 406 when there is none. */
export function negotiate(accept: string | undefined): ResponseForm {
  if (accept === undefined || accept.trim() === '') return { as: 'object' };
  const ranges = accept.split(',').map((range, index) => {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    const parameters = Object.fromEntries(params.map((p) => p.split('=').map((s) => s.trim())).filter((kv) => kv.length === 2)) as Record<string, string>;
    const q = parameters.q === undefined ? 1 : Number(parameters.q);
    return { type: (type ?? '').toLowerCase(), parameters, q: Number.isFinite(q) ? q : 0, index };
  });
  ranges.sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type, parameters, q } of ranges) {
    if (q <= 0 || !JSON_RANGES.has(type)) continue;
    if (parameters.as === undefined) return { as: 'object' };
    if (parameters.as === 'Table' && parameters.g === 'meta.k8s.io' && (parameters.v === 'v1' || parameters.v === 'v1beta1')) {
      return { as: 'table', apiVersion: `meta.k8s.io/${parameters.v}` };
    }
  }
  throw new ApiStatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `only the following media types are accepted: ${OFFERED}`,
    reason: 'NotAcceptable',
    code: 406,
  });
}

type Json = Record<string, unknown>;

export interface TableOptions {
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  /** Clock ms: ages are computed from it. */
  now: number;
  /** `includeObject`: Object, Metadata (the default) or None. */
  includeObject: string | null;
  /** Watch events after the first carry no column definitions (the server's NoHeaders). */
  noHeaders?: boolean;
}

/** `includeObject` is Object, Metadata, None or absent; anything else is a 400, as the server's TableOptions validation answers. */
export function checkIncludeObject(value: string | null): void {
  if (value !== null && !['None', 'Object', 'Metadata'].includes(value)) throw badRequest(`unrecognized includeObject value: "${value}"`);
}

function rowObject(object: Json, includeObject: string | null): Json | null {
  if (includeObject === 'None') return null;
  if (includeObject === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** The object or list as a Table; a body that is not an object or a list (a Status) is returned as it is. */
export function asTable(body: Json, options: TableOptions): Json {
  const kind = typeof body.kind === 'string' ? body.kind : '';
  const isList = kind.endsWith('List') && Array.isArray(body.items);
  const itemKind = isList ? kind.slice(0, -'List'.length) : kind;
  if (!itemKind || itemKind === 'Status') return body;
  const items = isList ? (body.items as Json[]) : [body];
  // Events print as the internal (core) type, whichever API served them.
  const printable = (item: Json) => (itemKind === 'Event' && (item.apiVersion ?? body.apiVersion) === 'events.k8s.io/v1' ? (coreEvent(item as unknown as EventObject) as unknown as Json) : item);
  checkIncludeObject(options.includeObject);
  const printer = PRINTERS[itemKind] ?? DEFAULT_PRINTER;
  const columnDefinitions: ColumnDefinition[] | null = options.noHeaders ? null : printer.columns;
  const listMeta = isList ? (body.metadata as Json) : { resourceVersion: (body.metadata as Json | undefined)?.resourceVersion };
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: listMeta,
    columnDefinitions,
    rows: items.map((item) => ({ cells: printer.cells(printable(item), options.now), object: rowObject(item, options.includeObject) })),
  };
}
