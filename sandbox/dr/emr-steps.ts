import { ServiceError } from './service-error.ts';

/**
 * Steps on a sandbox EMR cluster, as a function of time like the cluster itself. Steps run one at
 * a time (StepConcurrencyLevel 1) in the order they were added, from the moment the cluster is
 * ready. A failed step applies its ActionOnFailure (CONTINUE: the next runs; CANCEL_AND_WAIT: the
 * steps waiting behind it are cancelled; TERMINATE_CLUSTER: the cluster ends). When the cluster
 * ends, its unfinished steps end CANCELLED with it (those that had started keep their start time).
 */

export const ACTIONS_ON_FAILURE = ['TERMINATE_JOB_FLOW', 'TERMINATE_CLUSTER', 'CANCEL_AND_WAIT', 'CONTINUE'] as const;
export type ActionOnFailure = (typeof ACTIONS_ON_FAILURE)[number];

export interface SandboxStep {
  id: string;
  name: string;
  jar: string;
  args: string[];
  mainClass?: string | undefined;
  properties?: Record<string, string> | undefined;
  actionOnFailure: ActionOnFailure;
  submittedAtMs: number;
  durationMs: number;
  /** Ends FAILED instead of COMPLETED. */
  fails: boolean;
}

export interface StepRun {
  step: SandboxStep;
  startMs?: number;
  endMs?: number;
  /** The state it ends in (or would, if the clock got there). */
  endState: 'COMPLETED' | 'FAILED' | 'CANCELLED';
}

export interface StepTimeline {
  runs: StepRun[];
  /** A TERMINATE_CLUSTER step failed: the cluster ends then. */
  terminatedByStepAtMs?: number;
}

const TERMINATES = new Set<ActionOnFailure>(['TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW']);

/** Where every step of a cluster ready at `readyAtMs` and ending at `endsAtMs` (if it does) starts and ends. */
export function stepTimeline(steps: readonly SandboxStep[], readyAtMs: number, endsAtMs: number | undefined): StepTimeline {
  const runs: StepRun[] = [];
  let cursor = readyAtMs;
  let end = endsAtMs ?? Infinity;
  let terminatedByStepAtMs: number | undefined;
  let cancelledUntil = -Infinity;
  for (const step of steps) {
    const start = Math.max(cursor, step.submittedAtMs);
    if (step.submittedAtMs < cancelledUntil) {
      runs.push({ step, endMs: cancelledUntil, endState: 'CANCELLED' });
      continue;
    }
    if (start >= end) {
      runs.push({ step, endMs: Math.max(end, step.submittedAtMs), endState: 'CANCELLED' });
      continue;
    }
    const finish = start + step.durationMs;
    if (finish > end) {
      runs.push({ step, startMs: start, endMs: end, endState: 'CANCELLED' });
      cursor = end;
      continue;
    }
    runs.push({ step, startMs: start, endMs: finish, endState: step.fails ? 'FAILED' : 'COMPLETED' });
    cursor = finish;
    if (step.fails && step.actionOnFailure === 'CANCEL_AND_WAIT') cancelledUntil = finish;
    if (step.fails && TERMINATES.has(step.actionOnFailure)) {
      terminatedByStepAtMs = finish;
      end = finish;
    }
  }
  return { runs, ...(terminatedByStepAtMs === undefined ? {} : { terminatedByStepAtMs }) };
}

/** A run's state at `now`, and its timeline as EMR's StepStatus gives it. */
export function stepSummary(run: StepRun, now: number) {
  const { step } = run;
  let state: string;
  if (run.endMs !== undefined && now >= run.endMs) state = run.endState;
  else if (run.startMs !== undefined && now >= run.startMs) state = 'RUNNING';
  else state = 'PENDING';
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    Id: step.id,
    Name: step.name,
    Config: {
      Jar: step.jar,
      Args: [...step.args],
      Properties: { ...(step.properties ?? {}) },
      ...(step.mainClass ? { MainClass: step.mainClass } : {}),
    },
    ActionOnFailure: step.actionOnFailure,
    Status: {
      State: state,
      StateChangeReason: {},
      Timeline: {
        CreationDateTime: iso(step.submittedAtMs),
        ...(run.startMs !== undefined && now >= run.startMs ? { StartDateTime: iso(run.startMs) } : {}),
        ...(run.endMs !== undefined && now >= run.endMs ? { EndDateTime: iso(run.endMs) } : {}),
      },
    },
  };
}

/** EMR's page size for ListSteps. */
const PAGE = 50;

/** ListSteps: newest first, filtered by state, 50 to a page with a Marker. */
export function listStepsPage(runs: readonly StepRun[], input: Record<string, unknown>, now: number) {
  const states = (input.StepStates as string[] | undefined) ?? [];
  const all = [...runs]
    .reverse()
    .map((run) => stepSummary(run, now))
    .filter((s) => !states.length || states.includes(s.Status.State));
  const from = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isInteger(from) || from < 0) throw new ServiceError('InvalidRequestException', `Marker '${String(input.Marker)}' is not valid.`);
  const page = all.slice(from, from + PAGE);
  return { Steps: page, ...(from + PAGE < all.length ? { Marker: String(from + PAGE) } : {}) };
}

/** AddJobFlowSteps' StepConfig list, checked as EMR checks it, made into sandbox steps. */
export function stepsFromRequest(
  input: Record<string, unknown>,
  options: { now: number; nextId: () => string; durationMsOf: (name: string) => number },
): SandboxStep[] {
  const configs = input.Steps;
  if (!Array.isArray(configs) || !configs.length) throw new ServiceError('ValidationException', 'Steps: at least one step is required');
  return configs.map((raw: Record<string, unknown>, i) => {
    const jarStep = (raw.HadoopJarStep ?? {}) as Record<string, unknown>;
    if (typeof raw.Name !== 'string') throw new ServiceError('ValidationException', `Steps.${i + 1}.Name is required`);
    if (typeof jarStep.Jar !== 'string' || !jarStep.Jar) throw new ServiceError('ValidationException', `Steps.${i + 1}.HadoopJarStep.Jar is required`);
    // Lifeguard always sends the original ActionOnFailure; the sandbox does not guess EMR's default.
    const action = raw.ActionOnFailure as ActionOnFailure;
    if (!ACTIONS_ON_FAILURE.includes(action)) throw new ServiceError('ValidationException', `Steps.${i + 1}.ActionOnFailure '${String(action)}' is not valid (the sandbox requires one)`);
    const properties = (jarStep.Properties as Array<{ Key: string; Value: string }> | undefined) ?? [];
    return {
      id: options.nextId(),
      name: raw.Name,
      jar: jarStep.Jar,
      args: ((jarStep.Args as string[] | undefined) ?? []).map(String),
      ...(typeof jarStep.MainClass === 'string' ? { mainClass: jarStep.MainClass } : {}),
      ...(properties.length ? { properties: Object.fromEntries(properties.map((p) => [p.Key, p.Value])) } : {}),
      actionOnFailure: action,
      submittedAtMs: options.now,
      durationMs: options.durationMsOf(raw.Name),
      fails: false,
    };
  });
}
