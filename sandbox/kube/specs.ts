import { z } from 'zod';
import { issuesInline } from '../../lib/util/zod-issues.ts';

/**
 * What a scenario file (and a test) says about the cluster. These are deliberately smaller than the
 * Kubernetes objects: the emulator turns them into full Node / Pod / PodDisruptionBudget objects
 * (sandbox/kube/objects.ts).
 */

const labelMapSchema = z.record(z.string().min(1), z.string());

const taintEffectSchema = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

export const taintSpecSchema = z
  .object({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: taintEffectSchema,
  })
  .strict();

export const tolerationSpecSchema = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().optional(),
    effect: taintEffectSchema.optional(),
  })
  .strict();

export const nodeSpecSchema = z
  .object({
    name: z.string().min(1),
    instanceId: z.string().regex(/^i-[0-9a-f]{8}([0-9a-f]{9})?$/, 'an EC2 instance id (i- and 8 or 17 hex digits)'),
    /** Availability Zone, e.g. us-east-1a. */
    zone: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an Availability Zone such as us-east-1a'),
    capacityType: z.enum(['SPOT', 'ON_DEMAND']).default('ON_DEMAND'),
    labels: labelMapSchema.default({}),
    taints: z.array(taintSpecSchema).default([]),
    unschedulable: z.boolean().default(false),
  })
  .strict();

const ownerKindSchema = z.enum(['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'Pod']);

export const podSpecSchema = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1).default('default'),
    /** The node the pod runs on. */
    node: z.string().min(1),
    labels: labelMapSchema.default({}),
    annotations: labelMapSchema.default({}),
    owner: z.union([z.object({ kind: ownerKindSchema, name: z.string().min(1) }).strict(), z.literal('none')]).default('none'),
    terminationGracePeriodSeconds: z.number().int().min(0).default(30),
    /** A preStop command (e.g. /opt/decom.sh); becomes lifecycle.preStop.exec.command. */
    preStop: z.string().min(1).optional(),
    /** Seconds the pod needs to exit once asked to terminate (preStop + shutdown); 0 = at once. */
    shutdownSeconds: z.number().min(0).default(0),
    priorityClassName: z.string().min(1).optional(),
    phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed']).default('Running'),
    /** A static pod's mirror (kubernetes.io/config.mirror annotation). */
    mirror: z.boolean().default(false),
    ready: z.boolean().default(true),
    tolerations: z.array(tolerationSpecSchema).default([]),
  })
  .strict();

const intOrPercentSchema = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+%$/, 'a percentage such as "50%"'),
]);

export const pdbSpecSchema = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1).default('default'),
    /** matchLabels of the budget's selector (at least one label: an empty selector would match no pod on eviction). */
    selector: labelMapSchema.refine((labels) => Object.keys(labels).length > 0, 'needs at least one label'),
    minAvailable: intOrPercentSchema.optional(),
    maxUnavailable: intOrPercentSchema.optional(),
  })
  .strict()
  .refine((pdb) => (pdb.minAvailable === undefined) !== (pdb.maxUnavailable === undefined), {
    message: 'set exactly one of minAvailable and maxUnavailable',
    path: ['minAvailable'],
  });

export type NodeSpec = z.input<typeof nodeSpecSchema>;
export type PodSpec = z.input<typeof podSpecSchema>;
export type PdbSpec = z.input<typeof pdbSpecSchema>;
export type ParsedNodeSpec = z.output<typeof nodeSpecSchema>;
export type ParsedPodSpec = z.output<typeof podSpecSchema>;
export type ParsedPdbSpec = z.output<typeof pdbSpecSchema>;
export type OwnerKind = z.infer<typeof ownerKindSchema>;

/** Parses with a message that names the offending field, e.g. `pod "web-1": owner.kind: Invalid option...`. */
export function parseSpec<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Error(`invalid ${what}: ${issuesInline(result.error, { value: input })}`);
}
