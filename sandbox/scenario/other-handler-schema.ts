import { z } from 'zod';

/** The nodes a handler acts on, by their labels (every node when empty). */
const nodeSelectorSchema = z.record(z.string().min(1), z.string()).default({});

/**
 * Another handler of the same Spot warnings on the same nodes (docs/coexistence.md). Each models
 * what its project documents, no more: when it acts, what it taints, what it evicts and how.
 */
export const otherHandlerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Karpenter's interruption controller feeding its termination controller. */
      kind: z.literal('karpenter'),
      /**
       * Karpenter's `--interruption-queue` (Helm `settings.interruptionQueue`, env INTERRUPTION_QUEUE):
       * `false`, it is unset and Karpenter acts on no Spot warning.
       */
      interruptionQueue: z.boolean().default(true),
      /** Seconds from the warning to Karpenter's taint: its queue poll and the NodeClaim's deletion. */
      delaySeconds: z.number().min(0).max(600).default(1),
      /** The nodes Karpenter launched (its NodePools'); empty: every node. */
      nodeSelector: nodeSelectorSchema,
    })
    .strict(),
  z
    .object({
      /** EKS Auto Mode: Karpenter run by AWS, whose Spot interruption handling cannot be turned off. */
      kind: z.literal('eks-auto-mode'),
      delaySeconds: z.number().min(0).max(600).default(1),
      /** The nodes Auto Mode launched (`eks.amazonaws.com/compute-type: auto`); empty: every node. */
      nodeSelector: nodeSelectorSchema,
    })
    .strict(),
  z
    .object({
      /** aws-node-termination-handler. */
      kind: z.literal('nth'),
      /** `queue-processor` (a Deployment reading an SQS queue) or `imds` (a DaemonSet polling each node's metadata). */
      mode: z.enum(['queue-processor', 'imds']).default('queue-processor'),
      /** IMDS mode's ENABLE_SPOT_INTERRUPTION_DRAINING (default true). */
      enableSpotInterruptionDraining: z.boolean().default(true),
      /** Queue mode's ENABLE_SQS_TERMINATION_DRAINING: without it the queue processor drains nothing. */
      enableSqsTerminationDraining: z.boolean().default(true),
      /** CORDON_ONLY: cordon, and evict nothing. */
      cordonOnly: z.boolean().default(false),
      /** TAINT_NODE: also taint `aws-node-termination-handler/spot-itn` (TAINT_EFFECT, default NoSchedule). */
      taintNode: z.boolean().default(false),
      /** POD_TERMINATION_GRACE_PERIOD: the grace each eviction asks for; -1 keeps the pod's own. */
      podTerminationGracePeriod: z.number().int().min(-1).max(3600).default(-1),
      /** NODE_TERMINATION_GRACE_PERIOD: how long its drain keeps retrying evictions (default 120 s). */
      nodeTerminationGracePeriod: z.number().int().min(1).max(3600).default(120),
      /** Seconds from the warning to its cordon: its SQS long poll returns on arrival; IMDS mode polls every 2 s. */
      delaySeconds: z.number().min(0).max(600).default(1),
      /**
       * The nodes it handles: in IMDS mode the DaemonSet's nodeSelector, in queue mode the instances
       * carrying its managed tag (CHECK_TAG_BEFORE_DRAINING, MANAGED_TAG); empty: every node.
       */
      nodeSelector: nodeSelectorSchema,
    })
    .strict(),
]);

export type OtherHandler = z.output<typeof otherHandlerSchema>;
