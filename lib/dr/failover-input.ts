import { z } from 'zod';
import { RESUBMIT_STEPS } from '../config/dr.ts';
import { issuesInline } from '../util/zod-issues.ts';
import { LifeguardError } from '../util/errors.ts';

/**
 * What starts a failover (the state machine's input) and what its plan step receives: one schema
 * for the execution's validation, the plan handler and `lifeguard drill`.
 */
export const failoverInputSchema = z
  .object({
    cluster: z.string({ error: 'a configured EMR cluster name or j-ID is required' }).min(1),
    mode: z.enum(['failover', 'drill']).default('failover'),
    dryRun: z.boolean().optional(),
    /** Drill only: terminate the old cluster too (default: keep it). */
    retireOldCluster: z.boolean().optional(),
    /** Overrides dr.clusters[].resubmitSteps; a drill carries no step without it. */
    resubmitSteps: z.enum(RESUBMIT_STEPS).optional(),
    /**
     * When the alarm went into ALARM (the event's `detail.state.timestamp`, which CloudWatch writes
     * as `2026-03-01T12:00:00.000+0000`), for the RTO's alarm and detect phases.
     */
    detectedAt: z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'detectedAt: an ISO 8601 timestamp such as 2026-03-01T12:00:00.000+0000')
      .optional(),
  })
  .strict();

export type FailoverInput = z.output<typeof failoverInputSchema>;

export class InvalidFailoverInput extends LifeguardError {}

/** The input, validated; every problem named by its field. */
export function parseFailoverInput(raw: unknown): FailoverInput {
  const parsed = failoverInputSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidFailoverInput(`failover input is invalid: ${issuesInline(parsed.error, { value: raw ?? {}, schema: failoverInputSchema })}`);
  return parsed.data;
}
