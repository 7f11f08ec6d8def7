import type { V1Node } from '@kubernetes/client-node';
import { z } from 'zod';
import { annotationPath } from '../kube/json-pointer.ts';
import type { JsonPatchOp } from '../kube/port.ts';
import { LifeguardError } from '../util/errors.ts';
import { phaseAfter, PHASES, type Input } from './table.ts';
import { issuesInline } from '../util/zod-issues.ts';

/**
 * A node's lifecycle as Lifeguard sees it, kept on the Node object itself (no database): one JSON
 * annotation, validated on every read. `kubectl describe node` shows it.
 */
export const LIFECYCLE_ANNOTATION = 'lifeguard.io/lifecycle';

/** Work in the future, or longer than one invocation, delivered by a one-time schedule. */
export const CONTINUATION_TYPES = ['scheduled-drain', 'revert-rebalance', 'resume-drain', 'uncordon-after-maintenance'] as const;
export type ContinuationType = (typeof CONTINUATION_TYPES)[number];

const isoSchema = z.iso.datetime({ offset: true });

const pendingSchema = z
  .object({
    type: z.enum(CONTINUATION_TYPES),
    /** The one-time schedule that delivers it. */
    schedule: z.string().min(1),
    at: isoSchema,
    /** The event the work belongs to. */
    eventId: z.string().min(1),
  })
  .strict();
export type PendingAction = z.infer<typeof pendingSchema>;

const appliedSchema = z
  .object({
    /** Lifeguard's own taint is on the node (its effect). */
    taint: z.enum(['NoSchedule', 'PreferNoSchedule']).nullable(),
    /** Lifeguard set spec.unschedulable (false when the node was already cordoned by someone else). */
    cordon: z.boolean(),
    /** Lifeguard added the exclude-from-external-load-balancers label. */
    excludeLabel: z.boolean(),
  })
  .strict();
export type Applied = z.infer<typeof appliedSchema>;

/** How many event ids are remembered per node: enough to recognise a late redelivery. */
export const SEEN_EVENTS_KEPT = 20;

export const lifecycleSchema = z
  .object({
    phase: z.enum(PHASES),
    /** Why the node is in this phase, for a person reading the node. */
    reason: z.string(),
    applied: appliedSchema,
    pending: z.array(pendingSchema),
    /** Events already handled on this node, newest last. */
    seen: z.array(z.string().min(1)).max(SEEN_EVENTS_KEPT),
    /** Health events: eventArn → the event id that last scheduled or acted on it. */
    health: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type NodeLifecycle = z.infer<typeof lifecycleSchema>;

export const IDLE: NodeLifecycle = Object.freeze({
  phase: 'idle',
  reason: 'Lifeguard has not acted on this node',
  applied: { taint: null, cordon: false, excludeLabel: false },
  pending: [],
  seen: [],
  health: {},
}) as NodeLifecycle;

export class CorruptLifecycleError extends LifeguardError {}

/**
 * The node's lifecycle; IDLE when Lifeguard never wrote one. A record that does not validate is
 * an error naming the field: acting on a guess could undo what someone else did.
 */
export function readLifecycle(node: V1Node): NodeLifecycle {
  const raw = node.metadata?.annotations?.[LIFECYCLE_ANNOTATION];
  if (raw === undefined) return structuredClone(IDLE);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new CorruptLifecycleError(`annotation ${LIFECYCLE_ANNOTATION} on node ${node.metadata?.name ?? '?'} is not JSON; remove it to reset Lifeguard's record`, { cause: err });
  }
  const parsed = lifecycleSchema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptLifecycleError(
      `annotation ${LIFECYCLE_ANNOTATION} on node ${node.metadata?.name ?? '?'}: ${issuesInline(parsed.error, { value: json })}; remove it to reset Lifeguard's record`,
    );
  }
  return parsed.data;
}

/**
 * The record once the table's `input` is done: the phase that follows it (table.ts; an input the
 * table refuses throws), the other fields as `change` says. The one place a phase is written.
 */
export function recordAfter(state: NodeLifecycle, input: Input, change: Partial<Omit<NodeLifecycle, 'phase'>>): NodeLifecycle {
  return { ...state, ...change, phase: phaseAfter(state.phase, input) };
}

export type { Phase } from './table.ts';

/** Remembers an event id, newest last, dropping the oldest beyond SEEN_EVENTS_KEPT. */
export function withSeen(state: NodeLifecycle, eventId: string): string[] {
  return [...state.seen.filter((id) => id !== eventId), eventId].slice(-SEEN_EVENTS_KEPT);
}

/** The annotation value that records `state`. */
export const lifecycleAnnotation = (state: NodeLifecycle): Record<string, string> => ({ [LIFECYCLE_ANNOTATION]: JSON.stringify(state) });

/** The op that writes `state` on a node whose annotations map exists (e.g. it holds the lease). */
export const lifecycleOp = (state: NodeLifecycle): JsonPatchOp => ({ op: 'add', path: annotationPath(LIFECYCLE_ANNOTATION), value: JSON.stringify(state) });
