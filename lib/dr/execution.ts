import { findEmrCluster, type DrConfig, type ResubmitSteps } from '../config/dr.ts';
import { InvalidFailoverInput, parseFailoverInput } from './failover-input.ts';
import { errorMessage } from '../util/errors.ts';

/**
 * The first step of a failover execution: validate the trigger's input against the configuration
 * and build the execution state every later state reads (lock, confirm counters, poll budgets,
 * empty result slots), so the state machine never follows a path that is not there.
 */

/** Longer than the state machine's own timeout (statemachines/failover.ts): a lock never outlives its holder by much. */
export const LOCK_TTL_SECONDS = 7200;

/**
 * Poll budgets: EMR usually reaches WAITING in 7–15 min, and leaves STARTING (EC2 provisioning)
 * within a few; an NLB sees a healthy target in ≤ 5 min. A replacement still STARTING after 15 min
 * is EMR waiting for EC2 capacity that the zone does not have: the attempt moves on.
 */
export const POLL = {
  clusterIntervalSeconds: 15,
  clusterMaxAttempts: 160,
  clusterStartingMaxAttempts: 60,
  targetIntervalSeconds: 10,
  targetMaxAttempts: 90,
} as const;

/** The state machine's own timeout (statemachines/failover.ts); LOCK_TTL_SECONDS is longer. */
export const FAILOVER_TIMEOUT_SECONDS = 5400;

/**
 * No attempt to create a replacement starts later than this after the execution's start: it must
 * still have the cluster's whole poll budget and the switch's before the state machine's timeout.
 */
export function lastAttemptStartSeconds(timeoutSeconds: number): number {
  const creating = POLL.clusterIntervalSeconds * POLL.clusterMaxAttempts;
  const switching = POLL.targetIntervalSeconds * POLL.targetMaxAttempts;
  return Math.max(0, timeoutSeconds - creating - switching);
}

export { InvalidFailoverInput };

export interface ValidateEvent {
  request: unknown;
  executionId: string;
  /** `$$.State.EnteredTime` of the validation step: the start of the execution. */
  enteredAt: string;
}

export interface FailoverRequest {
  cluster: string;
  clusterId: string;
  mode: 'failover' | 'drill';
  dryRun: boolean;
  retireOldCluster: boolean;
  /** Which of the old cluster's steps go to the replacement. */
  resubmitSteps: ResubmitSteps;
  /** The alarm's state-change time (ISO, UTC), when an alarm started the execution. */
  detectedAt: string | null;
  /**
   * The alarm's own detection time: the outage lasted at least `datapointsToAlarm × period`
   * before the alarm could change state. 0 without an alarm.
   */
  alarmWindowSeconds: number;
}

export interface Mark {
  at: string;
}

export interface ExecutionState {
  request: FailoverRequest;
  executionId: string;
  lock: { key: string; expiresAt: string; now: string };
  confirm: {
    attempts: number;
    unhealthyToFail: number;
    /** Healthy probes after which `unhealthyToFail` can no longer be reached. */
    healthyToClear: number;
    intervalSeconds: number;
    healthy: { n: number };
    unhealthy: { n: number };
    last: null;
  };
  poll: typeof POLL;
  clusterPoll: { n: number };
  times: { started: Mark } & Record<string, Mark>;
  /** The latest time a replacement may still be started (lastAttemptStartSeconds after the start). */
  lastAttemptStartBy: string;
  plan: null;
  /** The attempts to create the replacement, one zone each (lib/dr/attempts.ts). */
  attempts: { list: []; index: 0; retry: false; error: null };
  /** The attempt under way: its placement, start, RunJobFlow request and error. */
  attempt: null;
  newCluster: null;
  newClusterStatus: null;
  newMasterLookup: null;
  newMaster: null;
  registration: { started: boolean; switched: boolean };
  /**
   * The warm standby: whether this execution uses it (`in-use`: a string, since the local runner
   * drops a Pass state's `Result: false`), its probes, why the cold path ran instead, and what
   * growing and rearming it left as warnings.
   */
  standby: { state: 'not-used' | 'in-use'; checks: { n: number }; last: null; fallback: null; warnings: Record<string, unknown>; rearmed: null };
  rolledBack: boolean;
  /** The old cluster's state, read before retiring it. */
  oldCluster: null;
  /** Why retiring the old cluster failed (after the switch: a warning, not a failure). */
  retireWarning: null;
  /** The old cluster's steps: carried over, left behind, finished (lib/dr/carry-steps.ts). */
  steps: null;
  /** Why the steps could not be read or carried over (a warning: service is already restored). */
  stepsWarning: null;
  /** The lock table's `seen#<cluster>` item: what the last healthy probe saw running. */
  lastSeen: null;
  error: null;
  cleanupError: Record<string, unknown>;
  report: null;
}

