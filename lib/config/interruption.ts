import { DEFAULT_RATE_LIMIT } from '../kube/token-bucket.ts';
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

export const NOTICE_KINDS = ['spot-interruption', 'rebalance-recommendation', 'scheduled-change', 'state-change', 'asg-lifecycle'] as const;

/** A label key or value as Kubernetes allows them (so a selector can never be malformed). */
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'a Kubernetes label key');
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, 'a Kubernetes label value');

/**
 * Nodes chosen by labels get their own action per kind of notice (e.g. drain on a rebalance
 * recommendation for the Spark executor pool, ignore it for the system pool). The first group
 * whose selector matches wins; kinds it does not name keep the defaults.
 */
const nodeGroupSchema = z
  .object({
    name: z.string().min(1),
    /** Every label must match (like a Kubernetes matchLabels selector); at least one. */
    matchLabels: z.record(labelKey, labelValue).refine((m) => Object.keys(m).length > 0, 'at least one label'),
    policies: z.partialRecord(z.enum(NOTICE_KINDS), z.object({ action: nodeActionSchema.optional(), forceDelete: z.boolean().optional() }).strict()),
  })
  .strict();
export type NodeGroup = z.infer<typeof nodeGroupSchema>;

/** The interruption function's timeout (deploy/interruption.ts): a drain hands over before it. */
export const INTERRUPTION_FUNCTION_TIMEOUT_SECONDS = 900;

