import { z } from 'zod';

/** What Lifeguard does to a node for one kind of notice. */
export const nodeActionSchema = z.enum(['ignore', 'taint', 'cordon', 'drain']);
export type NodeAction = z.infer<typeof nodeActionSchema>;

const policyFields = (action: NodeAction, forceDelete: boolean) => ({
  /**
   * ignore: nothing; taint: lifeguard.io/interruption taint only; cordon: taint + unschedulable;
   * drain: taint + unschedulable + evict the node's pods (Spark executors first).
   */
  action: nodeActionSchema.default(action),
  /** When the deadline leaves no room for a PDB-respecting eviction, delete with a clamped grace. */
  forceDelete: z.boolean().default(forceDelete),
});

const policySchema = (action: NodeAction, forceDelete: boolean) =>
  z.object(policyFields(action, forceDelete)).strict().prefault({});

export const interruptionConfigSchema = z
  .object({
    /**
     * Cap on concurrent interruption invocations (Lambda reserved concurrency), so a mass
     * interruption cannot flood the API servers with drains (each drain has up to `concurrency`
     * evictions in flight). Events over the cap wait in Lambda's queue and arrive late: leave it
     * unset unless the API servers need the protection more than late nodes need the warning.
     */
    reservedConcurrency: z.number().int().min(1).max(1000).optional(),
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
        // Below the function's 900 s timeout, so the drain reports instead of being cut off.
        maxWaitSeconds: z.number().min(1).max(840, 'at most 840: the interruption function times out at 900 s').default(600),
      })
      .strict()
      .refine((d) => d.backoffMaxMs >= d.backoffInitialMs, {
        message: 'backoffMaxMs must be at least backoffInitialMs',
        path: ['backoffMaxMs'],
      })
      .prefault({}),
    policies: z
      .object({
        'spot-interruption': policySchema('drain', true),
        'rebalance-recommendation': policySchema('cordon', false),
        'scheduled-change': z
          .object({
            ...policyFields('drain', false),
            /**
             * Act this many minutes before the change's start time. Health announces changes up to
             * two weeks ahead: earlier than this, nothing is done to the node.
             */
            // The drain must fit in one invocation (900 s) until drains can be scheduled ahead.
            leadMinutes: z.number().min(1).max(14, 'at most 14: the drain must fit in the interruption function\'s 900 s').default(10),
          })
          .strict()
          .prefault({}),
        'state-change': policySchema('drain', true),
        'asg-lifecycle': z
          .object({
            ...policyFields('drain', false),
            /** RecordLifecycleActionHeartbeat this often while the drain holds the instance. */
            heartbeatIntervalSeconds: z.number().min(10).max(3600).default(60),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type InterruptionConfig = z.infer<typeof interruptionConfigSchema>;
export type InterruptionPolicies = InterruptionConfig['policies'];
