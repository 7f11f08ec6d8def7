import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { SandboxAws } from '../aws/calls.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { recordAlarmTrigger } from './aws-calls.ts';
import type { FailoverExecutionResult, SandboxExecutionState } from './failover-result.ts';
import type { DrScenario } from './scenario.ts';
import type { BoundDefinition } from './task-bindings.ts';

/**
 * The failover executions of a run: each started as StartExecution from the trigger rule (or by
 * hand) would, its states followed as they are entered and its end kept in its record.
 */

export type ExecutionTrigger = DrScenario['triggers'][number] & { source?: 'scenario' | 'alarm' };

type Execution = ReturnType<StateMachine['run']>;

export interface FailoverExecutionsDeps {
  bound: BoundDefinition<{ States: Record<string, Record<string, unknown>> }>;
  clock: VirtualClock;
  /** Simulated seconds since the start. */
  elapsed: () => number;
  /** The cluster of a trigger that names none: the scenario's first. */
  defaultCluster: string;
  /** Record every AWS request of the run (the IAM simulation). */
  aws: SandboxAws | undefined;
  onState: ((execution: string, state: SandboxExecutionState) => void) | undefined;
}

export class FailoverExecutions {
  readonly records: FailoverExecutionResult[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly aborts: Array<() => void> = [];
  private readonly machine: StateMachine;
  // $$.State.EnteredTime, read when a state's payload template is evaluated, i.e. as it is entered.
  private readonly stateContext: object;

  constructor(private readonly deps: FailoverExecutionsDeps) {
    this.machine = new StateMachine(deps.bound.definition as never);
    this.stateContext = Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date(deps.clock.now()).toISOString() });
  }

  /** No execution is still running. */
  get idle(): boolean {
    return this.running.size === 0;
  }

  start(trigger: ExecutionTrigger): void {
    const { clock, aws, bound, elapsed } = this.deps;
    const cluster = trigger.cluster ?? this.deps.defaultCluster;
    const name = `sandbox-${this.records.length + 1}-${trigger.mode}`;
    const record: FailoverExecutionResult = {
      id: `arn:aws:states:us-east-1:123456789012:execution:lifeguard-failover:${name}`,
      trigger: { ...trigger, cluster },
      startedAt: elapsed(),
      endedAt: null,
      status: 'TIMED_OUT',
      outcome: 'TimedOut',
      states: [],
    };
    this.records.push(record);
    // A failover is started by the trigger rule on the cluster's alarm; a drill, by a person.
    if (aws && trigger.mode === 'failover') recordAlarmTrigger(aws, cluster, clock.now() - trigger.alarmDelaySeconds * 1000);
    const execution = this.machine.run(executionInput(trigger, cluster, clock.now()) as never, {
      overrides: { taskResourceLocalHandlers: bound.handlers as never, retryIntervalOverrides: bound.retryOverrides },
      context: { Execution: { Id: record.id, Name: name }, State: this.stateContext },
      noThrowOnAbort: true,
    });
    this.aborts.push(execution.abort);
    const follow = this.follow(execution, record);
    const done = recordEnd(execution, record, elapsed);
    const tracked = Promise.all([done, follow]).then(() => {
      this.running.delete(tracked);
    });
    this.running.add(tracked);
  }

  /** Stops what still runs (the run is over); settles once each record is complete. */
  abortAll(): Promise<unknown> {
    for (const abort of this.aborts) abort();
    return Promise.all([...this.running]);
  }

  private async follow(execution: Execution, record: FailoverExecutionResult): Promise<void> {
    for await (const event of execution.eventLogs) {
      const kind = ({ StateEntered: 'entered', StateFailed: 'failed', StateRetried: 'retried', StateCaught: 'caught' } as const)[event.type as 'StateEntered'];
      if (!kind || !('state' in event)) continue;
      const entry: SandboxExecutionState = { t: this.deps.elapsed(), state: event.state.name, event: kind };
      if ('Error' in event) entry.error = String(event.Error);
      record.states.push(entry);
      this.deps.onState?.(record.id, entry);
    }
  }
}

/** The execution's input as the deployed rule (or a person) gives it. */
function executionInput(trigger: ExecutionTrigger, cluster: string, nowMs: number): Record<string, unknown> {
  const input: Record<string, unknown> = { cluster, mode: trigger.mode };
  // As the deployed rule does: a failover trigger is the alarm's event and carries its state-change time.
  if (trigger.mode === 'failover') input.detectedAt = new Date(nowMs - trigger.alarmDelaySeconds * 1000).toISOString();
  if (trigger.dryRun !== undefined) input.dryRun = trigger.dryRun;
  if (trigger.retireOldCluster !== undefined) input.retireOldCluster = trigger.retireOldCluster;
  if (trigger.resubmitSteps !== undefined) input.resubmitSteps = trigger.resubmitSteps;
  return input;
}

/** An aborted execution (the run ended first) keeps its TIMED_OUT record. */
function recordEnd(execution: Execution, record: FailoverExecutionResult, elapsed: () => number): Promise<void> {
  return execution.result.then(
    (output) => {
      if (record.endedAt !== null || output === null) return;
      record.endedAt = elapsed();
      record.status = 'SUCCEEDED';
      record.output = output;
      record.outcome = String((output as { outcome?: unknown } | null)?.outcome ?? 'Succeeded');
    },
    (err: unknown) => {
      record.endedAt = elapsed();
      record.status = 'FAILED';
      const cause = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : (err as Error);
      record.outcome = cause.name;
      record.error = { error: cause.name, cause: cause.message };
    },
  );
}
