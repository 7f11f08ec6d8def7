import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeOperation } from './faults.ts';
import type { RequestAttributes } from './rbac/request-info.ts';
import type { Rejection } from './flow-control.ts';
import { matchRoute, type RouteMatch } from './routes.ts';
import type { StatusBody } from './status.ts';
import type { ClusterStore } from './store.ts';
import { isWatchRequest } from './watch.ts';

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

/** One request in flight: what was asked, the route it matched, its record, and how to answer it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  path: string;
  match: RouteMatch;
  /** A LIST of pods with ?watch=true. */
  watch: boolean;
  operation: KubeOperation | undefined;
  record: RequestRecord;
  /** Sends a JSON answer and records it as answered now. */
  answer: (status: number, body: unknown, headers?: Record<string, string>) => void;
  /** Records the request as answered now, with what the record already says. */
  recordAnswered: () => void;
  /** Keeps the record as it stands (a watch, set up and streaming). */
  keepRecord: () => void;
}

/** Reads what a request asks for and matches its route; nothing is answered yet. */
export function openExchange(req: IncomingMessage, res: ServerResponse, store: ClusterStore, requests: RequestRecord[]): Exchange {
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
  const keepRecord = () => {
    requests.push(record);
  };
  const recordAnswered = () => {
    record.answeredAt = store.now();
    keepRecord();
  };
  const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
    record.status = status;
    recordAnswered();
    send(res, status, body, headers);
  };
  return { req, res, method, url, path, match, watch, operation, record, answer, recordAnswered, keepRecord };
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** kube-apiserver's own throttling answer: plain text and Retry-After, not a Status object. */
export function sendTooManyRequests(res: ServerResponse, retryAfterSeconds: number): void {
  const payload = 'Too many requests, please try again later.\n';
  res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(payload), 'Retry-After': String(retryAfterSeconds) });
  res.end(payload);
}

export function internalError(error: unknown): StatusBody {
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
