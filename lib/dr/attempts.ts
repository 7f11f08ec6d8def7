import { z } from 'zod';
import { formatIssues } from '../util/zod-issues.ts';
import { LifeguardError } from '../util/errors.ts';
import { CLUSTER_GONE_STATES } from './cluster-states.ts';
import { FAILOVER_ERRORS } from './task-errors.ts';

/**
 * The replacement's attempts, one per zone: after each, whether it failed for capacity (so the
 * next fitting zone is worth a try), and the record that the execution's history, the `Failover
 * Completed`/`Failed` event and the RTO report carry.
 *
 * What counts as a capacity failure, from AWS's own words:
 * - EMR's ClusterStateChangeReason codes (API reference): INTERNAL_ERROR | VALIDATION_ERROR |
 *   INSTANCE_FAILURE | INSTANCE_FLEET_TIMEOUT | BOOTSTRAP_FAILURE | USER_REQUEST | STEP_FAILURE |
 *   ALL_STEPS_COMPLETED. A cluster that ends while starting with VALIDATION_ERROR or
 *   INSTANCE_FAILURE failed for capacity when its message says so; INSTANCE_FLEET_TIMEOUT is the
 *   fleets' provisioning timeout, which is capacity by definition ("stop provisioning instance
 *   capacity if the cluster exceeds a specified time threshold during cluster launch").
 * - A replacement still STARTING after POLL.clusterStartingMaxAttempts: EMR keeps asking EC2
 *   for capacity (the state machine's ClusterStillStarting), as EMR's insufficient-capacity event
 *   says it does.
 * - The messages: EMR's event "EC2 provisioning - Insufficient Instance Capacity" ("when the
 *   selected Availability Zone doesn't have enough capacity"), EC2's InsufficientInstanceCapacity
 *   ("We currently do not have sufficient m5.xlarge capacity in the Availability Zone you
 *   requested (us-east-1a)") and Unsupported ("Your requested instance type (m5.8xlarge) is not
 *   supported in your requested Availability Zone (us-east-1e)"), which EMR passes on in the
 *   reason's message or in RunJobFlow's error.
 */

const CAPACITY_MESSAGES = [
  /insufficient\s*(instance\s*)?capacity/i,
  /do(es)? not have (sufficient|enough) .*capacity/i,
  /instance type .*(is )?not supported in .*availability zone/i,
  /requested instance type .*(is )?not (available|supported)/i,
];
const CAPACITY_CODES = new Set(['VALIDATION_ERROR', 'INSTANCE_FAILURE']);
const TIMEOUT_CODE = 'INSTANCE_FLEET_TIMEOUT';

const taskError = z.object({ Error: z.string(), Cause: z.string().nullish() });
const placement = z.object({ zone: z.string(), subnetIds: z.array(z.string()) });
const record = z.object({
  zone: z.string(),
  subnetIds: z.array(z.string()),
  clusterId: z.string().nullable(),
  outcome: z.enum(['created', 'capacity', 'failed']),
  reason: z.string().nullable(),
  seconds: z.number(),
});

export const attemptInputSchema = z.object({
  placements: z.array(placement).min(1),
  attempts: z.object({ list: z.array(record), index: z.number().int().min(0) }),
  /** The attempt just made: where, since when, and RunJobFlow's error when it was refused. */
  attempt: z.object({ placement, startedAt: z.iso.datetime({ offset: true }), error: taskError.nullish() }),
  newCluster: z.object({ ClusterId: z.string() }).nullish(),
  /** The new cluster's last DescribeCluster status (`{ state, status }`), when it ended. */
  clusterStatus: z
    .object({
      state: z.string(),
      status: z.object({ StateChangeReason: z.object({ Code: z.string().nullish(), Message: z.string().nullish() }).nullish() }).passthrough(),
    })
    .nullish(),
  now: z.iso.datetime({ offset: true }),
  /** The execution's start and the time after which no new attempt may begin (seconds from the start). */
  startedAt: z.iso.datetime({ offset: true }),
  lastStartSeconds: z.number().min(0),
});

export type AttemptInput = z.input<typeof attemptInputSchema>;
export type AttemptRecord = z.output<typeof record>;

