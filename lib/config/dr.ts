import { z } from 'zod';

/**
 * EMR clusters under disaster-recovery protection. (Owned by the DR work: extend freely.)
 */
export const emrClusterSchema = z
  .object({
    /** Logical name used in state machine input, metrics and alarms. */
    name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9\-_]*$/, 'letters, digits, - and _'),
    /** The running cluster (j-XXXXXXXX). */
    clusterId: z.string().regex(/^j-[A-Z0-9]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF'),
  })
  .strict();

export const drConfigSchema = z
  .object({
    clusters: z.array(emrClusterSchema).default([]),
  })
  .strict()
  .prefault({});

export type DrConfig = z.infer<typeof drConfigSchema>;
export type EmrClusterConfig = z.infer<typeof emrClusterSchema>;
