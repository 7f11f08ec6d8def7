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
import { buildResult, type SimulationResult, type TimelineEntry } from './result.ts';
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
 * Runs a scenario end to end on a virtual clock: the Kubernetes API emulator, EventBridge routing by
 * the deployed rule patterns, the real interruption handler talking to the emulator through
 * @kubernetes/client-node, and EC2 reclaiming Spot instances at their deadline.
 */
export async function runScenario(scenario: Scenario, options: { onTimeline?: (entry: TimelineEntry) => void } = {}): Promise<SimulationResult> {
  const clock = new VirtualClock(Date.parse(scenario.start));
  const start = clock.now();
  const seconds = (ms: number) => Math.round(ms - start) / 1000;
  const timeline: TimelineEntry[] = [];
  const record = (entry: Omit<TimelineEntry, 't'> & { at?: number }) => {
    const { at, ...rest } = entry;
    const full = { t: seconds(at ?? clock.now()), ...rest };
    timeline.push(full);
    options.onTimeline?.(full);
  };

  const config = parseConfig(
    { ...scenario.config, eks: [{ name: scenario.cluster.name, endpoint: 'http://127.0.0.1', accessEntry: false }] },
    'scenario config',
  );
  const deliveries = prepareEvents(scenario, start, config.region);

  let pdbViolations = 0;
  let emulator: KubeEmulator | undefined = undefined;
  emulator = await startKubeEmulator({
    clock,
    latencyMs: scenario.cluster.api.latencyMs,
    ...(scenario.cluster.api.faults ? { faults: scenario.cluster.api.faults } : {}),
    seed: scenario.seed,
    ...(scenario.cluster.recreateDelaySeconds !== undefined ? { recreateDelaySeconds: scenario.cluster.recreateDelaySeconds } : {}),
    ...(scenario.cluster.readyDelaySeconds !== undefined ? { readyDelaySeconds: scenario.cluster.readyDelaySeconds } : {}),
    onEvent: (event) => {
      record({ at: event.at, actor: event.actor, action: event.action, ...pick(event) });
      // An independent check of the budgets: an eviction that leaves a budget below its desired
      // number of healthy pods is a violation, whoever let it through.
      if (event.action === 'terminating' && event.detail?.startsWith('eviction') && event.pod && emulator) pdbViolations += violatedBudgets(emulator, event.pod);
    },
  });

  try {
    for (const node of scenario.cluster.nodes) emulator.addNode(node);
    for (const pdb of scenario.cluster.pdbs) emulator.addPdb(pdb);
    for (const pod of scenario.cluster.pods) emulator.addPod(pod);

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
    const nodeByInstance = new Map(scenario.cluster.nodes.map((n) => [n.instanceId, n.name]));
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

    return buildResult({ scenario, start, emulator, timeline, invocations, terminatedAt, pdbViolations, seconds });
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
