import { z } from 'zod';
import { DEFAULT_FLOW_CONTROL_OBJECTS, MANDATORY_PRIORITY_LEVELS, SUGGESTED_PRIORITY_LEVELS } from './apf/defaults.ts';
import { maxSeatsFor, planLevels } from './apf/levels.ts';
import type { FlowControlObject } from './apf/objects.ts';
import type { KubeOperation } from './faults.ts';
import { isStreamingList } from './watch.ts';

/**
 * The API server's limits as the emulator models them: API Priority and Fairness (APF) with
 * kube-apiserver's default FlowSchemas and priority levels (sandbox/kube/apf/defaults.ts), plus any
 * a manifest adds (Lifeguard's deploy/kubernetes-flowcontrol.yaml). Each request is classified by
 * the FlowSchemas, split into flows by their distinguisher, fair-queued in its level's bounded
 * queues, answered 429 + Retry-After beyond them or past the queue-wait limit, and costs seats and
 * service time. Defaults and their sources are in docs/performance.md ("The API server model").
 */

/** kube-apiserver --max-requests-inflight + --max-mutating-requests-inflight defaults (400 + 200): APF's server concurrency limit. */
export const SERVER_CONCURRENCY_LIMIT = 400 + 200;

/** nominalConcurrencyShares of the default Limited priority levels (flowcontrol v1): their sum divides the server's limit. */
export const PRIORITY_LEVEL_SHARES: Readonly<Record<string, number>> = Object.fromEntries(
  [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS].filter((l) => l.spec.limited).map((l) => [l.metadata.name, l.spec.limited!.nominalConcurrencyShares]),
);

/** NominalCL of a default level without any manifest. An IAM identity outside system groups lands in `global-default`: 49. */
export function nominalConcurrency(level: string, serverLimit = SERVER_CONCURRENCY_LIMIT): number {
  const settings = planLevels(DEFAULT_FLOW_CONTROL_OBJECTS, serverLimit).get(level);
  if (!settings) throw new Error(`nominalConcurrency: no default priority level ${JSON.stringify(level)}; there are ${Object.keys(PRIORITY_LEVEL_SHARES).join(', ')}`);
  return settings.concurrency;
}

export { maxSeatsFor };

export const apiLimitsSchema = z
  .object({
    /** The server's concurrency limit that APF divides among the priority levels (ServerCL). */
    serverConcurrency: z.number().int().min(1).max(100_000).default(SERVER_CONCURRENCY_LIMIT),
    /** Seats of `global-default`, the level an IAM identity lands in without Lifeguard's FlowSchemas (default: its NominalCL, 49). */
    concurrency: z.number().int().min(1).max(10_000).optional(),
    /** global-default's queues (default 128); a flow is dealt `handSize` of them (shuffle sharding) and joins the shortest. */
    queues: z.number().int().min(1).max(1024).optional(),
    /** global-default's hand size (default 6). */
    handSize: z.number().int().min(1).max(15).optional(),
    /** Requests one queue of global-default may hold (default 50); beyond it: 429. */
    queueLengthLimit: z.number().int().min(1).max(10_000).optional(),
    /** A request queued longer than this is rejected with 429 (kube-apiserver: a quarter of --request-timeout's 60 s). */
    queueWaitLimitMs: z.number().min(0).max(600_000).default(15_000),
    /** Retry-After sent with a 429. */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** LIST cost: one seat per this many objects the server must look at. */
    objectsPerSeat: z.number().min(1).default(100),
    /** Cap on one request's seats in global-default (default: the work estimator's rule for the level). */
    maxSeats: z.number().int().min(1).max(100).optional(),
    /** Service time per object a LIST looks at, on top of the base latency (modelled, not measured). */
    perObjectMs: z.number().min(0).max(1000).default(0.005),
    /** Service time grows with the seats in use in the request's level: × (1 + loadLatencyFactor × seatsInUse / concurrency). */
    loadLatencyFactor: z.number().min(0).max(100).default(1),
  })
  .strict()
  .refine((l) => l.handSize === undefined || l.queues === undefined || l.handSize <= l.queues, { message: 'handSize must be no larger than queues', path: ['handSize'] });

export type ApiLimitsOptions = z.input<typeof apiLimitsSchema>;
type ParsedLimits = z.output<typeof apiLimitsSchema>;

/** Server-wide settings, and global-default's seats, queuing and seat cap as they come out. */
export type ApiLimits = Omit<ParsedLimits, 'concurrency' | 'queues' | 'handSize' | 'queueLengthLimit' | 'maxSeats'> & {
  concurrency: number;
  queues: number;
  handSize: number;
  queueLengthLimit: number;
  maxSeats: number;
};

/** `parsed` applied to the configuration `objects` (default: kube-apiserver's own, without any manifest). */
export function resolveLimits(parsed: ParsedLimits, objects: readonly FlowControlObject[] = DEFAULT_FLOW_CONTROL_OBJECTS): ApiLimits {
  const globalDefault = planLevels(objects, parsed.serverConcurrency, parsed).get('global-default');
  const queuing = globalDefault?.queuing;
  if (!globalDefault || !queuing) throw new Error('limits: the global-default priority level must exist and queue (limitResponse.type Queue) for the emulator\'s limits to apply to it');
  if (queuing.handSize > queuing.queues) throw new Error(`limits: handSize: handSize must be no larger than queues (${queuing.queues})`);
  return { ...parsed, concurrency: globalDefault.concurrency, ...queuing, maxSeats: globalDefault.maxSeats };
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
export function estimateCost(operation: KubeOperation | undefined, query: URLSearchParams, counts: ResourceCounts, limits: Pick<ApiLimits, 'maxSeats' | 'concurrency' | 'objectsPerSeat'>): RequestCost {
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

/** Service time of a request that holds its seats now, `seatsInUse` and `concurrency` those of its level. */
export function serviceTimeMs(baseLatencyMs: number, cost: RequestCost, seatsInUse: number, limits: Pick<ApiLimits, 'concurrency' | 'perObjectMs' | 'loadLatencyFactor'>): number {
  const load = 1 + limits.loadLatencyFactor * (seatsInUse / limits.concurrency);
  return (baseLatencyMs + cost.objects * limits.perObjectMs) * load;
}
