import { z } from 'zod';
import { didYouMean } from '../../lib/util/suggest.ts';
import { drScenarioSchema } from '../dr/scenario.ts';
import { apiLimitsSchema, faultOptionsSchema, nodeSpecSchema, pdbSpecSchema, podSpecSchema, watchCacheSizeSchema, watchListSchema } from '../kube/index.ts';
import { otherHandlerSchema } from './other-handler-schema.ts';
import { secondsSchema } from './seconds.ts';

const clusterSchema = z
  .object({
    name: z.string().min(1),
    nodes: z.array(nodeSpecSchema).min(1),
    pods: z.array(podSpecSchema).default([]),
    pdbs: z.array(pdbSpecSchema).default([]),
    api: z
      .object({
        /** Added to every API request, in simulated milliseconds. */
        latencyMs: z.number().min(0).max(10_000).default(0),
        /** Injected API failures: rate, statuses (HTTP codes or `reset`), retryAfterSeconds, only (operations). */
        faults: faultOptionsSchema.optional(),
        /**
         * API Priority and Fairness as EKS runs it by default (sandbox/kube/limits.ts; docs/performance.md);
         * override any field, or `false` for a server without limits. With limits, latencyMs is the
         * base service time of a request.
         */
        limits: z.union([z.literal(false), apiLimitsSchema]).prefault({}),
        /**
         * The API Priority and Fairness objects on the server: `default`, kube-apiserver's own (as on a
         * cluster whose administrator has not applied Lifeguard's); `lifeguard`, with
         * deploy/kubernetes-flowcontrol.yaml applied over them. Needs limits.
         */
        flowControl: z.enum(['default', 'lifeguard']).default('default'),
        /**
         * Streaming lists (the WatchList feature: a WATCH with sendInitialEvents) served, as EKS 1.32
         * and 1.34+ do by default; `false` refuses them with 422, as 1.33 does by default.
         */
        watchList: watchListSchema,
        /** Pod changes kept for watches that resume from a resourceVersion; a watch from before them gets 410 Expired. */
        watchCacheSize: watchCacheSizeSchema,
      })
      .strict()
      .refine((api) => api.limits !== false || api.flowControl === 'default', { message: 'flowControl: lifeguard needs limits (they are false)', path: ['flowControl'] })
      .prefault({}),
    /** A controller-owned pod comes back on another node this long after it is gone. */
    recreateDelaySeconds: z.number().min(0).optional(),
    /** ...and is Ready this long after that. */
    readyDelaySeconds: z.number().min(0).optional(),
    /**
     * Other handlers of the same Spot warnings on these nodes: Karpenter, EKS Auto Mode,
     * aws-node-termination-handler (docs/coexistence.md).
     */
    otherHandlers: z.array(otherHandlerSchema).default([]),
  })
  .strict();

const instanceId = z.string().regex(/^i-[0-9a-f]{8}([0-9a-f]{9})?$/, 'an EC2 instance id');

/** A scenario event step is one of these, told apart by the field that names what happens. */
const STEP_KINDS = {
  event: z
    .object({
      /** Simulated seconds from the scenario start (or a duration: "40s", "2m"). */
      at: secondsSchema.pipe(z.number().min(0)),
      /**
       * An EventBridge event as AWS sends it. `version`, `id`, `account`, `region`, `time` and
       * `resources` may be left out: the runner fills them in (time = the moment of delivery).
       */
      event: z.record(z.string(), z.unknown()),
      /** EventBridge delivers at least once: deliver this same event (same id) this many times... */
      copies: z.number().int().min(1).max(20).default(1),
      /** ...this many seconds apart. */
      copySpacingSeconds: z.number().min(0).max(3600).default(0.3),
      /**
       * `ignored`: the event is meant to match no rule or no node, or to be ignored by Lifeguard (and
       * must be). Without it, an event that does nothing fails the run (docs/scenarios.md).
       */
      expect: z.literal('ignored').optional(),
    })
    .strict(),
  // The world acting on its own.
  /** The instance goes away for good: its pods are killed, the node stays NotReady. */
  terminateInstance: z.object({ at: secondsSchema.pipe(z.number().min(0)), terminateInstance: instanceId }).strict(),
  /** The instance stops: its pods are killed, the node turns NotReady until it starts again. */
  stopInstance: z.object({ at: secondsSchema.pipe(z.number().min(0)), stopInstance: instanceId }).strict(),
  /** A stopped instance runs again: its node turns Ready. */
  startInstance: z.object({ at: secondsSchema.pipe(z.number().min(0)), startInstance: instanceId }).strict(),
  /** The instance reboots: down (pods killed, NotReady) for `downSeconds`, then Ready again. */
  rebootInstance: z
    .object({
      at: secondsSchema.pipe(z.number().min(0)),
      rebootInstance: instanceId,
      downSeconds: z.number().min(0).max(86_400).default(120),
    })
    .strict(),
};
type StepKind = keyof typeof STEP_KINDS;
const stepKinds = Object.keys(STEP_KINDS) as StepKind[];

