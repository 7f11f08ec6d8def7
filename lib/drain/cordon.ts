import type { V1Node, V1Taint } from '@kubernetes/client-node';
import type { NoticeKind } from '../events/notice.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi } from '../kube/port.ts';
import type { Clock } from '../util/clock.ts';
import type { Log } from '../observability/log.ts';

export const INTERRUPTION_TAINT_KEY = 'lifeguard.io/interruption';
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
export const ANNOTATIONS = {
  eventId: 'lifeguard.io/event-id',
  deadline: 'lifeguard.io/deadline',
  kind: 'lifeguard.io/kind',
  cordonedAt: 'lifeguard.io/cordoned-at',
  /** Written when Lifeguard finished what the policy asked for the event: the completion marker. */
  drainedAt: 'lifeguard.io/drained-at',
} as const;

/** Conflicting writers (kubelet status, autoscalers) are common on a node; retry a few times only. */
const MAX_PATCH_ATTEMPTS = 5;

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule';

export interface CordonInput {
  nodeName: string;
  eventId: string;
  kind: NoticeKind;
  deadline: number | null;
  effect: TaintEffect;
  /** false for the `taint` action: keep the node schedulable for pods that tolerate the taint. */
  unschedulable: boolean;
  /** For actions that end at the cordon (no eviction): mark the event complete in the same patch. */
  complete?: boolean;
}

export type CordonStatus =
  /** First time this event touches the node: patched. */
  | 'cordoned'
  /** Same event, no completion marker: a retry of a partial attempt, to be resumed. */
  | 'resumed'
  /** Same event and already complete: a duplicate delivery; nothing was written. */
  | 'duplicate'
  /** The node no longer exists. */
  | 'node-gone';

export interface CordonResult {
  status: CordonStatus;
  /** Whether a patch was sent (false for duplicate, node-gone and a resume that found the taint). */
  patched: boolean;
  attempts: number;
  /** When the node was first cordoned for this event (epoch ms), from its annotation. */
  cordonedAt?: number;
  node?: V1Node;
}

/** RFC 6901: `~` → `~0`, `/` → `~1` in one path segment. */
export const pointerSegment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

const isoOrEmpty = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

function ourTaint(node: V1Node): { taint: V1Taint; index: number } | undefined {
  const taints = node.spec?.taints ?? [];
  const index = taints.findIndex((t) => t.key === INTERRUPTION_TAINT_KEY);
  const taint = taints[index];
  return taint ? { taint, index } : undefined;
}

/** A weaker notice (e.g. a rebalance after a Spot warning) never weakens what a stronger one did. */
function strongerEffect(existing: string | undefined, wanted: TaintEffect): TaintEffect {
  return existing === 'NoSchedule' ? 'NoSchedule' : wanted;
}

/** How this event stands on the node, judged from Lifeguard's own annotations and taint. */
export function cordonState(node: V1Node, input: CordonInput): 'fresh' | 'resume' | 'duplicate' {
  const annotations = node.metadata?.annotations ?? {};
  if (annotations[ANNOTATIONS.eventId] !== input.eventId) return 'fresh';
  return annotations[ANNOTATIONS.drainedAt] ? 'duplicate' : 'resume';
}

/** True when the node already carries what this event needs (taint, and cordon when asked). */
function alreadyApplied(node: V1Node, input: CordonInput): boolean {
  const taint = ourTaint(node)?.taint;
  if (!taint) return false;
  if (input.effect === 'NoSchedule' && taint.effect !== 'NoSchedule') return false;
  return !input.unschedulable || node.spec?.unschedulable === true;
}

/**
 * The single JSON patch that taints, cordons, labels and annotates the node, guarded by its
 * resourceVersion. Pure: also what a dry run shows.
 */