export const interruptionConfigSchema = z
  .object({
    /**
     * Cap on concurrent interruption invocations (Lambda reserved concurrency), so a mass
     * interruption cannot flood the API servers with drains (each drain has up to `concurrency`
     * evictions in flight). Events over the cap wait in Lambda's queue and arrive late: leave it
     * unset unless the API servers need the protection more than late nodes need the warning.
     */
    reservedConcurrency: z.number().int().min(1).max(1000).optional(),
    nodeGroups: z.array(nodeGroupSchema).default([]),
    /**
     * The notice queue every interruption rule (and every continuation) sends to, and Lambda's
     * event source mapping that feeds it to the function in batches (docs/performance.md has the
     * measurements behind the defaults).
     */
    queue: z
      .object({
        /** Notices per invocation at most (the mapping's BatchSize; above 10 it needs a batching window). */
        batchSize: z.number().int().min(1).max(10_000).default(100),
        /** How long the mapping gathers notices before it invokes with fewer than batchSize (MaximumBatchingWindowInSeconds). */
        batchingWindowSeconds: z.number().int().min(0).max(300).default(1),
        /**
         * Invocations the mapping runs at once at most (ScalingConfig.MaximumConcurrency, 2–1,000);
         * unset, the mapping's own limit (1,000 batches). With apiRateLimit.qps, it bounds
         * Lifeguard's load on the API servers whatever arrives — at a price: an invocation holds
         * its place until its drains end (a minute or two), so when every place holds a batch,
         * further notices wait for one. A burst fills few, large batches either way; warnings
         * spread over a minute make many small ones (docs/performance.md has both).
         */
        maximumConcurrency: z.number().int().min(2).max(1000).optional(),
        /**
         * How long a received notice stays hidden from other invocations (the queue's
         * VisibilityTimeout): at least the function's timeout (Lambda refuses less), and by AWS's
         * guidance six times it, so a throttled batch can be retried. Failed notices come back
         * sooner: retryDelaySeconds.
         */
        visibilityTimeoutSeconds: z.number().int().min(INTERRUPTION_FUNCTION_TIMEOUT_SECONDS).max(43_200).default(6 * INTERRUPTION_FUNCTION_TIMEOUT_SECONDS),
        /** A notice received this many times without success goes to the queue's dead-letter queue (RedrivePolicy maxReceiveCount). */
        maxReceiveCount: z.number().int().min(1).max(1000).default(10),
        /** How long an unhandled notice is kept (MessageRetentionPeriod; SQS allows up to 14 days). */
        retentionDays: z.number().int().min(4).max(14).default(4),
        /**
         * A notice whose work failed comes back after this long, doubled with each receive (at
         * most 900 s): within a Spot warning's two minutes, not after the visibility timeout.
         */
        retryDelaySeconds: z.number().int().min(1).max(900).default(10),
      })
      .strict()
      .refine((q) => q.batchSize <= 10 || q.batchingWindowSeconds >= 1, {
        message: 'a batchSize above 10 needs a batchingWindowSeconds of at least 1 (Lambda refuses it otherwise)',
        path: ['batchingWindowSeconds'],
      })
      .prefault({}),
    /**
     * The Kubernetes client's own rate limit, per execution environment (each Lambda environment
     * has one client): sustained requests per second and the burst. The burst is small so that the
     * invocations of a pool reclaim, starting together, stay inside the API server's flow (a
     * 110-pod node's drain alone waits on it about 0.2 s; a burst of 120 had 429s and a 2.5 s cordon
     * P99 at N = 1,000 within 2 s).
     */
    apiRateLimit: z
      .object({ qps: z.number().min(1).max(10_000).default(DEFAULT_RATE_LIMIT.qps), burst: z.number().int().min(1).max(10_000).default(DEFAULT_RATE_LIMIT.burst) })
      .strict()
      .prefault({}),
    drain: z
      .object({
        /** Evictions in flight at once, per node. */
        concurrency: z.number().int().min(1).max(256).default(16),
        /**
         * Nodes one invocation drains at once (a batch of notices, a Health event listing many
         * instances); every node is cordoned first, the others wait their turn cordoned. All
         * drains of an invocation share its client's rate limit (apiRateLimit).
         */
        nodes: z.number().int().min(1).max(10_000).default(1000),
        /** Kept free before the deadline: evictions/deletions must fit in `deadline - margin`. */
        marginSeconds: z.number().min(0).max(60).default(5),
        /** How often the node's pods are re-listed while no watch runs (a server that refuses watches, or between re-watches). */
        pollIntervalSeconds: z.number().min(0.1).max(60).default(1),
        /** Backoff after a PDB refusal (429): jittered exponential from initial to max. */
        backoffInitialMs: z.number().int().min(10).default(500),
        backoffMaxMs: z.number().int().min(10).default(8000),
        /**
         * Without a deadline (an Auto Scaling lifecycle hook, a rebalance under a drain policy),
         * keep draining for at most this long from the cordon, across as many invocations as it
         * takes. Lifecycle hooks are heartbeaten meanwhile.
         */
        maxDrainMinutes: z.number().min(1).max(2880).default(60),
        /**
         * An invocation stops this long before the function's own timeout, records where the drain
         * stands on the node and hands it over to the next invocation, which it starts at once.
         */
        handOverSeconds: z.number().min(10).max(300).default(60),
        maxWaitSeconds: z
          .never({ error: 'replaced by maxDrainMinutes: drains now continue across invocations, so the 840 s cap is gone' })
          .optional(),
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
        'rebalance-recommendation': z
          .object({
            ...policyFields('cordon', false),
            /**
             * When no interruption follows within this long, Lifeguard reverts its own taint and
             * cordon (a node an admin had cordoned stays cordoned). 0: never revert.
             */
            revertAfterMinutes: z.number().min(0).max(10_080).default(30),
          })
          .strict()
          .prefault({}),
        'scheduled-change': z
          .object({
            ...policyFields('drain', false),
            /**
             * Act this many minutes before the change's start time. Health announces changes up to
             * two weeks ahead: the drain is scheduled (EventBridge Scheduler) for the minute that
             * ends at startTime − lead (Scheduler keeps minutes, not seconds: it starts 0–2 min early).
             */
            leadMinutes: z.number().min(1).max(20_160).default(30),
            /**
             * Reboot and maintenance changes: after the window (its endTime, or startTime + this
             * when Health gives none), uncordon once the node is back and Ready.
             */
            windowMinutes: z.number().min(1).max(1440).default(120),
            /** How often to look again while the node is not back yet... */
            returnCheckMinutes: z.number().min(1).max(60).default(5),
            /** ...and for how long, before leaving it cordoned with a warning. */
            returnTimeoutHours: z.number().min(1).max(168).default(24),
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
  .refine((c) => c.reservedConcurrency === undefined || (c.queue.maximumConcurrency !== undefined && c.reservedConcurrency >= c.queue.maximumConcurrency), {
    message:
      "a reservedConcurrency needs a queue.maximumConcurrency no larger than it: the queue's event source mapping does not count reserved concurrency and Lambda would throttle its invocations (queue.maximumConcurrency alone caps the function's load)",
    path: ['reservedConcurrency'],
  })
  .prefault({});

export type InterruptionConfig = z.infer<typeof interruptionConfigSchema>;
export type InterruptionPolicies = InterruptionConfig['policies'];