/**
 * One step, checked against the kind its own field names, so a mistake is reported at its field
 * (`events.1.at: …`) instead of as a step that matches none of five shapes.
 */
const stepSchema = z.unknown().transform((raw, ctx): z.output<(typeof STEP_KINDS)[StepKind]> => {
  const fields = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
  const kind = stepKinds.find((k) => fields.includes(k));
  if (!kind) {
    const near = fields.map((f) => didYouMean(f, stepKinds)).find((k) => k !== undefined);
    ctx.addIssue({
      code: 'custom',
      message: `a step needs one of ${stepKinds.join(', ')}${fields.length ? ` (got ${fields.join(', ')}${near ? `; did you mean "${near}"?` : ''})` : ''}`,
    });
    return z.NEVER;
  }
  const parsed = STEP_KINDS[kind].safeParse(raw);
  if (parsed.success) return parsed.data;
  ctx.issues.push(...(parsed.error.issues as typeof ctx.issues));
  return z.NEVER;
});

/** The interruption function as Lambda runs it. */
const lambdaSchema = z
  .object({
    /** The function's timeout: a drain hands over to the next invocation before it. */
    timeoutSeconds: z.number().min(10).max(900).default(900),
    /** Retries of a failed asynchronous invocation (the function's maximumRetryAttempts). */
    maxRetries: z.number().int().min(0).max(2).default(2),
    /** The function's reserved concurrency (lifeguard.config.yaml `reservedConcurrency`); unset: the account's. */
    reservedConcurrency: z.number().int().min(1).max(10_000).optional(),
    /** The account's concurrent executions in the region (Lambda's default quota: 1,000). */
    accountConcurrency: z.number().int().min(1).max(100_000).default(1000),
    /** New execution environments Lambda adds per function in any 10 s (its scaling rate since 2023: 1,000). */
    scalingPer10Seconds: z.number().int().min(1).max(10_000).default(1000),
    /** A new execution environment's init time before its first invocation (modelled, not measured on Lambda). */
    coldStartMs: z.number().min(0).max(10_000).default(500),
    /** An event Lambda could not run within this age is dropped (maximumEventAgeInSeconds, default 6 h). */
    maximumEventAgeSeconds: z.number().int().min(60).max(21_600).default(21_600),
  })
  .strict()
  .prefault({});

/**
 * The notice queue and Lambda's event source mapping (sandbox/scenario/event-source-mapping.ts).
 * The deployed settings come from the scenario's `config` (`interruption.queue`); each can be
 * overridden here. The poller figures are AWS's documented behaviour for a standard queue. `false`:
 * no queue, EventBridge invokes the function once per event (the stack before the notice queue).
 */
const queueSchema = z.union([
  z.literal(false),
  z
    .object({
      batchSize: z.number().int().min(1).max(10_000).optional(),
      batchingWindowSeconds: z.number().int().min(0).max(300).optional(),
      maximumConcurrency: z.number().int().min(2).max(1000).optional(),
      visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).optional(),
      maxReceiveCount: z.number().int().min(1).max(1000).optional(),
      /** Batches the pollers process at once when messages first arrive (AWS: five). */
      initialConcurrency: z.number().int().min(1).max(1000).default(5),
      /** Concurrent batches the pollers add per minute while messages keep waiting (AWS: up to 300). */
      scalingPerMinute: z.number().int().min(1).max(10_000).default(300),
      /** Batches one event source mapping processes at once at most (AWS: 1,000). */
      maxConcurrentBatches: z.number().int().min(1).max(10_000).default(1000),
    })
    .strict(),
]);

/** 30 days: a Health event announced two weeks ahead can be rehearsed to its start and beyond. */
export const MAX_UNTIL_SECONDS = 30 * 86_400;

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Wall-clock time the simulation starts at (ISO 8601). */
    start: z.iso.datetime({ offset: true }).default('2026-01-01T00:00:00Z'),
    /** Seeds every random choice (fault injection, backoff jitter): same seed, same timeline. */
    seed: z.number().int().default(1),
    /** Lifeguard's configuration for this run (the same format as lifeguard.config.yaml). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** The Kubernetes cluster and its interruption events. */
    cluster: clusterSchema.optional(),
    events: z.array(stepSchema).default([]),
    /** Simulated seconds the Kubernetes part runs for (or a duration: "10m"). */
    until: secondsSchema.pipe(z.number().positive().max(MAX_UNTIL_SECONDS)).default(180),
    lambda: lambdaSchema,
    queue: queueSchema.prefault({}),
    /** EMR disaster recovery: clusters, subnets, target groups, triggers (see docs/scenarios.md). */
    emr: drScenarioSchema.optional(),
  })
  .strict()
  .refine((s) => s.cluster || s.emr, { message: 'a scenario needs a `cluster` (interruptions), an `emr` section (disaster recovery), or both' })
  .refine((s) => s.cluster || s.events.length === 0, { message: '`events` need a `cluster` to happen to', path: ['events'] });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = Scenario['events'][number];