export function cordonPatch(node: V1Node, input: CordonInput, now: number): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const resourceVersion = node.metadata?.resourceVersion;
  if (resourceVersion !== undefined) ops.push({ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion });

  const existing = ourTaint(node);
  const taint: V1Taint = {
    key: INTERRUPTION_TAINT_KEY,
    value: input.kind,
    effect: strongerEffect(existing?.taint.effect, input.effect),
  };
  if (!node.spec?.taints) ops.push({ op: 'add', path: '/spec/taints', value: [taint] });
  else if (existing) ops.push({ op: 'replace', path: `/spec/taints/${existing.index}`, value: taint });
  else ops.push({ op: 'add', path: '/spec/taints/-', value: taint });

  // `add` on an existing member replaces it; /spec always exists on a node.
  if (input.unschedulable) ops.push({ op: 'add', path: '/spec/unschedulable', value: true });

  const labels = node.metadata?.labels;
  if (!labels) ops.push({ op: 'add', path: '/metadata/labels', value: { [EXCLUDE_FROM_LB_LABEL]: 'true' } });
  else ops.push({ op: 'add', path: `/metadata/labels/${pointerSegment(EXCLUDE_FROM_LB_LABEL)}`, value: 'true' });

  const previous = node.metadata?.annotations;
  const resuming = previous?.[ANNOTATIONS.eventId] === input.eventId;
  const cordonedAt = (resuming ? previous?.[ANNOTATIONS.cordonedAt] : undefined) || new Date(now).toISOString();
  const annotations: Record<string, string> = {
    [ANNOTATIONS.eventId]: input.eventId,
    [ANNOTATIONS.deadline]: isoOrEmpty(input.deadline),
    [ANNOTATIONS.kind]: input.kind,
    [ANNOTATIONS.cordonedAt]: cordonedAt,
  };
  if (input.complete) annotations[ANNOTATIONS.drainedAt] = new Date(now).toISOString();
  if (!previous) {
    ops.push({ op: 'add', path: '/metadata/annotations', value: annotations });
  } else {
    for (const [key, value] of Object.entries(annotations)) {
      ops.push({ op: 'add', path: `/metadata/annotations/${pointerSegment(key)}`, value });
    }
    // A new event starts a new drain: an older event's completion marker must not make it a no-op.
    if (!input.complete && previous[ANNOTATIONS.drainedAt] !== undefined) {
      ops.push({ op: 'remove', path: `/metadata/annotations/${pointerSegment(ANNOTATIONS.drainedAt)}` });
    }
  }
  return ops;
}

export const isConflict = (err: unknown): boolean =>
  err instanceof KubeApiError && (err.status === 409 || err.status === 422);

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Taints and cordons the node for one event, idempotently: a duplicate delivery writes nothing, a
 * retry of a partial attempt skips the patch when the node already carries it. A conflicting
 * write (409/422 on the resourceVersion test) re-reads the node and tries again, a bounded number
 * of times.
 */
export async function cordonNode(
  input: CordonInput,
  deps: { kube: KubeApi; clock: Clock; log: Log },
): Promise<CordonResult> {
  const { kube, clock, log } = deps;
  for (let attempt = 1; ; attempt++) {
    const node = await kube.getNode(input.nodeName);
    if (!node) {
      log.warn('node no longer exists; nothing to cordon', { node: input.nodeName, eventId: input.eventId });
      return { status: 'node-gone', patched: false, attempts: attempt - 1 };
    }
    const state = cordonState(node, input);
    const recordedAt = parseTime(node.metadata?.annotations?.[ANNOTATIONS.cordonedAt]);
    if (state === 'duplicate') {
      log.info('duplicate delivery: event already handled on this node; nothing to do', {
        node: input.nodeName,
        eventId: input.eventId,
        drainedAt: node.metadata?.annotations?.[ANNOTATIONS.drainedAt],
      });
      return { status: 'duplicate', patched: false, attempts: attempt - 1, cordonedAt: recordedAt, node };
    }
    if (state === 'resume' && alreadyApplied(node, input) && !input.complete) {
      log.info('resuming a partial attempt: node already tainted and cordoned', { node: input.nodeName, eventId: input.eventId });
      return { status: 'resumed', patched: false, attempts: attempt - 1, cordonedAt: recordedAt, node };
    }
    const now = clock.now();
    try {
      const patched = await kube.patchNode(input.nodeName, cordonPatch(node, input, now));
      const cordonedAt = parseTime(patched.metadata?.annotations?.[ANNOTATIONS.cordonedAt]) ?? now;
      log.info(input.unschedulable ? 'node tainted and cordoned' : 'node tainted', {
        node: input.nodeName,
        eventId: input.eventId,
        kind: input.kind,
        attempts: attempt,
      });
      return { status: state === 'resume' ? 'resumed' : 'cordoned', patched: true, attempts: attempt, cordonedAt, node: patched };
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_PATCH_ATTEMPTS) throw err;
      log.debug('node changed under the patch; re-reading', { node: input.nodeName, attempt });
    }
  }
}

/**
 * Writes the completion marker. Guarded by the event id, not the resourceVersion: only a newer
 * event taking the node over must stop it. Returns the time written, or null when that happened.
 */
export async function markDrained(
  nodeName: string,
  eventId: string,
  deps: { kube: KubeApi; clock: Clock; log: Log },
): Promise<number | null> {
  const { kube, clock, log } = deps;
  const eventIdPath = `/metadata/annotations/${pointerSegment(ANNOTATIONS.eventId)}`;
  for (let attempt = 1; ; attempt++) {
    const node = await kube.getNode(nodeName);
    if (!node) return null;
    if (node.metadata?.annotations?.[ANNOTATIONS.eventId] !== eventId) {
      log.warn('a newer event took the node over; not marking this one complete', { node: nodeName, eventId });
      return null;
    }
    const at = clock.now();
    try {
      await kube.patchNode(nodeName, [
        { op: 'test', path: eventIdPath, value: eventId },
        { op: 'add', path: `/metadata/annotations/${pointerSegment(ANNOTATIONS.drainedAt)}`, value: new Date(at).toISOString() },
      ]);
      return at;
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_PATCH_ATTEMPTS) throw err;
    }
  }
}
