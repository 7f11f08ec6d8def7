import type { DrainReport } from '../drain/drain.ts';
import type { DrainPlan } from '../drain/plan.ts';
import type { NoticeKind } from '../events/notice.ts';
import type { JsonPatchOp } from '../kube/port.ts';
import type { Phase } from '../lifecycle/state.ts';
import type { Decision } from './policy.ts';

export type InstanceStatus =
  /** The instance is no node of this cluster. */
  | 'ignored'
  /** The policy says not now or never. */
  | 'no-action'
  /** Already handled, or being handled by the lease holder: nothing written. */
  | 'duplicate'
  /** A continuation whose work a newer event took over: nothing written. */
  | 'stale'
  | 'node-gone'
  /** A drain (or a look at the node) is scheduled for later. */
  | 'scheduled'
  /** The Health change is over or cancelled: its schedule deleted, what was done for it reverted. */
  | 'cancelled'
  /** Taint/cordon applied; the policy asks for no eviction. */
  | 'cordoned'
  | 'drained'
  /** The invocation's time ran out: the drain goes on in the next one. */
  | 'handed-over'
  /** A more urgent event took the node over mid-drain. */
  | 'superseded'
  /** Lifeguard's own taint and cordon were removed. */
  | 'reverted'
  /** Lifeguard's record on the node cannot be read: nothing was changed. */
  | 'failed'
  /** Dry run: see `dryRun`. */
  | 'planned';

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

export type InvocationTrigger = 'event' | 'continuation';

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
