import { drConfigSchema, type DrConfig } from '../../lib/config/dr.ts';
import { formatIssues } from '../../lib/config/load.ts';
import type { RtoPhase } from '../../lib/dr/rto.ts';
import { failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';
import type { SandboxAws } from '../aws/calls.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { HadoopEmulator } from '../hadoop/emulator.ts';
import { modelAlarms, type ModelledAlarms } from './alarm-model.ts';
import { recordEmulatorCalls, recordLambdaInvocations } from './aws-calls.ts';
import { clusterViews } from './cluster-view.ts';
import { FailoverExecutions } from './failover-executions.ts';
import type { FailoverResult, SandboxExecutionState } from './failover-result.ts';
import { SERVICE_PORTS } from './master-health.ts';
import { bindRunLambdas } from './run-lambdas.ts';
import { buildRunWorld, type RunWorld } from './run-world.ts';
import { drScenarioSchema, type DrScenario, type DrScenarioSpec } from './scenario.ts';
import { CallLog } from './service-error.ts';
import { serviceIntegrations } from './service-integrations.ts';
import { bindTaskStates } from './task-bindings.ts';

export type { FailoverExecutionResult, FailoverResult, SandboxClusterView, SandboxExecutionState } from './failover-result.ts';

/**
 * Runs the real failover definition in aws-local-stepfunctions on the virtual clock: every Task
 * is bound by its Resource to the code the Lambda runs (validation, probe, plan, RTO report) or to
 * the in-memory EMR / ELBv2 / EC2 / DynamoDB / EventBridge, and the probe speaks HTTP to the
 * Hadoop emulators. Only Wait states are swapped for virtual-clock sleeps (see local-definition.ts).
 */

export interface RunFailoverOptions {
  clock: VirtualClock;
  /** Called as each state is entered (the CLI prints progress from it). */
  onState?: (execution: string, state: SandboxExecutionState) => void;
  /** Record every AWS request of the run, addressed to this deployment (the IAM simulation). */
  aws?: SandboxAws;
}

export async function runFailoverScenario(spec: DrScenarioSpec, options: RunFailoverOptions): Promise<FailoverResult> {
  const parsed = drScenarioSchema.safeParse(spec);
  if (!parsed.success) {
    throw new Error(`emr scenario is invalid:\n${formatIssues(parsed.error, spec, drScenarioSchema)}`);
  }
  const scenario = parsed.data;
  const emulators = new Map<string, HadoopEmulator>();
  try {
    return await run(scenario, emulators, options);
  } finally {
    await Promise.all([...emulators.values()].map((e) => e.close()));
  }
}

async function run(scenario: DrScenario, emulators: Map<string, HadoopEmulator>, options: RunFailoverOptions): Promise<FailoverResult> {
  const { clock, aws } = options;
  const t0 = clock.now();
  const elapsed = (ms = clock.now()) => Math.round((ms - t0) / 100) / 10;
  const log = new CallLog(() => elapsed(), scenario.faults, aws && recordEmulatorCalls(aws));
  const invoked = aws ? recordLambdaInvocations(aws) : () => undefined;
  // The definition runs with the deployed stack's resources when its requests are recorded.
  const refs = aws?.deployment.failover ?? LOCAL_FAILOVER_REFS;

  const world = buildRunWorld(scenario, { t0, now: () => clock.now(), log });
  const events: FailoverResult['events'] = [];
  const dr = sandboxDrConfig(scenario);
  const { lambdas, scheduledProbe } = bindRunLambdas({ dr, clock, world, emulators, refs });
  const services = serviceIntegrations({ world, log, elapsed, events });
  const bound = bindTaskStates(failoverDefinition(refs), { clock, refs, lambdas, services, invoked });
  const executions = new FailoverExecutions({ bound, clock, elapsed, defaultCluster: scenario.clusters[0]!.name, aws, onState: options.onState });

  const pendingTriggers = scheduleTriggers(scenario, clock, executions);
  const untilMs = t0 + scenario.until * 1000;
  const alarms = scenario.alarms
    ? modelAlarms({
        clock,
        clusters: dr.clusters,
        scheduledProbe,
        invoked,
        elapsed,
        startExecution: (trigger) => executions.start(trigger),
        deliveryDelaySeconds: scenario.alarms.deliveryDelaySeconds,
        untilMs,
      })
    : undefined;
  // With modelled alarms the world keeps probing until `until`; otherwise the run ends with its executions.
  await clock.runUntil(untilMs, () => !scenario.alarms && pendingTriggers() === 0 && executions.idle);
  await executions.abortAll();
  const alarmFailure = alarms?.failure();
  if (alarmFailure) throw new Error(`the scheduled probe failed in the sandbox: ${alarmFailure.message}`, { cause: alarmFailure });
  // The world goes on after the last execution: old targets finish draining, old clusters finish terminating.
  const { emr, elbv2 } = world;
  const settledAt = Math.max(clock.now(), elbv2.drainedBy() ?? 0, ...[...emr.clusters.values()].map((c) => emr.settledBy(c)));
  await clock.runUntil(Math.min(untilMs, settledAt));
  return failoverResult(scenario, { world, clock, t0, elapsed, executions: executions.records, events, alarms, log });
}

/** Starts an execution at each scenario trigger's time; returns how many have yet to fire. */
function scheduleTriggers(scenario: DrScenario, clock: VirtualClock, executions: FailoverExecutions): () => number {
  let pending = scenario.triggers.length;
  for (const trigger of scenario.triggers) {
    clock.schedule(trigger.at * 1000, () => {
      pending--;
      executions.start(trigger);
    });
  }
  return () => pending;
}

interface RunRecords {
  world: RunWorld;
  clock: VirtualClock;
  t0: number;
  elapsed: (ms?: number) => number;
  executions: FailoverResult['executions'];
  events: FailoverResult['events'];
  alarms: ModelledAlarms | undefined;
  log: CallLog;
}

/** The RTO is the (first) completed failover's own report of it. */
function failoverResult(scenario: DrScenario, { world, clock, t0, elapsed, executions, events, alarms, log }: RunRecords): FailoverResult {
  const { emr, elbv2 } = world;
  const completed = executions.find((e) => e.outcome === 'FailoverCompleted');
  const report = (completed?.output as { report?: { rtoSeconds?: number; phases?: Record<RtoPhase, number> } } | undefined)?.report;
  return {
    executions,
    rtoSeconds: report?.rtoSeconds ?? null,
    phases: report?.phases ?? null,
    targets: Object.fromEntries(scenario.targetGroups.map((g) => [g.arn, elbv2.targets(g.arn)])),
    targetHealth: Object.fromEntries(scenario.targetGroups.map((g) => [g.arn, elbv2.history(g.arn, t0, clock.now(), elapsed)])),
    clusters: clusterViews(emr, () => clock.now()),
    events,
    alarms: alarms?.changes ?? [],
    calls: log.calls,
  };
}

/**
 * The `dr` configuration the scenario implies, as lifeguard.config.yaml would hold it. No probe
 * address: the probe asks the target groups which master serves, and reaches it (its emulator) by IP.
 */
export function sandboxDrConfigInput(scenario: DrScenario) {
  return {
    clusters: scenario.clusters.map((c) => {
      return {
        name: c.name,
        clusterId: c.id,
        probe: {
          ports: SERVICE_PORTS,
          // Real timers bound real sockets: keep a hung emulator from stalling the run.
          connectTimeoutMs: 300,
          totalTimeoutMs: 600,
          confirm: c.confirm,
        },
        targetGroups: c.targetGroups.map((arn) => ({ arn })),
        placement: { candidateSubnetIds: c.candidateSubnetIds ?? scenario.subnets.map((s) => s.id) },
        ...(c.runJobFlowTemplate ? { runJobFlowTemplate: c.runJobFlowTemplate } : {}),
        roles: c.roles,
        resubmitSteps: c.resubmitSteps,
        drill: { retireOldCluster: c.drill.retireOldCluster },
        ...(c.alarm ? { alarm: c.alarm } : {}),
        ...(c.standby ? { standby: { clusterId: c.standby.id, rearm: c.standby.rearm } } : {}),
      };
    }),
  };
}

export function sandboxDrConfig(scenario: DrScenario): DrConfig {
  const parsed = drConfigSchema.safeParse(sandboxDrConfigInput(scenario));
  // Scenario clusters become dr.clusters[] (same index): name the configuration field that is wrong.
  if (!parsed.success) throw new Error(`emr scenario is invalid (as the dr configuration it implies):\n${formatIssues(parsed.error)}`);
  return parsed.data;
}