export function prepareExecution(event: ValidateEvent, dr: DrConfig): ExecutionState {
  const input = parseFailoverInput(event.request);
  let cluster;
  try {
    cluster = findEmrCluster(dr, input.cluster);
  } catch (err) {
    throw new InvalidFailoverInput(errorMessage(err), { cause: err });
  }
  const startedMs = Date.parse(event.enteredAt);
  if (Number.isNaN(startedMs)) throw new InvalidFailoverInput(`enteredAt: not a timestamp: ${event.enteredAt}`);
  if (!event.executionId) throw new InvalidFailoverInput('executionId: missing');

  const isDrill = input.mode === 'drill';
  const { attempts, intervalSeconds, unhealthyToFail } = cluster.probe.confirm;
  if (unhealthyToFail > attempts) {
    throw new InvalidFailoverInput(`dr.clusters[${cluster.name}].probe.confirm: unhealthyToFail (${unhealthyToFail}) exceeds attempts (${attempts})`);
  }
  const nowSeconds = Math.floor(startedMs / 1000);
  return {
    request: {
      cluster: cluster.name,
      clusterId: cluster.clusterId,
      mode: input.mode,
      dryRun: input.dryRun ?? (isDrill ? cluster.drill.dryRun : false),
      // Only a drill keeps the old cluster; a real failover always retires the broken one.
      retireOldCluster: isDrill ? (input.retireOldCluster ?? cluster.drill.retireOldCluster) : true,
      // A drill keeps the old cluster running its steps: carrying them would run them twice.
      resubmitSteps: input.resubmitSteps ?? (isDrill ? 'none' : cluster.resubmitSteps),
      detectedAt: input.detectedAt ? new Date(Date.parse(input.detectedAt)).toISOString() : null,
      alarmWindowSeconds: input.detectedAt ? cluster.alarm.datapointsToAlarm * cluster.alarm.periodSeconds : 0,
    },
    executionId: event.executionId,
    lock: { key: `emr#${cluster.name}`, expiresAt: String(nowSeconds + LOCK_TTL_SECONDS), now: String(nowSeconds) },
    confirm: {
      attempts,
      unhealthyToFail,
      healthyToClear: attempts - unhealthyToFail + 1,
      intervalSeconds,
      healthy: { n: 0 },
      unhealthy: { n: 0 },
      last: null,
    },
    poll: POLL,
    clusterPoll: { n: 0 },
    times: { started: { at: new Date(startedMs).toISOString() } },
    lastAttemptStartBy: new Date(startedMs + lastAttemptStartSeconds(FAILOVER_TIMEOUT_SECONDS) * 1000).toISOString(),
    plan: null,
    attempts: { list: [], index: 0, retry: false, error: null },
    attempt: null,
    newCluster: null,
    newClusterStatus: null,
    newMasterLookup: null,
    newMaster: null,
    registration: { started: false, switched: false },
    standby: { state: 'not-used', checks: { n: 0 }, last: null, fallback: null, warnings: {}, rearmed: null },
    rolledBack: false,
    oldCluster: null,
    retireWarning: null,
    steps: null,
    stepsWarning: null,
    lastSeen: null,
    error: null,
    cleanupError: {},
    report: null,
  };
}
