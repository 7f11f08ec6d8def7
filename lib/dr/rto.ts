import { z } from 'zod';
import { formatIssues } from '../config/load.ts';
import type { StepsReport } from './carry-steps.ts';
import type { AttemptRecord } from './attempts.ts';
import type { StandbyGrowth } from './types.ts';
import { lastSeenFromRead, lastSeenReadSchema, type LastSeen } from './last-seen.ts';
import { LifeguardError } from '../util/errors.ts';

/** The state machine handed the RTO report something it cannot read. */
export class RtoInputError extends LifeguardError {}

/**
 * The RTO breakdown of a completed failover, from the phase marks the state machine stamped with
 * `$$.State.EnteredTime`. Phases: alarm (the alarm's own evaluation window: the outage lasted at
 * least datapointsToAlarm × period before the alarm changed state), detect (alarm state change, or
 * execution start without an alarm → confirmed),
 * create (→ new cluster WAITING, planning included), register (→ new master registered),
 * healthy (→ healthy in every target group: service restored), retire (→ old targets gone and,
 * when retired, the old cluster terminating).
 */

const mark = z.object({ at: z.iso.datetime({ offset: true }) });
const errorShape = z.object({ Error: z.string(), Cause: z.string().optional() });

export const rtoInputSchema = z.object({
  request: z.object({
    cluster: z.string(),
    clusterId: z.string(),
    mode: z.enum(['failover', 'drill']),
    detectedAt: z.string().nullable(),
    alarmWindowSeconds: z.number().min(0).default(0),
  }),
  executionId: z.string(),
  times: z.object({
    started: mark,
    confirmed: mark,
    clusterReady: mark,
    registered: mark,
    healthy: mark,
    retired: mark.optional(),
    finished: mark,
  }),
  plan: z.object({
    sourceClusterId: z.string(),
    targetAvailabilityZone: z.string(),
    oldMasterIp: z.string(),
    standby: z
      .object({
        clusterId: z.string(),
        zone: z.string().nullable(),
        usable: z.boolean(),
        why: z.string(),
        grow: z.object({
          instanceGroups: z.array(z.object({ InstanceGroupId: z.string(), InstanceCount: z.number() })),
          // Absent from plans made before fleets were grown.
          instanceFleets: z.array(z.object({ InstanceFleetId: z.string(), TargetOnDemandCapacity: z.number(), TargetSpotCapacity: z.number() })).default([]),
          managedScaling: z.object({ ComputeLimits: z.record(z.string(), z.unknown()) }).nullable(),
          notGrown: z.array(z.string()),
        }),
        rearm: z.object({ zone: z.string() }).nullable(),
        rearmSkipped: z.string().optional(),
      })
      .nullish(),
  }),
  /** The execution's standby slot (lib/dr/execution.ts). */
  standby: z
    .object({
      state: z.enum(['not-used', 'in-use']),
      fallback: errorShape.nullish(),
      warnings: z.record(z.string(), errorShape).default({}),
      rearmed: z.object({ ClusterId: z.string() }).nullish(),
    })
    .nullish(),
  newCluster: z.object({ ClusterId: z.string() }),
  newMaster: z.object({ ip: z.string() }),
  oldCluster: z.object({ state: z.string() }).nullish(),
  retireWarning: errorShape.nullish(),
  /** The steps task's report (lib/dr/carry-steps.ts), passed through as it is. */
  steps: z.custom<StepsReport>((v) => typeof v === 'object' && v !== null && Array.isArray((v as StepsReport).carriedOver)).nullish(),
  stepsWarning: errorShape.nullish(),
  /** The lock table's GetItem of what the last healthy probe saw running. */
  lastSeen: lastSeenReadSchema.nullish(),
  /** Each attempt to create the replacement (lib/dr/attempts.ts), passed through as it is. */
  attempts: z.custom<AttemptRecord[]>((v) => Array.isArray(v)).nullish(),
});

/** The phase boundaries the state machine stamps under `$.times` (its `mark` states) and the report reads. */
export type Checkpoint = keyof z.output<typeof rtoInputSchema>['times'];

export type RtoInput = z.infer<typeof rtoInputSchema>;

export const RTO_PHASES = ['alarm', 'detect', 'create', 'register', 'healthy', 'retire'] as const;
export type RtoPhase = (typeof RTO_PHASES)[number];

export interface RtoReport {
  cluster: string;
  mode: 'failover' | 'drill';
  executionId: string;
  oldClusterId: string;
  newClusterId: string;
  newMasterIp: string;
  oldMasterIp: string;
  /** The zone of the attempt that created the replacement (an instance fleet: the zones EMR chose among). */
  availabilityZone: string;
  /** Every attempt to create the replacement, one zone each: zone, outcome (created, capacity, failed), why, seconds. */
  attempts: AttemptRecord[];
  /** How service was restored: the warm standby took over, or a replacement was created. */
  path: 'standby' | 'cold';
  /** The warm standby, when one is configured: whether it took over and why (or why not), its growth, the next standby. */
  standby: StandbyReport | null;
  oldClusterRetired: boolean;
  /** The old cluster's state when retiring began (null when it was kept). */
  oldClusterState: string | null;
  /** What went wrong after the switch (carrying steps, retiring the old cluster); the failover still completed. */
  warnings: string[];
  /** The old cluster's steps: carried over (old id → new id), left behind and why, finished. Null when they could not be read. */
  steps: StepsReport | null;
  /**
   * What the last healthy probe saw running on the old cluster: the YARN applications and Livy
   * sessions the outage took with it (a drill's old cluster is kept, and keeps them). Null when no
   * probe recorded any in the last day.
   */
  lostWork: LastSeen | null;
  /** Detection to service restored (new master healthy everywhere). */
  rtoSeconds: number;
  /** Detection to the end of the execution. */
  totalSeconds: number;
  phases: Record<RtoPhase, number>;
}

