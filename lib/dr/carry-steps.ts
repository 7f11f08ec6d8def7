import { AddJobFlowStepsCommand, ListStepsCommand, type EMRClient, type StepSummary } from '@aws-sdk/client-emr';
import { z } from 'zod';
import { RESUBMIT_STEPS } from '../config/dr.ts';
import { formatIssues } from '../util/zod-issues.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';
import { planStepCarry, type FinishedStep, type LeftStep, type OldStepState, type StepCarryPlan } from './step-carry-plan.ts';

/**
 * The failover's steps task (after the switch, before the old cluster is retired): read the old
 * cluster's steps — EMR answers for a cluster whose master is gone, and for a terminated one — and
 * add those the request asks for to the replacement, in their original order, with their name,
 * jar, arguments, properties and ActionOnFailure. Every step read is accounted for: carried over
 * (old id → new id), left behind (and why), or already finished.
 */

/** Steps read from the old cluster, newest first (50 to a ListSteps page): the work the outage hit is the newest. */
export const MAX_STEPS_READ = 500;
/** Finished steps named in the report (the most recent); the rest are counted. */
export const MAX_FINISHED_LISTED = 20;
/** EMR holds at most 256 active steps per cluster (AddJobFlowSteps, API reference). */
export const MAX_ACTIVE_STEPS = 256;
/** The scheduled probe runs every minute: the master was last seen healthy at most this long before the first breaching point. */
const PROBE_PERIOD_MS = 60_000;

export const carryStepsInputSchema = z.object({
  request: z.object({
    cluster: z.string(),
    mode: z.enum(['failover', 'drill']),
    resubmitSteps: z.enum(RESUBMIT_STEPS).default('none'),
    detectedAt: z.string().nullable(),
    alarmWindowSeconds: z.number().min(0).default(0),
  }),
  times: z.object({ started: z.object({ at: z.iso.datetime({ offset: true }) }) }),
  plan: z.object({ sourceClusterId: z.string(), runJobFlow: z.object({ StepConcurrencyLevel: z.number().int().min(1).optional() }).loose() }),
  newCluster: z.object({ ClusterId: z.string() }),
});

export interface StepsReport {
  resubmitSteps: (typeof RESUBMIT_STEPS)[number];
  oldClusterId: string;
  newClusterId: string;
  carriedOver: Array<{ oldId: string; newId: string; name: string; was: OldStepState; actionOnFailure: string }>;
  leftBehind: LeftStep[];
  /** The most recent finished steps (MAX_FINISHED_LISTED); `finishedNotListed` counts the others read. */
  finished: FinishedStep[];
  finishedNotListed: number;
  /** The old cluster had more steps than MAX_STEPS_READ: the oldest were not read. */
  truncated: boolean;
}

export class InvalidStepsInput extends LifeguardError {}

export async function carrySteps(raw: unknown, emr: EMRClient): Promise<StepsReport> {
  const parsed = carryStepsInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidStepsInput(`steps input is invalid:\n${formatIssues(parsed.error)}`);
  const { request, times, plan, newCluster } = parsed.data;
  const oldClusterId = plan.sourceClusterId;
  const started = Date.parse(times.started.at);
  const detected = request.detectedAt ? Math.min(Date.parse(request.detectedAt), started) : started;
  // A drill cuts nothing off; an outage began no later than the alarm's window before it fired.
  const outageSince = request.mode === 'drill' ? started : detected - request.alarmWindowSeconds * 1000 - PROBE_PERIOD_MS;

  const { steps, truncated } = await listSteps(emr, oldClusterId, MAX_STEPS_READ);
  const carry = planStepCarry(steps, {
    resubmitSteps: request.resubmitSteps,
    mode: request.mode,
    outageSince,
    stepConcurrencyLevel: plan.runJobFlow.StepConcurrencyLevel ?? 1,
  });
  const overLimit = carry.carry.splice(MAX_ACTIVE_STEPS);
  const leftBehind = [
    ...carry.leftBehind,
    ...overLimit.map((s) => ({ id: s.oldId, name: s.name, state: s.state, reason: `EMR holds at most ${MAX_ACTIVE_STEPS} active steps on a cluster` })),
  ];
  const report: StepsReport = {
    resubmitSteps: request.resubmitSteps,
    oldClusterId,
    newClusterId: newCluster.ClusterId,
    carriedOver: [],
    leftBehind,
    finished: carry.finished.slice(-MAX_FINISHED_LISTED),
    finishedNotListed: Math.max(0, carry.finished.length - MAX_FINISHED_LISTED),
    truncated,
  };
  if (!carry.carry.length) return report;
  return addToReplacement(emr, carry.carry, report);
}

/**
 * Adds the steps not already on the replacement. A retried invocation whose first attempt landed
 * finds them there (same name, jar, arguments, in order) and does not add them twice.
 */
async function addToReplacement(emr: EMRClient, carry: StepCarryPlan['carry'], report: StepsReport): Promise<StepsReport> {
  const { steps: onReplacement } = await listSteps(emr, report.newClusterId, MAX_STEPS_READ);
  const existing = [...onReplacement].reverse();
  const newIds: Array<string | undefined> = carry.map((step) => {
    const at = existing.findIndex((s) => sameStep(s, step.config));
    if (at < 0) return undefined;
    return existing.splice(at, 1)[0]!.Id;
  });
  const toAdd = carry.filter((_, i) => newIds[i] === undefined);
  if (toAdd.length) {
    try {
      const { StepIds = [] } = await emr.send(new AddJobFlowStepsCommand({ JobFlowId: report.newClusterId, Steps: toAdd.map((s) => s.config) }));
      let next = 0;
      newIds.forEach((id, i) => {
        if (id === undefined) newIds[i] = StepIds[next++];
      });
    } catch (err) {
      const reason = `AddJobFlowSteps on ${report.newClusterId} failed: ${(err as Error).name}: ${errorMessage(err)}`;
      report.leftBehind.push(...toAdd.map((s) => ({ id: s.oldId, name: s.name, state: s.state, reason })));
    }
  }
  carry.forEach((step, i) => {
    const newId = newIds[i];
    if (newId) report.carriedOver.push({ oldId: step.oldId, newId, name: step.name, was: step.was, actionOnFailure: step.actionOnFailure });
  });
  return report;
}

function sameStep(listed: StepSummary, config: ReturnType<typeof planStepCarry>['carry'][number]['config']): boolean {
  return (
    listed.Name === config.Name &&
    listed.Config?.Jar === config.HadoopJarStep?.Jar &&
    JSON.stringify(listed.Config?.Args ?? []) === JSON.stringify(config.HadoopJarStep?.Args ?? [])
  );
}

/** A cluster's steps, newest first, up to `max` (ListSteps pages of 50). */
async function listSteps(emr: EMRClient, clusterId: string, max: number): Promise<{ steps: StepSummary[]; truncated: boolean }> {
  const steps: StepSummary[] = [];
  let marker: string | undefined;
  do {
    const page = await emr.send(new ListStepsCommand({ ClusterId: clusterId, ...(marker ? { Marker: marker } : {}) }));
    steps.push(...(page.Steps ?? []));
    marker = page.Marker;
  } while (marker && steps.length < max);
  return { steps: steps.slice(0, max), truncated: Boolean(marker) || steps.length > max };
}
