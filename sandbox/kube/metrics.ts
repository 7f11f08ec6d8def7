import type { KubeOperation } from './faults.ts';
import type { Rejection } from './flow-control.ts';

/** What the emulator saw, for benches and scenario results. */
export interface ApiMetricsSnapshot {
  /** Requests answered (or reset), by "verb resource", e.g. "list pods", "patch nodes", "create pods/eviction". */
  requests: Record<string, number>;
  total: number;
  /** 429s sent by the flow-control model, by why: no room (a full queue, or no seat in a level that does not queue), or too long in a queue. */
  throttled: { queueFull: number; timeOut: number };
  /** 429s from injected faults (not flow control). */
  injected429: number;
  /** Most requests waiting in the priority levels' queues at one time. */
  maxQueueDepth: number;
  /** Most seats in use at one time, over every priority level. */
  maxSeatsInUse: number;
  /** Longest time a dispatched request waited in a queue, in clock ms. */
  maxQueueWaitMs: number;
  /** TCP connections the server accepted. */
  connectionsOpened: number;
  /** Per user: requests and 429s from flow control. */
  flows: Record<string, { requests: number; throttled: number }>;
  /** Per priority level a request went to: its seats, requests, 429s, the most seats it used and the longest wait in its queues. */
  levels: Record<string, LevelMetrics>;
  /** Time dispatched requests waited in a queue, by "verb resource" (e.g. "patch nodes": the cordon), in clock ms. */
  queueWaits: Record<string, { count: number; p50Ms: number; p99Ms: number; maxMs: number }>;
  /** Seats × time held (clock ms) by dispatched requests, in all and by "verb resource": what the server spent on them. */
  seatMs: number;
  seatMsByVerb: Record<string, number>;
}

export interface LevelMetrics {
  concurrency: number;
  requests: number;
  throttled: number;
  maxSeatsInUse: number;
  maxQueueWaitMs: number;
}

