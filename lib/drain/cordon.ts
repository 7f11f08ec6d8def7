import type { V1Node, V1Taint } from '@kubernetes/client-node';
import type { Regarding } from '../kube/event-recorder.ts';
import type { NoticeKind } from '../events/notice.ts';
import type { Applied } from '../lifecycle/state.ts';
import { annotationOps, pointerSegment } from '../kube/json-pointer.ts';
import type { JsonPatchOp } from '../kube/port.ts';

export { pointerSegment };

export const INTERRUPTION_TAINT_KEY = 'lifeguard.io/interruption';
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The event Lifeguard is working on for the node, readable with `kubectl describe node`. */
export const ANNOTATIONS = {
  eventId: 'lifeguard.io/event-id',
  deadline: 'lifeguard.io/deadline',
  kind: 'lifeguard.io/kind',
  cordonedAt: 'lifeguard.io/cordoned-at',
  /** Written when Lifeguard finished what the policy asked for the event. */
  drainedAt: 'lifeguard.io/drained-at',
} as const;

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

/** What a cordon for `notice` on `nodeName` writes, from the policy's decision for the node. */
export const cordonInputOf = (
  nodeName: string,
  notice: { eventId: string; kind: NoticeKind },
  decision: { deadline: number | null; effect: TaintEffect; unschedulable: boolean; evict: boolean },
): CordonInput => ({
  nodeName,
  eventId: notice.eventId,
  kind: notice.kind,
  deadline: decision.deadline,
  effect: decision.effect,
  unschedulable: decision.unschedulable,
  complete: !decision.evict,
});

/** The node as a Kubernetes Event's `regarding`. */
export const nodeRef = (node: V1Node): Regarding => ({ kind: 'Node', name: node.metadata?.name ?? '', ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}) });

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

export function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the node was cordoned for the event it carries (epoch ms), from its annotation. */
export const cordonedAtOf = (node: V1Node): number | undefined => parseTime(node.metadata?.annotations?.[ANNOTATIONS.cordonedAt]);

/**
 * What Lifeguard will have done to the node after this cordon: only what it changed itself, so a
 * revert never uncordons a node an administrator cordoned, nor drops a label someone else set.
 */
export function cordonApplied(node: V1Node, before: Applied, input: CordonInput): Applied {
  return {
    taint: strongerEffect(ourTaint(node)?.taint.effect, input.effect),
    cordon: before.cordon || (input.unschedulable && node.spec?.unschedulable !== true),
    excludeLabel: before.excludeLabel || node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] === undefined,
  };
}

/**
 * The JSON-patch ops that taint, cordon, label and annotate the node for one event, plus any
 * `annotations` of the caller's (the lifecycle record, the lease). Pure: also what a dry run
 * shows. The caller guards the patch with the node's resourceVersion.
 */
export function cordonPatch(node: V1Node, input: CordonInput, now: number, annotations: Record<string, string> = {}): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const existing = ourTaint(node);
  const taint: V1Taint = { key: INTERRUPTION_TAINT_KEY, value: input.kind, effect: strongerEffect(existing?.taint.effect, input.effect) };
  if (!node.spec?.taints) ops.push({ op: 'add', path: '/spec/taints', value: [taint] });
  else if (existing) ops.push({ op: 'replace', path: `/spec/taints/${existing.index}`, value: taint });
  else ops.push({ op: 'add', path: '/spec/taints/-', value: taint });

  // `add` on an existing member replaces it; /spec always exists on a node.
  if (input.unschedulable) ops.push({ op: 'add', path: '/spec/unschedulable', value: true });

  if (!node.metadata?.labels) ops.push({ op: 'add', path: '/metadata/labels', value: { [EXCLUDE_FROM_LB_LABEL]: 'true' } });
  else ops.push({ op: 'add', path: `/metadata/labels/${pointerSegment(EXCLUDE_FROM_LB_LABEL)}`, value: 'true' });

  const previous = node.metadata?.annotations;
  const resuming = previous?.[ANNOTATIONS.eventId] === input.eventId;
  const cordonedAt = (resuming ? previous?.[ANNOTATIONS.cordonedAt] : undefined) || new Date(now).toISOString();
  const values: Record<string, string> = {
    [ANNOTATIONS.eventId]: input.eventId,
    [ANNOTATIONS.deadline]: isoOrEmpty(input.deadline),
    [ANNOTATIONS.kind]: input.kind,
    [ANNOTATIONS.cordonedAt]: cordonedAt,
    ...annotations,
  };
  if (input.complete) values[ANNOTATIONS.drainedAt] = new Date(now).toISOString();
  // A new event starts a new drain: an older event's completion marker must not make it look done.
  ops.push(...annotationOps(node, values, input.complete ? [] : [ANNOTATIONS.drainedAt]));
  return ops;
}

/**
 * Undoes what Lifeguard recorded it did (`applied`), nothing else: its own taint, the cordon if it
 * set it, the load-balancer label if it added it. The event annotations stay, as history.
 */
export function revertPatch(node: V1Node, applied: Applied, annotations: Record<string, string> = {}): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const existing = ourTaint(node);
  if (existing) {
    // The index is only right for this version of the node: guard it.
    ops.push({ op: 'test', path: `/spec/taints/${existing.index}/key`, value: INTERRUPTION_TAINT_KEY });
    ops.push({ op: 'remove', path: `/spec/taints/${existing.index}` });
  }
  if (applied.cordon && node.spec?.unschedulable === true) ops.push({ op: 'remove', path: '/spec/unschedulable' });
  if (applied.excludeLabel && node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] !== undefined) {
    ops.push({ op: 'remove', path: `/metadata/labels/${pointerSegment(EXCLUDE_FROM_LB_LABEL)}` });
  }
  ops.push(...annotationOps(node, annotations));
  return ops;
}