export interface Attempts {
  list: AttemptRecord[];
  /** The placement the next attempt uses. */
  index: number;
  /** Another zone is worth trying (the last attempt failed for capacity, a zone is left, time is left). */
  retry: boolean;
  /** Why creating failed for good (no retry after a failure): the failover's error. */
  error: { Error: string; Cause: string } | null;
}

export class InvalidAttemptInput extends LifeguardError {}

/** Capacity, from RunJobFlow's error or the ended cluster's reason; null when it is not. */
export function capacityReason(error: { Error: string; Cause?: string | null | undefined } | null | undefined, reason: { Code?: string | null | undefined; Message?: string | null | undefined } | null | undefined): string | null {
  if (error) {
    const text = `${error.Error}: ${error.Cause ?? ''}`;
    if (error.Error === FAILOVER_ERRORS.stillStarting) return text;
    return CAPACITY_MESSAGES.some((re) => re.test(text)) ? text : null;
  }
  const code = reason?.Code ?? '';
  const message = reason?.Message ?? '';
  if (code === TIMEOUT_CODE) return `${code}: ${message}`;
  if (CAPACITY_CODES.has(code) && CAPACITY_MESSAGES.some((re) => re.test(message))) return `${code}: ${message}`;
  return null;
}

/**
 * Records the attempt just made and says what comes next. Without a failure (no RunJobFlow error,
 * no cluster that ended) the attempt created the replacement.
 */
export function judgeAttempt(raw: unknown): Attempts {
  const parsed = attemptInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidAttemptInput(`attempt input is invalid:\n${formatIssues(parsed.error)}`);
  const input = parsed.data;
  const now = Date.parse(input.now);
  const seconds = Math.max(0, Math.round((now - Date.parse(input.attempt.startedAt)) / 100) / 10);
  const { zone, subnetIds } = input.attempt.placement;
  // RunJobFlow's error means no cluster; a cluster still starting exists (and is terminated).
  const clusterId = input.attempt.error && input.attempt.error.Error !== FAILOVER_ERRORS.stillStarting ? null : (input.newCluster?.ClusterId ?? null);
  const error = input.attempt.error ?? null;
  // A status that is not an end (WAITING: the replacement is up) is no failure.
  const ended = !error && input.clusterStatus && (CLUSTER_GONE_STATES as readonly string[]).includes(input.clusterStatus.state) ? input.clusterStatus : null;
  const base = { zone, subnetIds, clusterId, seconds };
  const index = input.attempts.index + 1;

  if (!error && !ended) {
    return { list: [...input.attempts.list, { ...base, outcome: 'created', reason: null }], index, retry: false, error: null };
  }
  const reasonCode = ended?.status.StateChangeReason;
  const capacity = capacityReason(error, reasonCode);
  const why = error ? `${error.Error}: ${error.Cause ?? ''}` : `${ended!.state}: ${reasonCode?.Code ?? 'no code'}: ${reasonCode?.Message ?? 'no message'}`;
  const list = [...input.attempts.list, { ...base, outcome: capacity ? ('capacity' as const) : ('failed' as const), reason: capacity ?? why }];
  if (!capacity) {
    // Not a zone's fault: another zone would fail the same way. The failover fails with the error it met.
    const failure = error
      ? { Error: error.Error, Cause: error.Cause ?? '' }
      : { Error: FAILOVER_ERRORS.clusterCreationFailed, Cause: JSON.stringify(ended!.status) };
    return { list, index, retry: false, error: failure };
  }
  const zonesLeft = index < input.placements.length;
  const timeLeft = now <= Date.parse(input.startedAt) + input.lastStartSeconds * 1000;
  if (zonesLeft && timeLeft) return { list, index, retry: true, error: null };
  const tried = list.filter((a) => a.outcome === 'capacity').map((a) => `${a.zone} (${a.reason})`).join('; ');
  const stop = zonesLeft
    ? `no time for another attempt: the failover's budget allows starting one only within ${input.lastStartSeconds} s of its start (${input.placements.slice(index).map((p) => p.zone).join(', ')} not tried)`
    : 'no fitting zone left';
  return { list, index, retry: false, error: { Error: FAILOVER_ERRORS.noCapacity, Cause: `no zone had capacity for the replacement: ${tried}; ${stop}` } };
}
