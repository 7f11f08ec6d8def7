import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeApiHandlers } from './api.ts';
import type { FaultInjector, KubeOperation } from './faults.ts';
import { closeIdleConnections } from './idle-connections.ts';
import type { PriorityLevel, Rejection } from './flow-control.ts';
import { estimateCost, serviceTimeMs, type ApiLimits, type ResourceCounts } from './limits.ts';
import type { ApiMetrics } from './metrics.ts';
import type { UserInfo } from './rbac/authorizer.ts';
import type { AccessControl } from './rbac/access-control.ts';
import type { RequestAttributes } from './rbac/request-info.ts';
import { matchRoute } from './routes.ts';
import { ApiStatusError, badRequest, injectedFault, methodNotAllowed, pathNotFound, requestTooLarge, unsupportedMediaType, type StatusBody } from './status.ts';
import type { ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';
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
  /** The user its bearer token signed in (`system:anonymous` without one): API Priority and Fairness' flow. */
  flow?: string;
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
  /** With limits: the priority level every request goes through, and what a request costs. */
  flowControl?: { level: PriorityLevel; limits: ApiLimits; counts: () => ResourceCounts };
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
    const respond = async (raw: Buffer, delayMs: number, user: UserInfo): Promise<void> => {
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
        const { attributes, refusal } = access.authorize(user, method, path, url.searchParams);
        record.attributes = attributes;
        if (refusal) {
          store.emit({ actor: 'api', action: 'forbidden', detail: refusal.message });
          throw refusal;
        }
        if (match.kind === 'not-found') throw pathNotFound(path);
        if (match.kind === 'method-not-allowed') throw methodNotAllowed(method, path);
        const contentType = mediaType(req.headers['content-type']);
        const body = parseJsonBody(raw, method, contentType);
        if (watch) {
          // The stream outlives this request's seats, as APF releases a watch once it is set up.
          servePodWatch({ namespace: match.route.params.namespace, query: url.searchParams, watchList }, res, store, timers);
          record.status = 200;
          requests.push(record);
          return;
        }
        const response = handlers.handle({ route: match.route, query: url.searchParams, contentType, body });
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
    // APF's ByUser distinguisher: one flow per user name.
    const flow = user.name;
    record.flow = flow;
    metrics.request(operation, method, flow);
    if (!flowControl) {
      await respond(raw, latencyMs, user);
      return;
    }

    const { level, limits, counts } = flowControl;
    const cost = estimateCost(operation, url.searchParams, counts(), limits);
    const queuedAt = store.now();
    const admission = level.admit(flow, cost.seats);
    const outcome = admission.kind === 'queued' ? await timers.park(admission.ready) : admission;
    if (outcome.kind === 'rejected') {
      metrics.rejected(flow, outcome.reason);
      record.throttled = outcome.reason;
      record.status = 429;
      record.answeredAt = store.now();
      requests.push(record);
      store.emit({ actor: 'api', action: 'throttled', detail: `${outcome.reason}: ${method} ${path} (flow ${flow})` });
      sendTooManyRequests(res, limits.retryAfterSeconds);
      return;
    }
    metrics.queueWait(store.now() - queuedAt);
    metrics.seats(level.seatsInUse);
    try {
      await respond(raw, serviceTimeMs(latencyMs, cost, level.seatsInUse, limits), user);
    } finally {
      level.release(cost.seats);
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
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
