import type { KubeOperation } from './faults.ts';

/** What the emulator saw, for benches and scenario results. */
export interface ApiMetricsSnapshot {
  /** Requests answered (or reset), by "verb resource", e.g. "list pods", "patch nodes", "create pods/eviction". */
  requests: Record<string, number>;
  total: number;
  /** 429s sent by the flow-control model, by why: a full queue, or too long in a queue. */
  throttled: { queueFull: number; timeOut: number };
  /** 429s from injected faults (not flow control). */
  injected429: number;
  /** Most requests waiting in the priority level's queues at one time. */
  maxQueueDepth: number;
  /** Most seats in use at one time. */
  maxSeatsInUse: number;
  /** Longest time a dispatched request waited in a queue, in clock ms. */
  maxQueueWaitMs: number;
  /** TCP connections the server accepted. */
  connectionsOpened: number;
  /** Per flow (user): requests and 429s from flow control. */
  flows: Record<string, { requests: number; throttled: number }>;
  /** Seats × time held (clock ms) by dispatched requests, in all and by "verb resource": what the server spent on them. */
  seatMs: number;
  seatMsByVerb: Record<string, number>;
}

const VERB_RESOURCE: Record<KubeOperation, string> = {
  'list-nodes': 'list nodes',
  'get-node': 'get nodes',
  'patch-node': 'patch nodes',
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
};

const verbResource = (operation: KubeOperation | undefined, method: string) => (operation ? VERB_RESOURCE[operation] : `${method.toLowerCase()} (unknown path)`);

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
  private seatMs = 0;
  private readonly seatMsByVerb = new Map<string, number>();

  request(operation: KubeOperation | undefined, method: string, flow: string): void {
    const key = verbResource(operation, method);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.total++;
    this.flow(flow).requests++;
  }

  rejected(flow: string, reason: 'queue-full' | 'time-out'): void {
    if (reason === 'queue-full') this.throttled.queueFull++;
    else this.throttled.timeOut++;
    this.flow(flow).throttled++;
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
      seatMs: Math.round(this.seatMs),
      seatMsByVerb: Object.fromEntries(Object.entries(sorted(this.seatMsByVerb)).map(([k, v]) => [k, Math.round(v)])),
    };
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
