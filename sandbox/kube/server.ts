import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeApiHandlers } from './api.ts';
import type { FaultInjector, KubeOperation } from './faults.ts';
import type { ApiPriorityAndFairness } from './apf/dispatcher.ts';
import { closeIdleConnections } from './idle-connections.ts';
import type { Rejection } from './flow-control.ts';
import { estimateCost, serviceTimeMs, type ApiLimits, type ResourceCounts } from './limits.ts';
import type { ApiMetrics } from './metrics.ts';
import type { UserInfo } from './rbac/authorizer.ts';
import type { AccessControl } from './rbac/access-control.ts';
import { requestAttributes, type RequestAttributes } from './rbac/request-info.ts';
import { loopbackHost, urlFor } from './listen.ts';
import { matchRoute } from './routes.ts';
import { ApiStatusError, badRequest, injectedFault, methodNotAllowed, pathNotFound, requestTooLarge, unsupportedMediaType, type StatusBody } from './status.ts';
import type { ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';
import { asTable, checkIncludeObject, negotiate } from './tables.ts';
import { isWatchRequest, servePodWatch } from './watch.ts';

/** One request as the emulator answered it. */
export interface RequestRecord {
  method: string;
  /** URL path, without the query string. */
  path: string;
  query: string;
  operation?: KubeOperation;
  /** HTTP status sent; 0 when the connection was reset on purpose. */
  status: number;
  /** Clock ms when the request arrived, and when it was answered. */
  at: number;
  answeredAt: number;
  /** Set when the answer was an injected fault. */
  fault?: 'status' | 'reset';
  /** The user its bearer token signed in (`system:anonymous` without one). */
  flow?: string;
  /** Under limits: the FlowSchema that matched the request, and the priority level it went to. */
  flowSchema?: string;
  priorityLevel?: string;
  /** Under limits: clock ms it waited in a queue of its level before it got its seats. */
  queueWaitMs?: number;
  /** What the RBAC authorizer judged; a refusal was answered 403. */
  attributes?: RequestAttributes;
  /** Set when flow control answered 429. */
  throttled?: Rejection;
}

export interface HttpServerOptions {
  store: ClusterStore;
  handlers: KubeApiHandlers;
  timers: Timers;
  latencyMs: number;
  faults?: FaultInjector | undefined;
  requests: RequestRecord[];
  metrics: ApiMetrics;
  /** Authentication and RBAC authorization of every request. */
  access: AccessControl;
  /** Streaming lists (WATCH with sendInitialEvents) served, or refused with 422 as without the WatchList feature. */
  watchList: boolean;
  /** A keep-alive connection that carried no request for this long (clock ms) is closed. */
  idleConnectionMs: number;
  /** With limits: API Priority and Fairness every request goes through, and what a request costs. */
  flowControl?: { apf: ApiPriorityAndFairness; limits: ApiLimits; counts: () => ResourceCounts };
  /** A loopback address (checked by loopbackHost) and a port; default 127.0.0.1 and any free port. */
  listen?: { host: string; port: number };
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const JSON_TYPES = ['application/json'];

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

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

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** kube-apiserver's own throttling answer: plain text and Retry-After, not a Status object. */
function sendTooManyRequests(res: ServerResponse, retryAfterSeconds: number): void {
  const payload = 'Too many requests, please try again later.\n';
  res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(payload), 'Retry-After': String(retryAfterSeconds) });
  res.end(payload);
}

