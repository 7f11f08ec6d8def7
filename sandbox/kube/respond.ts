import type { KubeApiHandlers } from './api.ts';
import type { Exchange } from './exchange.ts';
import type { FaultInjector } from './faults.ts';
import type { ApiMetrics } from './metrics.ts';
import type { UserInfo } from './rbac/authorizer.ts';
import type { AccessControl } from './rbac/access-control.ts';
import type { RequestAttributes } from './rbac/request-info.ts';
import type { Route } from './routes.ts';
import { ApiStatusError, badRequest, injectedFault, methodNotAllowed, pathNotFound, unsupportedMediaType } from './status.ts';
import type { ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';
import { asTable, checkIncludeObject, negotiate, type ResponseForm } from './tables.ts';
import { servePodWatch } from './watch.ts';
import { internalError } from './exchange.ts';

/** What answering a request needs, once it has its turn. */
export interface Responder {
  store: ClusterStore;
  handlers: KubeApiHandlers;
  timers: Timers;
  faults?: FaultInjector | undefined;
  metrics: ApiMetrics;
  access: AccessControl;
  watchList: boolean;
}

const JSON_TYPES = ['application/json'];

function mediaType(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.split(';')[0]!.trim().toLowerCase();
}

function parseJsonBody(raw: Buffer, method: string, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  if (method !== 'PATCH' && contentType !== undefined && !JSON_TYPES.includes(contentType)) throw unsupportedMediaType(contentType, JSON_TYPES);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`malformed JSON body: ${(error as Error).message}`);
  }
}

/** Latency, injected faults, authorization, routing, the handler: what happens once the request executes. */
export async function respond(ex: Exchange, on: Responder, raw: Buffer, delayMs: number, user: UserInfo, requestInfo: RequestAttributes): Promise<void> {
  const fault = on.faults?.decide(ex.method, ex.path, ex.operation);
  await on.timers.delay(delayMs);
  if (fault?.kind === 'reset') return resetConnection(ex, on.store);
  if (fault?.kind === 'status') return answerInjectedStatus(ex, on, fault.status, fault.retryAfterSeconds);
  try {
    answerAuthorized(ex, on, raw, user, requestInfo);
  } catch (error) {
    if (error instanceof ApiStatusError) ex.answer(error.code, error.body, error.headers);
    else ex.answer(500, internalError(error));
  }
}

function resetConnection(ex: Exchange, store: ClusterStore): void {
  ex.record.fault = 'reset';
  ex.recordAnswered();
  store.emit({ actor: 'api', action: 'fault', detail: `connection reset: ${ex.method} ${ex.path}` });
  ex.req.socket.destroy();
}

function answerInjectedStatus(ex: Exchange, on: Responder, status: number, retryAfterSeconds: number): void {
  const error = injectedFault(status, retryAfterSeconds);
  ex.record.fault = 'status';
  on.store.emit({ actor: 'api', action: 'fault', detail: `${status}: ${ex.method} ${ex.path}` });
  on.metrics.injected(status);
  ex.answer(error.code, error.body, error.headers);
}

/** Authorizes, routes and answers; a refusal or a bad request is thrown as an ApiStatusError. */
function answerAuthorized(ex: Exchange, on: Responder, raw: Buffer, user: UserInfo, requestInfo: RequestAttributes): void {
  const { method, path, url, match } = ex;
  // Authorized before routing: a path the server does not serve is still refused first.
  const { attributes, refusal } = on.access.authorize(user, method, path, url.searchParams, requestInfo);
  ex.record.attributes = attributes;
  if (refusal) {
    on.store.emit({ actor: 'api', action: 'forbidden', detail: refusal.message });
    throw refusal;
  }
  if (match.kind === 'not-found') throw pathNotFound(path);
  if (match.kind === 'method-not-allowed') throw methodNotAllowed(method, path);
  const contentType = mediaType(ex.req.headers['content-type']);
  const body = parseJsonBody(raw, method, contentType);
  // GETs can be answered as a Table (kubectl get); anything that cannot be offered is a 406.
  const form = method === 'GET' && ex.operation !== 'discovery' ? negotiate(ex.req.headers.accept) : ({ as: 'object' } as const);
  if (ex.watch) return startWatch(ex, on, match.route, form);
  const response = on.handlers.handle({ route: match.route, query: url.searchParams, contentType, body, path, host: ex.req.headers.host ?? '' });
  if (form.as === 'table' && response.status === 200) {
    const table = asTable(response.body as Record<string, unknown>, { apiVersion: form.apiVersion, now: on.store.now(), includeObject: url.searchParams.get('includeObject') });
    ex.answer(200, table, table.kind === 'Table' ? { 'Content-Type': `application/json;as=Table;v=${form.apiVersion.split('/')[1]};g=meta.k8s.io` } : {});
    return;
  }
  ex.answer(response.status, response.body);
}

/** The stream outlives this request's seats, as APF releases a watch once it is set up. */
function startWatch(ex: Exchange, on: Responder, route: Route, form: ResponseForm): void {
  const table = form.as === 'table' ? { apiVersion: form.apiVersion, includeObject: ex.url.searchParams.get('includeObject') } : undefined;
  if (table) checkIncludeObject(table.includeObject);
  servePodWatch({ namespace: route.params.namespace, query: ex.url.searchParams, watchList: on.watchList, ...(table ? { table } : {}) }, ex.res, on.store, on.timers);
  // Recorded once set up; answeredAt stays the arrival.
  ex.record.status = 200;
  ex.keepRecord();
}
