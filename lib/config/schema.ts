import { z } from 'zod';
import { eksClusterSchema } from './clusters.ts';
import { interruptionConfigSchema } from './interruption.ts';
import { drConfigSchema } from './dr.ts';

export const lifeguardConfigSchema = z
  .object({
    /** AWS region the stack is deployed to (defaults for clusters without one). */
    region: z.string().min(1).default('us-east-1'),
    /** EKS clusters whose nodes are protected from interruptions. */
    eks: z.array(eksClusterSchema).default([]),
    interruption: interruptionConfigSchema,
    dr: drConfigSchema,
    /** Source of Lifeguard's own events on the default event bus. */
    eventSource: z.string().min(1).default('lifeguard'),
  })
  .strict();

export type LifeguardConfig = z.infer<typeof lifeguardConfigSchema>;