const VERB_RESOURCE: Record<KubeOperation, string> = {
  'list-nodes': 'list nodes',
  'get-node': 'get nodes',
  'patch-node': 'patch nodes',
  'put-node': 'update nodes',
  'list-pods': 'list pods',
  'watch-pods': 'watch pods',
  'get-pod': 'get pods',
  'delete-pod': 'delete pods',
  'evict-pod': 'create pods/eviction',
  'list-pdbs': 'list poddisruptionbudgets',
  'get-pdb': 'get poddisruptionbudgets',
  'create-event': 'create events',
  'patch-event': 'patch events',
  'list-events': 'list events',
  'list-core-events': 'list events (core/v1)',
  'get-core-event': 'get events (core/v1)',
  'list-daemonsets': 'list daemonsets',
  'get-daemonset': 'get daemonsets',
  'list-replicasets': 'list replicasets',
  'get-replicaset': 'get replicasets',
  'list-statefulsets': 'list statefulsets',
  'get-statefulset': 'get statefulsets',
  'list-deployments': 'list deployments',
  'get-deployment': 'get deployments',
  'list-leases': 'list leases',
  'get-lease': 'get leases',
  discovery: 'get (discovery)',
};

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  private total = 0;
  private readonly throttled = { queueFull: 0, timeOut: 0 };
  private injected429 = 0;
  private maxQueueDepth = 0;
  private maxSeatsInUse = 0;
  private maxQueueWaitMs = 0;
  private connectionsOpened = 0;
  private readonly flows = new Map<string, { requests: number; throttled: number }>();
  private readonly levels = new Map<string, LevelMetrics>();
  private readonly waits = new Map<string, number[]>();
  private seatMs = 0;
  private readonly seatMsByVerb = new Map<string, number>();

  request(operation: KubeOperation | undefined, method: string, flow: string): void {
    const key = verbResource(operation, method);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.total++;
    this.flow(flow).requests++;
  }

  /** A request classified into `level` (of `concurrency` seats). */
  classified(level: string, concurrency: number): void {
    this.level(level, concurrency).requests++;
  }

  rejected(flow: string, reason: Rejection, level?: string): void {
    if (reason === 'time-out') this.throttled.timeOut++;
    else this.throttled.queueFull++;
    this.flow(flow).throttled++;
    const entry = level === undefined ? undefined : this.levels.get(level);
    if (entry) entry.throttled++;
  }

  /** A request that got its seats after `waitMs` in a queue of `level`, where `levelSeats` are now in use. */
  dispatched(operation: KubeOperation | undefined, method: string, level: string, waitMs: number, levelSeats: number): void {
    const entry = this.levels.get(level);
    if (entry) {
      entry.maxSeatsInUse = Math.max(entry.maxSeatsInUse, levelSeats);
      entry.maxQueueWaitMs = Math.max(entry.maxQueueWaitMs, waitMs);
    }
    const key = verbResource(operation, method);
    let waits = this.waits.get(key);
    if (!waits) this.waits.set(key, (waits = []));
    waits.push(waitMs);
    this.queueWait(waitMs);
  }

  injected(status: number): void {
    if (status === 429) this.injected429++;
  }

  /** A dispatched request held `seats` for `ms` (queue wait excluded). */
  seatTime(operation: KubeOperation | undefined, seats: number, ms: number): void {
    const key = verbResource(operation, '');
    this.seatMs += seats * ms;
    this.seatMsByVerb.set(key, (this.seatMsByVerb.get(key) ?? 0) + seats * ms);
  }

  queueDepth(waiting: number): void {
    this.maxQueueDepth = Math.max(this.maxQueueDepth, waiting);
  }

  seats(inUse: number): void {
    this.maxSeatsInUse = Math.max(this.maxSeatsInUse, inUse);
  }

  queueWait(ms: number): void {
    this.maxQueueWaitMs = Math.max(this.maxQueueWaitMs, ms);
  }

  connection(): void {
    this.connectionsOpened++;
  }

  snapshot(): ApiMetricsSnapshot {
    const sorted = <T>(map: Map<string, T>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      requests: sorted(this.requests),
      total: this.total,
      throttled: { ...this.throttled },
      injected429: this.injected429,
      maxQueueDepth: this.maxQueueDepth,
      maxSeatsInUse: this.maxSeatsInUse,
      maxQueueWaitMs: this.maxQueueWaitMs,
      connectionsOpened: this.connectionsOpened,
      flows: Object.fromEntries(Object.entries(sorted(this.flows)).map(([k, v]) => [k, { ...v }])),
      levels: Object.fromEntries(Object.entries(sorted(this.levels)).map(([k, v]) => [k, { ...v }])),
      queueWaits: Object.fromEntries(Object.entries(sorted(this.waits)).map(([k, v]) => [k, summary(v)])),
      seatMs: Math.round(this.seatMs),
      seatMsByVerb: Object.fromEntries(Object.entries(sorted(this.seatMsByVerb)).map(([k, v]) => [k, Math.round(v)])),
    };
  }

  private level(name: string, concurrency: number): LevelMetrics {
    let entry = this.levels.get(name);
    if (!entry) {
      entry = { concurrency, requests: 0, throttled: 0, maxSeatsInUse: 0, maxQueueWaitMs: 0 };
      this.levels.set(name, entry);
    }
    return entry;
  }

  private flow(name: string): { requests: number; throttled: number } {
    let entry = this.flows.get(name);
    if (!entry) {
      entry = { requests: 0, throttled: 0 };
      this.flows.set(name, entry);
    }
    return entry;
  }
}

function verbResource(operation: KubeOperation | undefined, method: string): string {
  return operation ? VERB_RESOURCE[operation] : `${method.toLowerCase()} (unknown path)`;
}

/** Nearest-rank percentiles of the waits. */
function summary(waits: readonly number[]): { count: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...waits].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { count: sorted.length, p50Ms: rank(50), p99Ms: rank(99), maxMs: sorted.at(-1)! };
}
