import type { DrainReport } from '../drain/drain.ts';
import type { DrainPlan } from '../drain/plan.ts';
import type { NoticeKind } from '../events/notice.ts';
import type { JsonPatchOp } from '../kube/port.ts';
import type { Phase, StepStatus } from '../lifecycle/table.ts';
import type { Trigger } from '../lifecycle/next-step.ts';
import type { Decision } from './policy.ts';

/**
 * What became of one instance: the status of the lifecycle step it took (STATUS_OF in
 * lib/lifecycle/table.ts: no-action, duplicate, stale, scheduled, cancelled, cordoned, drained,
 * handed-over, superseded, reverted), or what kept it from the table:
 * - ignored: the instance is no node of this cluster;
 * - node-gone: the node no longer exists;
 * - failed: Lifeguard's record on the node cannot be read: nothing was changed;
 * - planned: a dry run (see `dryRun`).
 */
export type InstanceStatus = StepStatus | 'ignored' | 'node-gone' | 'failed' | 'planned';

export type LifecycleStatus = 'completed' | 'already-resolved' | 'left-pending' | 'no-client';

export interface InstanceReport {
  instanceId: string;
  nodeName?: string;
  resolvedVia?: string;
  status: InstanceStatus;
  reason?: string;
  decision?: Decision;
  /** The node's lifecycle phase when this invocation left it. */
  phase?: Phase;
  cordon?: { patched: boolean; cordonedAt?: number };
  /** One-time schedules created or moved (name, ISO time). */
  scheduled?: Array<{ type: string; name: string; at: string }>;
  drain?: DrainReport;
  lifecycle?: LifecycleStatus;
  dryRun?: { cordonPatch: JsonPatchOp[] | null; plan: DrainPlan | null };
}

/** What delivered the work (lib/lifecycle/next-step.ts). */
export type InvocationTrigger = Trigger['kind'];

export interface InterruptionReport {
  /** True when the event itself cannot be acted on (malformed or unsupported): nothing changed. */
  ignored: boolean;
  reason?: string;
  /** The event field at fault, when the event was rejected. */
  field?: string;
  eventId?: string;
  kind?: NoticeKind;
  /** What delivered it: an AWS event, or one of Lifeguard's own continuations (and which). */
  trigger?: InvocationTrigger;
  continuation?: string;
  dryRun: boolean;
  receivedAt: number;
  /** Receipt time minus the event's `time`. */
  eventAgeMs?: number;
  /** A Health event type code Lifeguard does not know, handled as a retirement (the safe default). */
  unknownEventType?: string;
  instances: InstanceReport[];
}
