import { podFields } from './pod-fields.ts';
import type { PodRecord } from './objects.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

type Subscriber = (change: PodChange) => void;

const NODE_FIELD = 'spec.nodeName';

/** One change to one pod, as a watch replays it: the object as it was then, serialised once. */
export interface PodChange {
  resourceVersion: number;
  type: WatchEventType;
  /** The pod object at this change, as JSON. */
  json: string;
  namespace: string;
  labels: Record<string, string> | undefined;
  /** Selectable fields after the change, and before it (undefined for a new pod). */
  fields: Record<string, string>;
  previous: Record<string, string> | undefined;
}

/**
 * The pod changes a watch is served from: every change in resourceVersion order, the latest
 * `capacity` of them kept for watches that resume from a resourceVersion (like the API server's
 * watch cache; older ones get 410 Expired), and the live subscribers.
 */
export class PodChangeLog {
  private readonly kept: PodChange[] = [];
  private first = 0;
  /** The newest resourceVersion no longer kept: a watch from before it would miss changes. */
  private droppedUpTo = 0;
  private readonly subscribers = new Set<Subscriber>();
  /** Subscribers that only want the changes of pods bound to one node (a drain's watch), by node. */
  private readonly byNode = new Map<string, Set<Subscriber>>();
  private readonly lastFields = new WeakMap<PodRecord, Record<string, string>>();

  constructor(private readonly capacity = 20_000) {}

  record(type: WatchEventType, record: PodRecord): void {
    const pod = record.object;
    const fields = podFields(pod);
    const change: PodChange = {
      resourceVersion: Number(pod.metadata.resourceVersion),
      type,
      json: JSON.stringify(pod),
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels,
      fields,
      previous: this.lastFields.get(record),
    };
    this.lastFields.set(record, fields);
    this.kept.push(change);
    if (this.kept.length - this.first > this.capacity) this.droppedUpTo = this.kept[this.first++]!.resourceVersion;
    // Drop the expired head now and then, not on every change.
    if (this.first > this.capacity) {
      this.kept.splice(0, this.first);
      this.first = 0;
    }
    for (const subscriber of this.subscribers) subscriber(change);
    // A pod's node is set once (at binding): before and after name at most two nodes.
    const node = fields[NODE_FIELD];
    const nodeBefore = change.previous?.[NODE_FIELD];
    for (const subscriber of this.byNode.get(node ?? '') ?? []) subscriber(change);
    if (nodeBefore !== undefined && nodeBefore !== node) for (const subscriber of this.byNode.get(nodeBefore) ?? []) subscriber(change);
  }

  /** Changes after `resourceVersion`, or undefined when some of them are no longer kept. */
  since(resourceVersion: number): PodChange[] | undefined {
    if (resourceVersion < this.droppedUpTo) return undefined;
    const out: PodChange[] = [];
    for (let i = this.kept.length - 1; i >= this.first && this.kept[i]!.resourceVersion > resourceVersion; i--) out.push(this.kept[i]!);
    return out.reverse();
  }

  /** The newest resourceVersion a watch can no longer resume from. */
  get expiredUpTo(): number {
    return this.droppedUpTo;
  }

  /**
   * Calls `subscriber` with each change from now on; with `node`, only with changes of pods bound
   * to that node before or after the change (so a thousand drains' watches do not each look at
   * every change in the cluster).
   */
  subscribe(subscriber: Subscriber, node?: string): () => void {
    if (node === undefined) {
      this.subscribers.add(subscriber);
      return () => this.subscribers.delete(subscriber);
    }
    const set = this.byNode.get(node) ?? new Set<Subscriber>();
    this.byNode.set(node, set.add(subscriber));
    return () => {
      set.delete(subscriber);
      if (set.size === 0) this.byNode.delete(node);
    };
  }
}
