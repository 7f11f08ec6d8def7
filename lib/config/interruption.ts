import { z } from 'zod';

/** What Lifeguard does to a node for one kind of notice. */
export const nodeActionSchema = z.enum(['ignore', 'taint', 'cordon', 'drain']);
export type NodeAction = z.infer<typeof nodeActionSchema>;

const policySchema = (action: NodeAction, forceDelete: boolean) =>
  z
    .object({
      action: nodeActionSchema.default(action),
      /** When the deadline leaves no room for a PDB-respecting eviction, delete with a clamped grace. */
      forceDelete: z.boolean().default(forceDelete),
    })
    .strict()
    .prefault({});

export const interruptionConfigSchema = z
  .object({
    drain: z
      .object({
        /** Evictions in flight at once, per node. */
        concurrency: z.number().int().min(1).max(256).default(16),
        /** Kept free before the deadline: evictions/deletions must fit in `deadline - margin`. */
        marginSeconds: z.number().min(0).max(60).default(5),
        /** How often the node's pods are re-listed while waiting for them to go. */
        pollIntervalSeconds: z.number().min(0.1).max(60).default(1),
        /** Backoff after a PDB refusal (429): jittered exponential from initial to max. */
        backoffInitialMs: z.number().int().min(10).default(500),
        backoffMaxMs: z.number().int().min(10).default(8000),
        /** Without a deadline (rebalance, lifecycle), give up waiting after this long. */
        maxWaitSeconds: z.number().min(1).default(600),
      })
      .strict()
      .prefault({}),
    policies: z
      .object({
        'spot-interruption': policySchema('drain', true),
        'rebalance-recommendation': policySchema('cordon', false),
        'scheduled-change': policySchema('cordon', false),
        'state-change': policySchema('drain', true),
        'asg-lifecycle': policySchema('drain', false),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type InterruptionConfig = z.infer<typeof interruptionConfigSchema>;
