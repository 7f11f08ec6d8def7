import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CONTINUATION_TYPES, type ContinuationType } from './state.ts';

/** The key a continuation payload carries at its top level: how the handler tells it from an AWS event. */
export const CONTINUATION_KEY = 'lifeguard-continuation';

export const continuationSchema = z
  .object({
    type: z.enum(CONTINUATION_TYPES),
    /** The EKS cluster (config name) the node belongs to. */
    cluster: z.string().min(1),
    nodeName: z.string().min(1),
    instanceId: z.string().regex(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'an EC2 instance id'),
    /** The event the work belongs to (the node's lifecycle checks it is still current). */
    eventId: z.string().min(1),
    /** The original EventBridge event, trimmed to this instance: its notice decides the work. */
    event: z.record(z.string(), z.unknown()),
    /** Times this continuation was handed on (a drain resumed again, a node checked again). */
    round: z.number().int().min(0).max(10_000).default(0),
  })
  .strict();
export type Continuation = z.infer<typeof continuationSchema>;

export const isContinuationPayload = (event: unknown): event is Record<typeof CONTINUATION_KEY, unknown> =>
  typeof event === 'object' && event !== null && CONTINUATION_KEY in event;

export const continuationPayload = (c: Continuation): Record<string, unknown> => ({ [CONTINUATION_KEY]: c });

/**
 * The schedule's name: the type plus a digest of cluster, node and `key` (the Health eventArn for a
 * scheduled drain, so an updated event moves the same schedule; the event id otherwise). At most 64
 * characters of [0-9a-zA-Z-_.], as EventBridge Scheduler requires.
 */
export function scheduleName(type: ContinuationType, cluster: string, nodeName: string, key: string): string {
  const digest = createHash('sha256').update(JSON.stringify([cluster, nodeName, key])).digest('hex').slice(0, 32);
  return `lg-${type}-${digest}`;
}

/**
 * The event as a continuation carries it: only what the parsers read, and only this instance (a
 * Health event can list many instances and a long description).
 */
export function trimEvent(event: Record<string, unknown>, instanceId: string): Record<string, unknown> {
  const resources = Array.isArray(event.resources) ? event.resources.filter((r) => typeof r === 'string' && r.endsWith(instanceId)) : [];
  const detail = { ...(event.detail as Record<string, unknown>) };
  delete detail.eventDescription;
  if (Array.isArray(detail.affectedEntities)) {
    detail.affectedEntities = detail.affectedEntities.filter((e) => typeof e === 'object' && e !== null && (e as { entityValue?: unknown }).entityValue === instanceId);
  }
  return { ...event, resources, detail };
}
