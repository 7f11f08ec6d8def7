import { createHash } from 'node:crypto';
import { V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';
import type { Log } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';
import { KubeApiError, type KubeApi } from './port.ts';
import { errorMessage } from '../util/errors.ts';
import { truncateUtf8, utf8Length } from '../util/utf8.ts';

/** What Lifeguard tells `kubectl describe` / `kubectl get events` about a node and its pods. */
export type EventReason =
  | 'Cordoned'
  | 'DrainStarted'
  | 'EvictionBlocked'
  | 'ForceDeleted'
  | 'Drained'
  | 'DrainHandedOver'
  | 'Reverted'
  | 'SparkDriverAtRisk';

export interface Regarding {
  kind: 'Node' | 'Pod';
  name: string;
  /** Pods only; a node's events go to the `default` namespace, as the kubelet's do. */
  namespace?: string;
  uid?: string;
}

export const REPORTING_CONTROLLER = 'lifeguard.io/interruption';

/**
 * The API server's limits on an Event's free-text fields (kube-apiserver
 * pkg/apis/core/validation/events.go: NoteLengthLimit 1024, ReportingInstanceLengthLimit 128),
 * checked with Go's `len()`: UTF-8 bytes, not characters.
 */
const NOTE_MAX_BYTES = 1024;
const REPORTING_INSTANCE_MAX_BYTES = 128;

/** A repeated event is patched (its series count) at most this often, and once more at the end. */
const SERIES_PATCH_EVERY_MS = 30_000;

interface Aggregate {
  namespace: string;
  name: string;
  count: number;
  /** Count last written to the API. */
  written: number;
  lastObserved: number;
  lastPatchAt: number;
  created: Promise<boolean>;
}

/**
 * Kubernetes Events (events.k8s.io/v1) for one unit of work, aggregated as Kubernetes does: the
 * first occurrence creates the Event, repeats only raise its `series.count` (patched at most every
 * 30 s, and once more by `flush`), so a PDB retry loop is one Event, not hundreds. The Event's
 * name is derived from the AWS event id, the object and the reason, so two invocations of one
 * event never make two. Best effort: a failure is logged and never stops the work.
 */
export class KubeEventRecorder {
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: { kube: KubeApi; clock: Clock; log: Log },
    private readonly source: { awsEventId: string; instance: string },
  ) {}

  record(regarding: Regarding, reason: EventReason, note: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    const key = `${regarding.kind}/${regarding.namespace ?? ''}/${regarding.name}/${reason}`;
    const now = this.deps.clock.now();
    const known = this.aggregates.get(key);
    if (known) {
      known.count++;
      known.lastObserved = now;
      if (now - known.lastPatchAt >= SERIES_PATCH_EVERY_MS) this.track(this.patchSeries(known));
      return;
    }
    const namespace = regarding.namespace ?? 'default';
    const name = `${regarding.name}.${createHash('sha256').update(`${this.source.awsEventId}/${key}`).digest('hex').slice(0, 16)}`;
    const body: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: new V1MicroTime(now),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: truncateUtf8(this.source.instance, REPORTING_INSTANCE_MAX_BYTES),
      action: 'Drain',
      reason,
      regarding: { apiVersion: 'v1', kind: regarding.kind, name: regarding.name, ...(regarding.namespace ? { namespace: regarding.namespace } : {}), ...(regarding.uid ? { uid: regarding.uid } : {}) },
      note: noteWithSource(note, this.source.awsEventId),
      type,
    };
    const created = this.deps.kube.createEvent(namespace, body).then(
      () => true,
      (err: unknown) => {
        // Another invocation of the same AWS event already recorded it: its record stands.
        if (!(err instanceof KubeApiError && err.status === 409)) this.warn(err, reason);
        return false;
      },
    );
    this.aggregates.set(key, { namespace, name, count: 1, written: 1, lastObserved: now, lastPatchAt: now, created });
    this.track(created);
  }

  /** Writes the counts not yet written and waits for every call in flight. */
  async flush(): Promise<void> {
    for (const aggregate of this.aggregates.values()) if (aggregate.count > aggregate.written) this.track(this.patchSeries(aggregate));
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async patchSeries(aggregate: Aggregate): Promise<void> {
    aggregate.lastPatchAt = this.deps.clock.now();
    if (!(await aggregate.created)) return;
    const count = aggregate.count;
    try {
      await this.deps.kube.patchEvent(aggregate.namespace, aggregate.name, [{ op: 'add', path: '/series', value: { count, lastObservedTime: new V1MicroTime(aggregate.lastObserved).toISOString() } }]);
      aggregate.written = Math.max(aggregate.written, count);
    } catch (err) {
      this.warn(err, aggregate.name);
    }
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private warn(err: unknown, what: string): void {
    this.deps.log.warn('could not record a Kubernetes event; the work goes on', { event: what, error: errorMessage(err) });
  }
}

/** The note cut to the API server's limit, keeping the AWS event id that closes it; `…` marks a cut. */
function noteWithSource(note: string, awsEventId: string): string {
  const source = ` (AWS event ${awsEventId})`;
  const room = NOTE_MAX_BYTES - utf8Length(source);
  const body = utf8Length(note) <= room ? note : `${truncateUtf8(note, room - utf8Length('…'))}…`;
  return truncateUtf8(`${body}${source}`, NOTE_MAX_BYTES);
}