export interface StandbyReport {
  clusterId: string;
  zone: string | null;
  used: boolean;
  /** Why it took over, or why the failover created a replacement instead. */
  why: string;
  /** The growth requested once it served: instance group counts, fleet targets, or the source's managed scaling limits. */
  grown: Pick<StandbyGrowth, 'instanceGroups' | 'instanceFleets'> & { managedScalingLimits: Record<string, unknown> | null } | null;
  /** The next standby this failover started (standby.rearm). */
  rearmed: { clusterId: string; zone: string } | null;
}

export function computeRto(raw: unknown): RtoReport {
  const parsed = rtoInputSchema.safeParse(raw);
  if (!parsed.success) throw new RtoInputError(`RTO input is invalid:\n${formatIssues(parsed.error)}`);
  const { request, times, plan, newCluster, newMaster, executionId, oldCluster, retireWarning, steps, stepsWarning, lastSeen, attempts, standby } = parsed.data;
  const used = standby?.state === 'in-use';
  const created = attempts?.find((a) => a.outcome === 'created');
  const t = (m: { at: string }) => Date.parse(m.at);
  const started = t(times.started);
  // An alarm time after the execution start would be a clock skew artefact: never count negative.
  const detected = request.detectedAt ? Math.min(Date.parse(request.detectedAt), started) : started;
  const seconds = (from: number, to: number) => Math.max(0, Math.round((to - from) / 100) / 10);
  const alarm = request.alarmWindowSeconds;
  const phases: Record<RtoPhase, number> = {
    alarm,
    detect: seconds(detected, t(times.confirmed)),
    create: seconds(t(times.confirmed), t(times.clusterReady)),
    register: seconds(t(times.clusterReady), t(times.registered)),
    healthy: seconds(t(times.registered), t(times.healthy)),
    retire: seconds(t(times.healthy), t(times.finished)),
  };
  return {
    cluster: request.cluster,
    mode: request.mode,
    executionId,
    oldClusterId: plan.sourceClusterId,
    newClusterId: newCluster.ClusterId,
    newMasterIp: newMaster.ip,
    oldMasterIp: plan.oldMasterIp,
    availabilityZone: (used ? plan.standby?.zone : created?.zone) ?? plan.targetAvailabilityZone,
    attempts: attempts ?? [],
    path: used ? 'standby' : 'cold',
    standby: standbyReport(plan.standby, standby),
    oldClusterRetired: times.retired !== undefined,
    oldClusterState: oldCluster?.state ?? null,
    warnings: [
      ...(stepsWarning ? [`steps of ${plan.sourceClusterId} not carried over: ${describe(stepsWarning)}`] : []),
      ...(retireWarning ? [`old cluster ${plan.sourceClusterId} not retired: ${describe(retireWarning)}`] : []),
      ...standbyWarnings(plan.standby, standby),
    ],
    steps: steps ?? null,
    lostWork: lastSeenFromRead(lastSeen),
    rtoSeconds: Math.round((alarm + seconds(detected, t(times.healthy))) * 10) / 10,
    totalSeconds: Math.round((alarm + seconds(detected, t(times.finished))) * 10) / 10,
    phases,
  };
}

const describe = (w: { Error: string; Cause?: string | undefined }) => `${w.Error}${w.Cause ? `: ${w.Cause}` : ''}`;

type PlannedStandby = RtoInput['plan']['standby'];
type StandbySlot = RtoInput['standby'];

function standbyReport(planned: PlannedStandby, slot: StandbySlot): StandbyReport | null {
  if (!planned) return null;
  const used = slot?.state === 'in-use';
  const why = used ? `took over: ${planned.why}` : slot?.fallback ? describe(slot.fallback) : planned.why;
  return {
    clusterId: planned.clusterId,
    zone: planned.zone,
    used,
    why,
    grown: used && !slot?.warnings.grow && !slot?.warnings.scaling
      ? { instanceGroups: planned.grow.instanceGroups, instanceFleets: planned.grow.instanceFleets, managedScalingLimits: planned.grow.managedScaling?.ComputeLimits ?? null }
      : null,
    rearmed: used && slot?.rearmed && planned.rearm ? { clusterId: slot.rearmed.ClusterId, zone: planned.rearm.zone } : null,
  };
}

/** What growing the standby or starting the next one could not do; the failover still completed. */
function standbyWarnings(planned: PlannedStandby, slot: StandbySlot): string[] {
  if (!planned || slot?.state !== 'in-use') return [];
  const warnings = slot.warnings;
  return [
    ...(warnings.grow ? [`standby ${planned.clusterId} not grown: ${describe(warnings.grow)}`] : []),
    ...(warnings.scaling ? [`standby ${planned.clusterId} managed scaling limits not set: ${describe(warnings.scaling)}`] : []),
    ...planned.grow.notGrown.map((what) => `standby ${planned.clusterId} not grown: ${what}`),
    ...(warnings.rearm ? [`no new standby started: ${describe(warnings.rearm)}`] : []),
    ...(planned.rearmSkipped ? [`no new standby started: ${planned.rearmSkipped}`] : []),
  ];
}
