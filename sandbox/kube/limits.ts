import { z } from 'zod';
import type { KubeOperation } from './faults.ts';
import { isStreamingList } from './watch.ts';

/**
 * The API server's limits as the emulator models them: one API Priority and Fairness (APF)
 * priority level that every request of the emulator falls into, split into flows by user (the
 * bearer token), with fair queuing, bounded queues, a queue-wait limit, 429 + Retry-After beyond
 * them, and a per-request cost in seats and service time. Defaults and their sources are in
 * docs/performance.md ("The API server model").
 */

/** kube-apiserver --max-requests-inflight + --max-mutating-requests-inflight defaults (400 + 200): APF's server concurrency limit. */
export const SERVER_CONCURRENCY_LIMIT = 400 + 200;
/** nominalConcurrencyShares of the suggested/mandatory priority levels (flowcontrol v1): their sum divides the server's limit. */
export const PRIORITY_LEVEL_SHARES = { system: 30, 'node-high': 40, 'leader-election': 10, 'workload-high': 40, 'workload-low': 100, 'global-default': 20, 'catch-all': 5 } as const;
const SHARE_SUM = Object.values(PRIORITY_LEVEL_SHARES).reduce((a, b) => a + b, 0);

/** NominalCL(level) = ceil(ServerCL × NCS(level) / ΣNCS). An IAM identity outside system groups lands in `global-default`. */
export function nominalConcurrency(level: keyof typeof PRIORITY_LEVEL_SHARES, serverLimit = SERVER_CONCURRENCY_LIMIT): number {
  return Math.ceil((serverLimit * PRIORITY_LEVEL_SHARES[level]) / SHARE_SUM);
}

/** The work estimator's cap on one request's seats: min(0.15 × NominalCL, NominalCL / handSize), at most 10, at least 1. */
export function maxSeatsFor(concurrency: number, handSize: number): number {
  return Math.max(1, Math.min(10, Math.floor(Math.min(0.15 * concurrency, concurrency / handSize))));
}

export const apiLimitsSchema = z
  .object({
    /** Seats of the priority level (default 49: global-default's NominalCL with the default server limit). */
    concurrency: z.number().int().min(1).max(10_000).default(nominalConcurrency('global-default')),
    /** Queues of the level; a flow is dealt `handSize` of them (shuffle sharding) and joins the shortest. */
    queues: z.number().int().min(1).max(1024).default(128),
    handSize: z.number().int().min(1).max(15).default(6),
    /** Requests one queue may hold; beyond it: 429. */
    queueLengthLimit: z.number().int().min(1).max(10_000).default(50),
    /** A request queued longer than this is rejected with 429 (kube-apiserver: a quarter of --request-timeout's 60 s). */
    queueWaitLimitMs: z.number().min(0).max(600_000).default(15_000),
    /** Retry-After sent with a 429. */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** LIST cost: one seat per this many objects the server must look at. */
    objectsPerSeat: z.number().min(1).default(100),
    /** Cap on one request's seats (default: the work estimator's rule for this level). */
    maxSeats: z.number().int().min(1).max(100).optional(),
    /** Service time per object a LIST looks at, on top of the base latency (modelled, not measured). */
    perObjectMs: z.number().min(0).max(1000).default(0.005),
    /** Service time grows with the seats in use: × (1 + loadLatencyFactor × seatsInUse / concurrency). */
    loadLatencyFactor: z.number().min(0).max(100).default(1),
  })
  .strict()
  .refine((l) => l.handSize <= l.queues, { message: 'handSize must be no larger than queues', path: ['handSize'] });

export type ApiLimitsOptions = z.input<typeof apiLimitsSchema>;
export type ApiLimits = z.output<typeof apiLimitsSchema> & { maxSeats: number };

export function resolveLimits(parsed: z.output<typeof apiLimitsSchema>): ApiLimits {
  return { ...parsed, maxSeats: parsed.maxSeats ?? maxSeatsFor(parsed.concurrency, parsed.handSize) };
}

/** What one request costs: seats held while it executes, and how long it executes. */
export interface RequestCost {
  seats: number;
  /** Objects a LIST looks at (a LIST of pods by field selector still walks the resource); 0 for single-object requests. */
  objects: number;
}

export interface ResourceCounts {
  pods: number;
  nodes: number;
  pdbs: number;
  events: number;
}

const LIST_RESOURCE: Partial<Record<KubeOperation, keyof ResourceCounts>> = { 'list-pods': 'pods', 'list-nodes': 'nodes', 'list-pdbs': 'pdbs', 'list-events': 'events' };

/**
 * The work estimator, simplified: a LIST's seats follow the number of objects the server must
 * process — the resource's whole count (a field or label selector filters after reading), or the
 * page size when a plain LIST asks for one — one seat per `objectsPerSeat`, capped; a streaming
 * list (a WATCH with sendInitialEvents) like a LIST; anything else is one seat.
 */
export function estimateCost(operation: KubeOperation | undefined, query: URLSearchParams, counts: ResourceCounts, limits: ApiLimits): RequestCost {
  // A streaming list holds seats only while it sends the initial state: APF estimates it as the LIST it replaces.
  const listed = operation === 'watch-pods' && isStreamingList(query) ? 'list-pods' : operation;
  const resource = listed ? LIST_RESOURCE[listed] : undefined;
  // One object: the base latency covers it.
  if (!resource) return { seats: 1, objects: 0 };
  let objects = counts[resource];
  const limit = Number(query.get('limit') ?? '');
  const filtered = Boolean(query.get('fieldSelector') || query.get('labelSelector'));
  if (!filtered && Number.isInteger(limit) && limit > 0) objects = Math.min(objects, limit);
  const seats = Math.min(limits.maxSeats, limits.concurrency, Math.max(1, Math.ceil(objects / limits.objectsPerSeat)));
  return { seats, objects };
}

/** Service time of a request that holds its seats now. */
export function serviceTimeMs(baseLatencyMs: number, cost: RequestCost, seatsInUse: number, limits: ApiLimits): number {
  const load = 1 + limits.loadLatencyFactor * (seatsInUse / limits.concurrency);
  return (baseLatencyMs + cost.objects * limits.perObjectMs) * load;
}
