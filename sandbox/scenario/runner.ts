import { RecordingLog } from '../../lib/observability/log.ts';
import { parseConfig } from '../../lib/config/load.ts';
import { matchesPattern, validatePattern } from '../../lib/events/pattern.ts';
import { interruptionRules } from '../../lib/events/rules.ts';
import { InvalidEventError } from '../../lib/events/notice.ts';
import { parseEvent, UnsupportedEventError } from '../../lib/events/parse.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import { handleInterruption, type InterruptionReport } from '../../lib/interruption/handle.ts';
import { InMemoryEventPublisher, InMemoryInstanceDirectory, InMemoryLifecycleActions } from '../aws/in-memory-ports.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../kube/index.ts';
import { mulberry32 } from '../kube/random.ts';
import { completeEvent } from './events.ts';
import { ScenarioError } from './load.ts';
import { buildResult, emptyInterruptionResult, type FailoverSection, type SimulationResult, type TimelineEntry } from './result.ts';
import { runFailoverScenario } from '../dr/runner.ts';
import type { DrScenarioSpec } from '../dr/scenario.ts';
import type { Scenario } from './schema.ts';

/** Lambda's hard limit: an invocation still running this long after delivery is cut off. */
const LAMBDA_TIMEOUT_MS = 900_000;

export interface Invocation {
  /** Index of the step in `events`. */
  step: number;
  deliveredAt: number;
  rule: string;
  report?: InterruptionReport;
  error?: string;
}

/**
 * Runs a scenario end to end on virtual clocks: the interruption part (the Kubernetes API
 * emulator, EventBridge routing by the deployed rule patterns, the real interruption handler
 * talking to the emulator through @kubernetes/client-node, EC2 reclaiming Spot instances at their
 * deadline) and the disaster-recovery part (the real failover state machine in the DR sandbox).
 * The two parts are independent worlds sharing one timeline.
 */
export async function runScenario(scenario: Scenario, options: { onTimeline?: (entry: TimelineEntry) => void } = {}): Promise<SimulationResult> {
  const start = Date.parse(scenario.start);
  const timeline: TimelineEntry[] = [];
  // Entries are printed as they come; each part is in time order, the parts run one after the other.
  const record = (entry: TimelineEntry) => {
    timeline.push(entry);
    options.onTimeline?.(entry);
  };
  const interruptions = scenario.cluster ? await runInterruptions(scenario, scenario.cluster, start, record) : undefined;
  const failover = scenario.emr ? await runFailover(scenario.emr, start, record) : undefined;
  timeline.sort((a, b) => a.t - b.t);
  return { scenario: scenario.name, timeline, ...(interruptions ?? emptyInterruptionResult()), ...(failover ? { failover } : {}) };
}