function internalError(error: unknown): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${(error as Error)?.message ?? String(error)}`,
    reason: 'InternalError',
    code: 500,
  };
}

/** The HTTP face of the emulator: body, who is asking and what they may do, latency, faults, routing, Status errors. */
export async function startHttpServer(options: HttpServerOptions): Promise<{ url: string; server: Server }> {
  const { store, handlers, timers, latencyMs, faults, requests, metrics, flowControl, watchList, access, idleConnectionMs } = options;
  const listen = { host: loopbackHost(options.listen?.host ?? '127.0.0.1'), port: options.listen?.port ?? 0 };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const at = store.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    const match = matchRoute(method, path);
    // A WATCH is a LIST with ?watch=true: the same route, its own operation.
    const watch = match.kind === 'route' && match.route.operation === 'list-pods' && isWatchRequest(url.searchParams);
    const operation = watch ? 'watch-pods' : match.kind === 'route' ? match.route.operation : undefined;
    const record: RequestRecord = { method, path, query: url.search, status: 0, at, answeredAt: at };
    if (operation) record.operation = operation;
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      record.answeredAt = store.now();
      requests.push(record);
      send(res, status, body, headers);
    };

    /** Latency, injected faults, authorization, routing, the handler: what happens once the request executes. */
    const respond = async (raw: Buffer, delayMs: number, user: UserInfo, requestInfo: RequestAttributes): Promise<void> => {
      const fault = faults?.decide(method, path, operation);
      await timers.delay(delayMs);

      if (fault?.kind === 'reset') {
        record.fault = 'reset';
        record.answeredAt = store.now();
        requests.push(record);
        store.emit({ actor: 'api', action: 'fault', detail: `connection reset: ${method} ${path}` });
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        const error = injectedFault(fault.status, fault.retryAfterSeconds);
        record.fault = 'status';
        store.emit({ actor: 'api', action: 'fault', detail: `${fault.status}: ${method} ${path}` });
        metrics.injected(fault.status);
        answer(error.code, error.body, error.headers);
        return;
      }

      try {
        // Authorized before routing: a path the server does not serve is still refused first.
        const { attributes, refusal } = access.authorize(user, method, path, url.searchParams, requestInfo);
        record.attributes = attributes;
        if (refusal) {
          store.emit({ actor: 'api', action: 'forbidden', detail: refusal.message });
          throw refusal;
        }
        if (match.kind === 'not-found') throw pathNotFound(path);
        if (match.kind === 'method-not-allowed') throw methodNotAllowed(method, path);
        const contentType = mediaType(req.headers['content-type']);
        const body = parseJsonBody(raw, method, contentType);
        // GETs can be answered as a Table (kubectl get); anything that cannot be offered is a 406.
        const form = method === 'GET' && operation !== 'discovery' ? negotiate(req.headers.accept) : ({ as: 'object' } as const);
        if (watch) {
          // The stream outlives this request's seats, as APF releases a watch once it is set up.
          const table = form.as === 'table' ? { apiVersion: form.apiVersion, includeObject: url.searchParams.get('includeObject') } : undefined;
          if (table) checkIncludeObject(table.includeObject);
          servePodWatch({ namespace: match.route.params.namespace, query: url.searchParams, watchList, ...(table ? { table } : {}) }, res, store, timers);
          record.status = 200;
          requests.push(record);
          return;
        }
        const response = handlers.handle({ route: match.route, query: url.searchParams, contentType, body, path, host: req.headers.host ?? '' });
        if (form.as === 'table' && response.status === 200) {
          const table = asTable(response.body as Record<string, unknown>, { apiVersion: form.apiVersion, now: store.now(), includeObject: url.searchParams.get('includeObject') });
          answer(200, table, table.kind === 'Table' ? { 'Content-Type': `application/json;as=Table;v=${form.apiVersion.split('/')[1]};g=meta.k8s.io` } : {});
          return;
        }
        answer(response.status, response.body);
      } catch (error) {
        if (error instanceof ApiStatusError) answer(error.code, error.body, error.headers);
        else answer(500, internalError(error));
      }
    };

    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        const tooLarge = requestTooLarge(MAX_BODY_BYTES);
        answer(tooLarge.code, tooLarge.body);
      } else {
        res.destroy();
      }
      return;
    }

    // Authentication comes before flow control: a token nobody issued takes no seat.
    const user = access.authenticate(req.headers.authorization);
    if (user instanceof ApiStatusError) {
      answer(user.code, user.body, user.headers);
      return;
    }
    record.flow = user.name;
    metrics.request(operation, method, user.name);
    // kube-apiserver derives the request's attributes first (WithRequestInfo): APF classifies by them, RBAC judges them.
    const requestInfo = requestAttributes(method, path, url.searchParams);
    if (!flowControl) {
      await respond(raw, latencyMs, user, requestInfo);
      return;
    }

    const { apf, limits, counts } = flowControl;
    const { schema, level, flow } = apf.classify(user, requestInfo);
    const { settings, queue } = level;
    record.flowSchema = schema;
    record.priorityLevel = settings.name;
    metrics.classified(settings.name, settings.concurrency);
    const cost = estimateCost(operation, url.searchParams, counts(), { ...limits, maxSeats: settings.maxSeats, concurrency: Math.max(1, settings.concurrency) });
    if (!queue) {
      // The exempt level: no seats to wait for, no queue, no load on the level.
      record.queueWaitMs = 0;
      await respond(raw, serviceTimeMs(latencyMs, cost, 0, { ...limits, concurrency: 1 }), user, requestInfo);
      return;
    }
    const queuedAt = store.now();
    const admission = queue.admit(flow, cost.seats);
    const outcome = admission.kind === 'queued' ? await timers.park(admission.ready) : admission;
    if (outcome.kind === 'rejected') {
      metrics.rejected(user.name, outcome.reason, settings.name);
      record.throttled = outcome.reason;
      record.status = 429;
      record.answeredAt = store.now();
      requests.push(record);
      store.emit({ actor: 'api', action: 'throttled', detail: `${outcome.reason}: ${method} ${path} (priority level ${settings.name}, flow schema ${schema}, user ${user.name})` });
      sendTooManyRequests(res, limits.retryAfterSeconds);
      return;
    }
    record.queueWaitMs = store.now() - queuedAt;
    metrics.dispatched(operation, method, settings.name, record.queueWaitMs, queue.seatsInUse);
    metrics.seats(apf.seatsInUse);
    const dispatchedAt = store.now();
    try {
      await respond(raw, serviceTimeMs(latencyMs, cost, queue.seatsInUse, { ...limits, concurrency: queue.concurrency }), user, requestInfo);
    } finally {
      metrics.seatTime(operation, cost.seats, store.now() - dispatchedAt);
      queue.release(cost.seats);
    }
  };

  // Idle connections are closed on the emulator's clock (closeIdleConnections), never on Node's real-time keepAliveTimeout.
  const server = createServer({ keepAliveTimeout: 0 }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, internalError(error));
      else res.destroy();
    });
  });
  closeIdleConnections(server, timers, () => store.now(), idleConnectionMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return { url: urlFor(address, port), server };
}
