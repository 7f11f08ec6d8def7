import { VirtualClock } from '../clock/virtual-clock.ts';
import { runInterruptions } from './interruptions.ts';
import { emptyInterruptionResult, type FailoverSection, type SimulationResult, type TimelineEntry } from './result.ts';
import { runFailoverScenario } from '../dr/runner.ts';
import type { DrScenarioSpec } from '../dr/scenario.ts';
import type { Scenario } from './schema.ts';
import type { SandboxAws } from '../aws/calls.ts';

export type { Invocation } from './lambda.ts';

/**
 * Runs a scenario end to end on virtual clocks: the interruption part (the Kubernetes API
 * emulator, EventBridge routing by the deployed rule patterns, the real interruption handler
 * talking to the emulator through @kubernetes/client-node, EC2 reclaiming Spot instances at their
 * deadline) and the disaster-recovery part (the real failover state machine in the DR sandbox).
 * The two parts are independent worlds sharing one timeline.
 */
export interface RunScenarioOptions {
  onTimeline?: (entry: TimelineEntry) => void;
  /** Record every AWS request of the run, addressed to this deployment (the IAM simulation). */
  aws?: SandboxAws;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<SimulationResult> {
  const start = Date.parse(scenario.start);
  const timeline: TimelineEntry[] = [];
  // Entries are printed as they come; each part is in time order, the parts run one after the other.
  const record = (entry: TimelineEntry) => {
    timeline.push(entry);
    options.onTimeline?.(entry);
  };
  const interruptions = scenario.cluster ? await runInterruptions(scenario, scenario.cluster, start, record, options.aws) : undefined;
  const failover = scenario.emr ? await runFailover(scenario.emr, start, record, options.aws) : undefined;
  timeline.sort((a, b) => a.t - b.t);
  return { scenario: scenario.name, start: new Date(start).toISOString(), timeline, ...(interruptions ?? emptyInterruptionResult()), ...(failover ? { failover } : {}) };
}

/** The DR part: the state machine's states on the timeline, and the result's `failover` section. */
async function runFailover(spec: DrScenarioSpec, start: number, record: (entry: TimelineEntry) => void, aws: SandboxAws | undefined): Promise<FailoverSection> {
  const clock = new VirtualClock(start);
  const result = await runFailoverScenario(spec, {
    clock,
    ...(aws ? { aws } : {}),
    onState: (execution, state) =>
      record({
        t: state.t,
        actor: 'stepfunctions',
        action: state.event === 'entered' ? 'state' : state.event,
        detail: `${execution.split(':').pop()}: ${state.state}${state.error ? ` (${state.error})` : ''}`,
      }),
  });
  for (const event of result.events) record({ t: event.t, actor: 'lifeguard', action: 'event', detail: event.detailType });
  const { executions, rtoSeconds, phases, targets, targetHealth, alarms, clusters } = result;
  return { executions, rtoSeconds, phases, targets, targetHealth, alarms, clusters };
}