/** The DR part: the state machine's states on the timeline, and the result's `failover` section. */
async function runFailover(spec: DrScenarioSpec, start: number, record: (entry: TimelineEntry) => void): Promise<FailoverSection> {
  const clock = new VirtualClock(start);
  const result = await runFailoverScenario(spec, {
    clock,
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

async function runInterruptions(
  scenario: Scenario,
  cluster: NonNullable<Scenario['cluster']>,
  start: number,
  emit: (entry: TimelineEntry) => void,
): Promise<Omit<SimulationResult, 'scenario' | 'timeline' | 'failover'>> {
  const clock = new VirtualClock(start);
  const seconds = (ms: number) => Math.round(ms - start) / 1000;
  const timeline: TimelineEntry[] = [];
  const record = (entry: Omit<TimelineEntry, 't'> & { at?: number }) => {
    const { at, ...rest } = entry;
    const full = { t: seconds(at ?? clock.now()), ...rest };
    timeline.push(full);
    emit(full);
  };

  const config = parseConfig(
    { ...scenario.config, eks: [{ name: cluster.name, endpoint: 'http://127.0.0.1', accessEntry: false }] },
    'scenario config',
  );
  const deliveries = prepareEvents(scenario, start, config.region);

  let pdbViolations = 0;
  let emulator: KubeEmulator | undefined = undefined;
  emulator = await startKubeEmulator({
    clock,
    latencyMs: cluster.api.latencyMs,
    ...(cluster.api.faults ? { faults: cluster.api.faults } : {}),
    seed: scenario.seed,
    ...(cluster.recreateDelaySeconds !== undefined ? { recreateDelaySeconds: cluster.recreateDelaySeconds } : {}),
    ...(cluster.readyDelaySeconds !== undefined ? { readyDelaySeconds: cluster.readyDelaySeconds } : {}),
    onEvent: (event) => {
      record({ at: event.at, actor: event.actor, action: event.action, ...pick(event) });
      // An independent check of the budgets: an eviction that leaves a budget below its desired
      // number of healthy pods is a violation, whoever let it through.
      if (event.action === 'terminating' && event.detail?.startsWith('eviction') && event.pod && emulator) pdbViolations += violatedBudgets(emulator, event.pod);
    },
  });

  try {
    for (const node of cluster.nodes) emulator.addNode(node);
    for (const pdb of cluster.pdbs) emulator.addPdb(pdb);
    for (const pod of cluster.pods) emulator.addPod(pod);

    const random = mulberry32(scenario.seed);
    const log = new RecordingLog((r) => {
      if (r.level !== 'debug') record({ actor: 'lifeguard', action: r.level === 'info' ? 'log' : r.level, detail: describeLog(r.message, r.extra) });
    });
    const kube = createKubeApi(emulator.kubeConfig(), { clock, log, random });
    const instances = new InMemoryInstanceDirectory();
    const deps = {
      config,
      clock,
      log,
      kube,
      nodes: new NodeIndex(kube, { clock, instances, log }),
      lifecycle: new InMemoryLifecycleActions(clock),
      events: new InMemoryEventPublisher({
        source: config.eventSource,
        clock,
        onPublish: (e) => record({ actor: 'lifeguard', action: 'event', detail: e.detailType }),
      }),
      random,
    };

    const invocations: Invocation[] = [];
    const running = new Set<Promise<void>>();
    const nodeByInstance = new Map(cluster.nodes.map((n) => [n.instanceId, n.name]));
    const terminatedAt = new Map<string, number>();
    const terminateInstance = (instanceId: string, why: string) => {
      const node = nodeByInstance.get(instanceId);
      if (!node || terminatedAt.has(node)) return;
      terminatedAt.set(node, clock.now());
      record({ actor: 'ec2', action: 'instance-terminated', node, detail: `${instanceId}: ${why}` });
      emulator!.terminateNode(node);
    };

    deliveries.forEach((delivery, step) => {
      clock.schedule(delivery.at - start, () => {
        if (delivery.kind === 'terminate') return terminateInstance(delivery.instanceId, 'terminated by the scenario');
        const { event, rule } = delivery;
        const detailType = String(event['detail-type']);
        if (!rule) {
          record({ actor: 'eventbridge', action: 'not-delivered', detail: `${detailType}: no Lifeguard rule matches` });
          return;
        }
        record({ actor: 'eventbridge', action: 'deliver', detail: `${detailType} → rule ${rule}` });
        // EC2 keeps its word: a Spot instance goes away at the end of its warning.
        if (delivery.spotDeadline !== undefined) {
          for (const id of delivery.instanceIds) {
            clock.schedule(delivery.spotDeadline - clock.now(), () => terminateInstance(id, 'Spot capacity reclaimed'));
          }
        }
        const invocation: Invocation = { step, deliveredAt: clock.now(), rule };
        invocations.push(invocation);
        const run = handleInterruption(event, deps).then(
          (report) => {
            invocation.report = report;
          },
          (err: unknown) => {
            invocation.error = err instanceof Error ? err.message : String(err);
            record({ actor: 'lifeguard', action: 'error', detail: invocation.error });
          },
        );
        const tracked = run.finally(() => running.delete(tracked));
        running.add(tracked);
      });
    });

    const until = start + scenario.until * 1000;
    await clock.runUntil(until);
    // Invocations still running at `until` may finish (the world stops changing only by itself).
    if (running.size > 0) await clock.runUntil(until + LAMBDA_TIMEOUT_MS, () => running.size === 0);
    for (const invocation of invocations) {
      if (!invocation.report && !invocation.error) invocation.error = 'still running when the Lambda timeout was reached';
    }

    return buildResult({ cluster, emulator, timeline, invocations, terminatedAt, pdbViolations, seconds });
  } finally {
    await emulator.close();
  }
}

type Delivery =
  | { kind: 'terminate'; at: number; instanceId: string }
  | { kind: 'event'; at: number; event: Record<string, unknown>; rule?: string; instanceIds: string[]; spotDeadline?: number };

/**
 * Completes and checks every event before anything runs: an event Lifeguard's parser rejects makes the
 * scenario invalid (naming the step and field); an event no rule matches is kept, to show it is not
 * delivered.
 */
function prepareEvents(scenario: Scenario, start: number, region: string): Delivery[] {
  const rules = interruptionRules.map((r) => ({ name: r.name, pattern: validatePattern(r.pattern) }));
  return scenario.events.map((step, index): Delivery => {
    const at = start + step.at * 1000;
    if ('terminateInstance' in step) return { kind: 'terminate', at, instanceId: step.terminateInstance };
    const event = completeEvent(step.event, { index, seed: scenario.seed, deliveredAt: at, region });
    const rule = rules.find((r) => matchesPattern(r.pattern, event))?.name;
    try {
      const notice = parseEvent(event);
      const spotDeadline = notice.kind === 'spot-interruption' ? (notice.deadline ?? at) : undefined;
      return { kind: 'event', at, event, ...(rule ? { rule } : {}), instanceIds: notice.instanceIds, ...(spotDeadline !== undefined ? { spotDeadline } : {}) };
    } catch (err) {
      if (err instanceof UnsupportedEventError) return { kind: 'event', at, event, ...(rule ? { rule } : {}), instanceIds: [] };
      if (err instanceof InvalidEventError) {
        const field = err.field ? `.${err.field}` : '';
        throw new ScenarioError(`scenario is invalid:\n  - events.${index}.event${field}: ${err.message}`);
      }
      throw err;
    }
  });
}

function pick(event: { node?: string; pod?: string; detail?: string }) {
  return {
    ...(event.node ? { node: event.node } : {}),
    ...(event.pod ? { pod: event.pod } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  };
}

function violatedBudgets(emulator: KubeEmulator, podRef: string): number {
  const [namespace, name] = podRef.split('/') as [string, string];
  const pod = emulator.pod(namespace, name);
  if (!pod) return 0;
  const labels = pod.metadata.labels ?? {};
  return emulator
    .pdbs()
    .filter((pdb) => pdb.metadata.namespace === namespace)
    .filter((pdb) => Object.entries(pdb.spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v))
    .filter((pdb) => (pdb.status?.currentHealthy ?? 0) < (pdb.status?.desiredHealthy ?? 0)).length;
}

function describeLog(message: string, extra: Record<string, unknown>): string {
  const facts = ['node', 'pod', 'reason'].filter((k) => typeof extra[k] === 'string').map((k) => `${k}=${String(extra[k])}`);
  return facts.length ? `${message} (${facts.join(', ')})` : message;
}
