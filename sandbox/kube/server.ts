import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeApiHandlers } from './api.ts';
import type { FaultInjector } from './faults.ts';
import type { ApiPriorityAndFairness } from './apf/dispatcher.ts';
import { closeIdleConnections } from './idle-connections.ts';
import { internalError, openExchange, send, sendTooManyRequests, type Exchange, type RequestRecord } from './exchange.ts';
import { estimateCost, serviceTimeMs, type ApiLimits, type ResourceCounts } from './limits.ts';
import type { ApiMetrics } from './metrics.ts';
import type { UserInfo } from './rbac/authorizer.ts';
import type { AccessControl } from './rbac/access-control.ts';
import { requestAttributes, type RequestAttributes } from './rbac/request-info.ts';
import { loopbackHost, urlFor } from './listen.ts';
import { respond, type Responder } from './respond.ts';
import { ApiStatusError, requestTooLarge } from './status.ts';
import type { ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';

export type { RequestRecord } from './exchange.ts';

export interface FlowControl {
  apf: ApiPriorityAndFairness;
  limits: ApiLimits;
  counts: () => ResourceCounts;
}

export interface HttpServerOptions extends Responder {
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
  flowControl?: FlowControl;
  /** A loopback address (checked by loopbackHost) and a port; default 127.0.0.1 and any free port. */
  listen?: { host: string; port: number };
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;

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

/** The body, or undefined once a body too large has been answered 413 (or the connection dropped). */
async function bodyOf(ex: Exchange): Promise<Buffer | undefined> {
  try {
    return await readBody(ex.req);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      const tooLarge = requestTooLarge(MAX_BODY_BYTES);
      ex.answer(tooLarge.code, tooLarge.body);
    } else {
      ex.res.destroy();
    }
    return undefined;
  }
}

/** One request: its body, who is asking, then its turn (under flow control) and its answer. */
async function serve(ex: Exchange, options: HttpServerOptions): Promise<void> {
  const { access, metrics, flowControl, latencyMs } = options;
  const raw = await bodyOf(ex);
  if (raw === undefined) return;
  // Authentication comes before flow control: a token nobody issued takes no seat.
  const user = access.authenticate(ex.req.headers.authorization);
  if (user instanceof ApiStatusError) {
    ex.answer(user.code, user.body, user.headers);
    return;
  }
  ex.record.flow = user.name;
  metrics.request(ex.operation, ex.method, user.name);
  // kube-apiserver derives the request's attributes first (WithRequestInfo): APF classifies by them, RBAC judges them.
  const requestInfo = requestAttributes(ex.method, ex.path, ex.url.searchParams);
  if (!flowControl) await respond(ex, options, raw, latencyMs, user, requestInfo);
  else await respondInTurn(ex, options, flowControl, raw, user, requestInfo);
}

/** API Priority and Fairness: classified, queued for its seats (or 429), served at the level's pace, seats released. */
async function respondInTurn(ex: Exchange, options: HttpServerOptions, flowControl: FlowControl, raw: Buffer, user: UserInfo, requestInfo: RequestAttributes): Promise<void> {
  const { store, timers, metrics, latencyMs } = options;
  const { record, operation } = ex;
  const { apf, limits, counts } = flowControl;
  const { schema, level, flow } = apf.classify(user, requestInfo);
  const { settings, queue } = level;
  record.flowSchema = schema;
  record.priorityLevel = settings.name;
  metrics.classified(settings.name, settings.concurrency);
  const cost = estimateCost(operation, ex.url.searchParams, counts(), { ...limits, maxSeats: settings.maxSeats, concurrency: Math.max(1, settings.concurrency) });
  if (!queue) {
    // The exempt level: no seats to wait for, no queue, no load on the level.
    record.queueWaitMs = 0;
    await respond(ex, options, raw, serviceTimeMs(latencyMs, cost, 0, { ...limits, concurrency: 1 }), user, requestInfo);
    return;
  }
  const queuedAt = store.now();
  const admission = queue.admit(flow, cost.seats);
  const outcome = admission.kind === 'queued' ? await timers.park(admission.ready) : admission;
  if (outcome.kind === 'rejected') {
    metrics.rejected(user.name, outcome.reason, settings.name);
    record.throttled = outcome.reason;
    record.status = 429;
    ex.recordAnswered();
    store.emit({ actor: 'api', action: 'throttled', detail: `${outcome.reason}: ${ex.method} ${ex.path} (priority level ${settings.name}, flow schema ${schema}, user ${user.name})` });
    sendTooManyRequests(ex.res, limits.retryAfterSeconds);
    return;
  }
  record.queueWaitMs = store.now() - queuedAt;
  metrics.dispatched(operation, ex.method, settings.name, record.queueWaitMs, queue.seatsInUse);
  metrics.seats(apf.seatsInUse);
  const dispatchedAt = store.now();
  try {
    await respond(ex, options, raw, serviceTimeMs(latencyMs, cost, queue.seatsInUse, { ...limits, concurrency: queue.concurrency }), user, requestInfo);
  } finally {
    metrics.seatTime(operation, cost.seats, store.now() - dispatchedAt);
    queue.release(cost.seats);
  }
}

/** The HTTP face of the emulator: body, who is asking and what they may do, latency, faults, routing, Status errors. */
export async function startHttpServer(options: HttpServerOptions): Promise<{ url: string; server: Server }> {
  const { store, timers, requests, idleConnectionMs } = options;
  const listen = { host: loopbackHost(options.listen?.host ?? '127.0.0.1'), port: options.listen?.port ?? 0 };
  // Idle connections are closed on the emulator's clock (closeIdleConnections), never on Node's real-time keepAliveTimeout.
  const server = createServer({ keepAliveTimeout: 0 }, (req, res) => {
    serve(openExchange(req, res, store, requests), options).catch((error: unknown) => {
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
