import type { RtoPhase } from '../../lib/dr/rto.ts';
import type { AlarmState } from './alarm.ts';
import type { TargetState } from './elbv2.ts';
import type { CallRecord } from './service-error.ts';

/**
 * What a sandbox failover run returns (runner.ts re-exports it): its own module so the steps that
 * fill it in can name it without importing the runner that calls them.
 */

export interface SandboxExecutionState {
  t: number;
  state: string;
  event: 'entered' | 'failed' | 'retried' | 'caught';
  error?: string;
}

export interface FailoverExecutionResult {
  id: string;
  trigger: {
    at: number;
    cluster: string;
    mode: 'failover' | 'drill';
    dryRun?: boolean | undefined;
    retireOldCluster?: boolean | undefined;
    resubmitSteps?: string | undefined;
    alarmDelaySeconds?: number;
    /** `alarm` when the modelled alarm started it (scenario `alarms`), else the scenario's trigger. */
    source?: 'scenario' | 'alarm';
  };
  startedAt: number;
  endedAt: number | null;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  /** Healthy, AlreadyInProgress, DryRun, FailoverCompleted, or the error name of a failure. */
  outcome: string;
  error?: { error: string; cause: string };
  output?: unknown;
  states: SandboxExecutionState[];
}

export interface SandboxClusterView {
  name: string;
  state: string;
  zone: string;
  subnetId: string;
  masterIp: string;
  terminationProtected: boolean;
  /** The cluster this one replaced (lifeguard:replaces tag). */
  replaces: string | null;
  /** Its steps at the end of the run, in the order they were added. */
  steps: Array<{ id: string; name: string; state: string; actionOnFailure: string; args: string[] }>;
  /** Its instance groups at the end of the run: MASTER, CORE, TASK (when it has one); none for a fleet cluster. */
  instanceGroups: Array<{ type: string; requested: number; running: number }>;
  /** Its instance fleets at the end of the run (capacities in units of the types' weights); none for a group cluster. */
  instanceFleets: Array<{ type: string; targetOnDemand: number; targetSpot: number; provisionedOnDemand: number; provisionedSpot: number }>;
  /** The protected cluster this one stands by for (lifeguard:standby tag). */
  standbyOf: string | null;
}

export interface FailoverResult {
  executions: FailoverExecutionResult[];
  /** Of the (first) completed failover: detection to the new master healthy everywhere. */
  rtoSeconds: number | null;
  phases: Record<RtoPhase, number> | null;
  /** Final registrations per target group. */
  targets: Record<string, TargetState[]>;
  /** Each target group's targets over the whole run, one entry per change (simulated seconds). */
  targetHealth: Record<string, Array<{ t: number; targets: TargetState[] }>>;
  clusters: Record<string, SandboxClusterView>;
  events: Array<{ t: number; source: string; detailType: string; detail: unknown }>;
  /** The modelled alarms' state changes (scenario `alarms`), in time order. */
  alarms: Array<{ t: number; cluster: string; state: AlarmState }>;
  calls: CallRecord[];
}
