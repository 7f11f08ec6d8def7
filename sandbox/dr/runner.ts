import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { drConfigSchema, type DrConfig } from '../../lib/config/dr.ts';
import { formatIssues } from '../../lib/config/load.ts';
import type { ValidateEvent } from '../../lib/dr/execution.ts';
import { probeCluster } from '../../lib/dr/probe.ts';
import type { RtoPhase } from '../../lib/dr/rto.ts';
import type { FailoverExecutionResult, FailoverResult, SandboxExecutionState } from './failover-result.ts';
import { stepFunctionsErrorName, taskStates, taskTarget } from '../../lib/dr/task-resources.ts';
import { makePlanHandler } from '../../lib/dr/plan-handler.ts';
import { silentLog } from '../../lib/observability/log.ts';
import { makeProbeHandlers } from '../../functions/dr-probe.ts';
import { reportHandler } from '../../functions/dr-report.ts';
import { attemptHandler } from '../../functions/dr-attempt.ts';
import { carrySteps } from '../../lib/dr/carry-steps.ts';
import { liveSessionsSeen, WORK_IDS_LISTED } from '../../lib/dr/hadoop-checks.ts';
import type { HadoopWork } from '../hadoop/emulator.ts';
import { lastSeenItem, lastSeenKey, type LastSeen } from '../../lib/dr/last-seen.ts';
import { makeValidateHandler } from '../../functions/dr-validate.ts';
import { failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { HadoopEmulator } from '../hadoop/emulator.ts';
import { buildDrWorld, buildLoadBalancing, ec2Call } from './world.ts';
import { stepSummary } from './emr-steps.ts';
import { STANDBY_TAG } from '../../lib/dr/tags.ts';
import { clusterHealth, passes, SERVICE_PORTS, serviceOnPort } from './master-health.ts';
import { masterNetwork } from './master-network.ts';
import { PROBE_INTERVAL_SECONDS, SandboxAlarm } from './alarm.ts';
import { withVirtualWaits, type LocalHandler } from './local-definition.ts';
import { InMemoryLockTable } from './lock-table.ts';
import { sandboxEc2Client, sandboxElbv2Client, sandboxEmrClient } from './sdk-clients.ts';
import { drScenarioSchema, type DrScenario, type DrScenarioSpec } from './scenario.ts';
import { CallLog, ServiceError, type Caller } from './service-error.ts';
import { withVirtualRetryDelays } from './task-retries.ts';
import { probeAddressResolver } from '../../lib/dr/serving-master.ts';
import { DR_SDK_MAX_ATTEMPTS, PROBE_SDK_MAX_ATTEMPTS } from '../../lib/dr/sdk-retry.ts';
import type { SandboxAws } from '../aws/calls.ts';
import { recordAlarmTrigger, recordEmulatorCalls, recordLambdaInvocations, TASK_FUNCTIONS } from './aws-calls.ts';

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

  const sleep = (ms: number) => clock.sleep(ms);
  const park = (sleeping: Promise<void>) => clock.parked(() => sleeping);
  const { ec2, emr } = buildDrWorld(scenario, { t0, now: () => clock.now(), log });
  const healthOf = clusterHealth(scenario, emr, t0);
  const serving = (ip: string, port: number, atMs: number): boolean => {
    const cluster = emr.byMasterIp(ip);
    if (!cluster) return false;
    if (cluster.createdByScenario && scenario.newTargetsNeverHealthy) return false;
    if (scenario.clusters.some((c) => c.standby?.id === cluster.id && c.standby.targetsNeverHealthy)) return false;
    return passes(healthOf(cluster, atMs), serviceOnPort(port));
  };
  const elbv2 = buildLoadBalancing(scenario, { t0, now: () => clock.now(), log, ec2, serving });
  const workOf = (cluster: { id: string }): HadoopWork | undefined => {
    const running = scenario.clusters.find((c) => c.id === cluster.id)?.running;
    return running && { yarnApplications: running.yarnApplications.map((a) => ({ ...a, state: 'RUNNING' as const })), livySessions: running.livySessions };
  };
  const locks = new InMemoryLockTable(log);
  // The deployed probe ran every minute before the scenario began: a cluster healthy at the start
  // has a record of what it ran one probe interval earlier (world state, like the seeded targets).
  for (const c of scenario.clusters) {
    const cluster = emr.clusters.get(c.id)!;
    if (!passes(healthOf(cluster, t0), undefined)) continue;
    const work = workOf(cluster);
    const apps = work?.yarnApplications ?? [];
    locks.items.set(
      lastSeenKey(c.name),
      lastSeenItem(c.name, {
        at: new Date(t0 - PROBE_INTERVAL_SECONDS * 1000).toISOString(),
        yarnApplications: { count: apps.length, ids: apps.slice(0, WORK_IDS_LISTED).map((a) => a.id) },
        livySessions: liveSessionsSeen(work?.livySessions ?? []),
      }),
    );
  }
  const events: FailoverResult['events'] = [];

  const dr = sandboxDrConfig(scenario);
  // The Lambdas' SDK clients, one set per caller so faults can be aimed at one of them.
  const clientsFor = (caller: Caller) => {
    const options = { sleep, park, maxAttempts: caller === 'probe' || caller === 'confirm' ? PROBE_SDK_MAX_ATTEMPTS : DR_SDK_MAX_ATTEMPTS };
    return {
      emr: sandboxEmrClient((action, input) => emr.call(action, input, caller), options),
      ec2: sandboxEc2Client((action, input) => ec2Call(ec2, action, input, caller), options),
      elbv2: sandboxElbv2Client((action, input) => elbv2.call(action, input, caller), options),
    };
  };
  const sdk = clientsFor('planner');
  const stepsEmr = clientsFor('steps').emr;

  const routedFetch = masterNetwork({ emr, healthOf, now: () => clock.now(), emulators, workOf });

  // The handlers' own code (minus the middy wiring). The planner is called directly: its handler
  // module logs to stdout, which would interleave with `--json` output.
  // The scheduled probe and the confirm step are two Lambdas, each with its own warm state.
  const probeHandlersFor = (caller: 'probe' | 'confirm') =>
    makeProbeHandlers({
      config: dr,
      log: silentLog,
      metrics: { addDimension: () => undefined, addMetric: () => undefined, publishStoredMetrics: () => undefined },
      probe: (cluster, probeOptions) => clock.io(() => probeCluster(cluster, { ...probeOptions, fetch: routedFetch })),
      resolveAddress: probeAddressResolver(clientsFor(caller).elbv2),
      now: () => clock.now(),
      // The scheduled probe keeps what it saw running in the lock table, as deployed.
      ...(caller === 'probe' ? { lastSeen: { record: async (cluster: string, seen: LastSeen) => void locks.call('PutItem', { TableName: refs.lockTable, Item: lastSeenItem(cluster, seen) }, 'probe') } } : {}),
    });
  const probeHandlers = probeHandlersFor('probe');
  const confirmHandlers = probeHandlersFor('confirm');
  const validate = makeValidateHandler(dr);
  const plan = makePlanHandler({ log: silentLog, deps: () => ({ config: dr, ...sdk, now: () => clock.now() }) });
  const lambdas: Record<string, LocalHandler> = {
    [String(refs.validateFunction)]: async (event) => validate(event as ValidateEvent),
    // A Lambda's work is tracked on the clock: time waits for it (its SDK back-offs park it).
    [String(refs.confirmFunction)]: async (event) => clock.io(() => confirmHandlers.confirm(event)),
    // The real plan handler: its input validation runs in every sandbox execution too.
    [String(refs.planFunction)]: async (event) => clock.io(() => plan(event)),
    [String(refs.stepsFunction)]: async (event) => clock.io(() => carrySteps(event, stepsEmr)),
    [String(refs.attemptFunction)]: async (event) => attemptHandler(event),
    [String(refs.reportFunction)]: async (event) => reportHandler(event),
  };
  const functionKeys = new Map(Object.entries(TASK_FUNCTIONS).map(([ref, key]) => [String(refs[ref as keyof typeof TASK_FUNCTIONS]), key]));
  const services: Record<string, (action: string, input: Record<string, unknown>) => unknown> = {
    emr: (action, input) => emr.call(action, input, 'stateMachine'),
    elbv2: (action, input) => elbv2.call(action, input, 'stateMachine'),
    dynamodb: (action, input) => locks.call(action as 'PutItem' | 'DeleteItem' | 'GetItem', input),
    events: (_action, input) => {
      const entries = (input.Entries as Array<{ Source: string; DetailType: string; Detail: unknown }>) ?? [];
      log.enter('events', 'PutEvents', input);
      for (const e of entries) events.push({ t: elapsed(), source: e.Source, detailType: e.DetailType, detail: parseDetail(e.Detail) });
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `sandbox-event-${events.length - entries.length + i + 1}` })) };
    },
  };

  const base = failoverDefinition(refs);
  const { definition, waitHandlers } = withVirtualWaits(base, clock);
  const handlers: Record<string, LocalHandler> = { ...waitHandlers };
  const retryOverrides: Record<string, number> = {};
  const retriersOf = taskRetriers(base);
  for (const { name, resource } of taskStates(base)) {
    // The local runner would wait out retry intervals on wall-clock timers: the wrapper sleeps them virtually.
    retryOverrides[name] = 0;
    const target = taskTarget(resource);
    let handler: LocalHandler;
    if (target.kind === 'lambda') {
      const fn = lambdas[target.functionArn];
      const key = functionKeys.get(target.functionArn);
      if (!fn || !key) throw new Error(`${name}: no local handler for ${target.functionArn}`);
      handler = async (input) => {
        invoked(key, { stateMachine: 'failover' });
        return json(await fn(json(input)));
      };
    } else {
      const call = services[target.service]!;
      handler = async (input) => {
        try {
          return json(await call(target.action, json(input) as Record<string, unknown>));
        } catch (err) {
          if (err instanceof ServiceError) throw Object.assign(new Error(err.message), { name: stepFunctionsErrorName(target, err.name) });
          throw err;
        }
      };
    }
    handlers[name] = withVirtualRetryDelays(handler, retriersOf.get(name) ?? [], sleep);
  }
  const machine = new StateMachine(definition as never);

  const executions: FailoverExecutionResult[] = [];
  const running = new Set<Promise<void>>();
  const aborts: Array<() => void> = [];
  let pendingTriggers = scenario.triggers.length;
  // $$.State.EnteredTime, read when a state's payload template is evaluated, i.e. as it is entered.
  const stateContext = Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date(clock.now()).toISOString() });

  type Trigger = DrScenario['triggers'][number] & { source?: 'scenario' | 'alarm' };
  /** Starts one execution, as StartExecution from the trigger rule (or by hand) would. */
  const start = (trigger: Trigger) => {
    const cluster = trigger.cluster ?? scenario.clusters[0]!.name;
    const name = `sandbox-${executions.length + 1}-${trigger.mode}`;
    const record: FailoverExecutionResult = {
      id: `arn:aws:states:us-east-1:123456789012:execution:lifeguard-failover:${name}`,
      trigger: { ...trigger, cluster },
      startedAt: elapsed(),
      endedAt: null,
      status: 'TIMED_OUT',
      outcome: 'TimedOut',
      states: [],
    };
    executions.push(record);
    // A failover is started by the trigger rule on the cluster's alarm; a drill, by a person.
    if (aws && trigger.mode === 'failover') recordAlarmTrigger(aws, cluster, clock.now() - trigger.alarmDelaySeconds * 1000);
    const input: Record<string, unknown> = { cluster, mode: trigger.mode };
    // As the deployed rule does: a failover trigger is the alarm's event and carries its state-change time.
    if (trigger.mode === 'failover') input.detectedAt = new Date(clock.now() - trigger.alarmDelaySeconds * 1000).toISOString();
    if (trigger.dryRun !== undefined) input.dryRun = trigger.dryRun;
    if (trigger.retireOldCluster !== undefined) input.retireOldCluster = trigger.retireOldCluster;
    if (trigger.resubmitSteps !== undefined) input.resubmitSteps = trigger.resubmitSteps;
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
      context: { Execution: { Id: record.id, Name: name }, State: stateContext },
      noThrowOnAbort: true,
    });
    aborts.push(execution.abort);
    const follow = (async () => {
      for await (const event of execution.eventLogs) {
        const kind = ({ StateEntered: 'entered', StateFailed: 'failed', StateRetried: 'retried', StateCaught: 'caught' } as const)[
          event.type as 'StateEntered'
        ];
        if (!kind || !('state' in event)) continue;
        const entry: SandboxExecutionState = { t: elapsed(), state: event.state.name, event: kind };
        if ('Error' in event) entry.error = String(event.Error);
        record.states.push(entry);
        options.onState?.(record.id, entry);
      }
    })();
    const done = execution.result.then(
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
    const tracked = Promise.all([done, follow]).then(() => {
      running.delete(tracked);
    });
    running.add(tracked);
  };
  let alarmFailure: Error | undefined;
  // The deployed trigger path: the scheduled probe every minute feeds each cluster's alarm; a
  // change to ALARM is an EventBridge event that starts a failover after its delivery delay.
  function modelAlarms(deliveryDelaySeconds: number): FailoverResult['alarms'] {
    const changes: FailoverResult['alarms'] = [];
    const byCluster = new Map(dr.clusters.map((c) => [c.name, new SandboxAlarm(c.alarm)]));
    const tick = () => {
      // A failing probe run must end the scenario with its error, not vanish as an unhandled rejection.
      clock.io(async () => {
        invoked('drProbe', { eventbridge: { schedule: 'rate(1 minute)' } });
        const { verdicts } = await probeHandlers.scheduled();
        for (const verdict of verdicts) {
          const changed = byCluster.get(verdict.cluster)?.record(verdict.healthy);
          if (!changed) continue;
          const at = elapsed();
          changes.push({ t: at, cluster: verdict.cluster, state: changed });
          if (changed === 'ALARM') {
            clock.schedule(deliveryDelaySeconds * 1000, () =>
              start({ at: at + deliveryDelaySeconds, cluster: verdict.cluster, mode: 'failover', alarmDelaySeconds: deliveryDelaySeconds, source: 'alarm' }),
            );
          }
        }
      }).catch((err: unknown) => {
        alarmFailure ??= err instanceof Error ? err : new Error(String(err));
      });
      if (clock.now() + PROBE_INTERVAL_SECONDS * 1000 <= untilMs) clock.schedule(PROBE_INTERVAL_SECONDS * 1000, tick);
    };
    clock.schedule(PROBE_INTERVAL_SECONDS * 1000, tick);
    return changes;
  }

  for (const trigger of scenario.triggers) {
    clock.schedule(trigger.at * 1000, () => {
      pendingTriggers--;
      start(trigger);
    });
  }

  const untilMs = t0 + scenario.until * 1000;
  const alarms = scenario.alarms ? modelAlarms(scenario.alarms.deliveryDelaySeconds) : [];
  // With modelled alarms the world keeps probing until `until`; otherwise the run ends with its executions.
  await clock.runUntil(untilMs, () => !scenario.alarms && pendingTriggers === 0 && running.size === 0);
  for (const abort of aborts) abort();
  await Promise.all([...running]);
  if (alarmFailure) throw new Error(`the scheduled probe failed in the sandbox: ${alarmFailure.message}`, { cause: alarmFailure });
  // The world goes on after the last execution: old targets finish draining, old clusters finish terminating.
  const settledAt = Math.max(clock.now(), elbv2.drainedBy() ?? 0, ...[...emr.clusters.values()].map((c) => emr.settledBy(c)));
  await clock.runUntil(Math.min(untilMs, settledAt));

  const completed = executions.find((e) => e.outcome === 'FailoverCompleted');
  const report = (completed?.output as { report?: { rtoSeconds?: number; phases?: Record<RtoPhase, number> } } | undefined)?.report;
  return {
    executions,
    rtoSeconds: report?.rtoSeconds ?? null,
    phases: report?.phases ?? null,
    targets: Object.fromEntries(scenario.targetGroups.map((g) => [g.arn, elbv2.targets(g.arn)])),
    targetHealth: Object.fromEntries(scenario.targetGroups.map((g) => [g.arn, elbv2.history(g.arn, t0, clock.now(), elapsed)])),
    clusters: Object.fromEntries(
      [...emr.clusters.values()].map((c) => [
        c.id,
        {
          name: c.name,
          state: emr.state(c),
          zone: c.zone,
          subnetId: c.subnetId,
          masterIp: c.masterIp,
          terminationProtected: c.terminationProtected,
          replaces: c.tags['lifeguard:replaces'] ?? null,
          steps: emr.steps(c).runs.map((run) => {
            const s = stepSummary(run, clock.now());
            return { id: s.Id, name: s.Name, state: s.Status.State, actionOnFailure: s.ActionOnFailure, args: s.Config.Args };
          }),
          instanceGroups: emr.instanceGroupCounts(c),
          standbyOf: c.tags[STANDBY_TAG] ?? null,
        },
      ]),
    ),
    events,
    alarms,
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

/** Every Task state's Retry list, nested states included (Map item processors). */
function taskRetriers(definition: { States: Record<string, unknown> }): Map<string, Array<{ ErrorEquals: string[] }>> {
  const found = new Map<string, Array<{ ErrorEquals: string[] }>>();
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as { Type?: string; Retry?: Array<{ ErrorEquals: string[] }>; ItemProcessor?: { States: Record<string, unknown> } };
      if (state.Type === 'Task') found.set(name, state.Retry ?? []);
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
    }
  };
  visit(definition.States);
  return found;
}

/** Step Functions moves JSON: no undefined, no shared references. */
function json(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function parseDetail(detail: unknown): unknown {
  if (typeof detail !== 'string') return detail;
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}
