import { distance } from 'fastest-levenshtein';
import { parseConfig } from '../../lib/config/load.ts';
import { interruptionRules } from '../../lib/events/rules.ts';
import type { LifeguardConfig } from '../../lib/config/schema.ts';
import { handleInterruption } from '../../lib/interruption/handle.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import { CONTINUATION_KEY } from '../../lib/lifecycle/continuation.ts';
import { RecordingLog } from '../../lib/observability/log.ts';
import { InMemoryEventPublisher, InMemoryInstanceDirectory, InMemoryLifecycleActions, InMemorySelfInvoker } from '../aws/in-memory-ports.ts';
import { InMemoryScheduler } from '../aws/in-memory-scheduler.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { KubeEmulator } from '../kube/index.ts';
import { mulberry32 } from '../kube/random.ts';
import { startCluster, type Recorder } from './cluster.ts';
import { prepareEvents, type Delivery } from './deliveries.ts';
import { SimulatedLambda } from './lambda.ts';
import { buildResult, type InterruptionSections, type TimelineEntry } from './result.ts';
import type { Scenario } from './schema.ts';
import { World } from './world.ts';

/**
 * The interruption part of a scenario: the Kubernetes API emulator, EventBridge routing by the
 * deployed rule patterns, the real interruption handler as Lambda runs it (invocations, retries,
 * a time limit) talking to the emulator through @kubernetes/client-node, one-time schedules on the
 * virtual clock, and EC2 acting on instances (Spot reclaims at the deadline, stops, reboots).
 */
export async function runInterruptions(scenario: Scenario, cluster: NonNullable<Scenario['cluster']>, start: number, emit: (entry: TimelineEntry) => void): Promise<InterruptionSections> {
  const clock = new VirtualClock(start);
  const seconds = (ms: number) => Math.round(ms - start) / 1000;
  const timeline: TimelineEntry[] = [];
  const record: Recorder = ({ at, ...rest }) => {
    const full = { t: seconds(at ?? clock.now()), ...rest };
    timeline.push(full);
    emit(full);
  };

  const config = parseConfig({ ...scenario.config, eks: [{ name: cluster.name, endpoint: 'http://127.0.0.1', accessEntry: false }] }, 'scenario config');
  const deliveries = prepareEvents(scenario, start, config.region);
  const { emulator, pdbViolations } = await startCluster(scenario, cluster, clock, record);
  try {
    const world = new World(emulator, clock, cluster.nodes, record);
    const { lambda, scheduler, lifecycle, instances } = lifeguardFunction(scenario, cluster, config, emulator, clock, record);
    for (const delivery of deliveries) clock.schedule(delivery.at - start, () => deliver(delivery, { clock, world, lambda, record }));

    const until = start + scenario.until * 1000;
    await clock.runUntil(until);
    // Invocations still running at `until` may finish (the world stops changing only by itself).
    if (lambda.busy) await clock.runUntil(until + scenario.lambda.timeoutSeconds * 1000, () => !lambda.busy);

    return buildResult({
      cluster,
      emulator,
      timeline,
      invocations: lambda.invocations,
      terminatedAt: world.terminatedAt,
      pdbViolations: pdbViolations(),
      seconds,
      schedules: scheduler.records,
      lifecycleActions: lifecycle.records,
      lambda,
      instances,
    });
  } finally {
    await emulator.close();
  }
}

/** The interruption function wired as it is deployed: its adapters, its schedules, Lambda around it. */
function lifeguardFunction(scenario: Scenario, cluster: NonNullable<Scenario['cluster']>, config: LifeguardConfig, emulator: KubeEmulator, clock: VirtualClock, record: Recorder) {
  const log = new RecordingLog((r) => {
    if (r.level !== 'debug') record({ actor: 'lifeguard', action: r.level === 'info' ? 'log' : r.level, detail: describeLog(r.message, r.extra) });
  });
  const random = mulberry32(scenario.seed);
  const lifecycle = new InMemoryLifecycleActions(clock);
  const typeOf = (payload: Record<string, unknown>) => String((payload[CONTINUATION_KEY] as { type?: unknown } | undefined)?.type ?? 'continuation');
  // Fires within the minute named, at a point drawn from its own stream (the handler's stays as it was).
  const scheduler = new InMemoryScheduler(
    clock,
    (payload, schedule) => {
      const type = typeOf(payload);
      record({ actor: 'scheduler', action: 'fire', detail: `${type} (${schedule.name})` });
      lambda.invoke(payload, { trigger: type === 'resume-drain' ? 'continuation' : 'schedule', schedule: schedule.name });
    },
    mulberry32(scenario.seed ^ SCHEDULER_STREAM),
  );
  const invoker = new InMemorySelfInvoker(clock, (payload) => {
    record({ actor: 'lambda', action: 'invoke', detail: `${typeOf(payload)}: the function invokes itself` });
    lambda.invoke(payload, { trigger: 'continuation' });
  });
  const shared = {
    config,
    clock,
    log,
    clusterName: config.eks[0]!.name,
    scheduler,
    invoker,
    lifecycle,
    events: new InMemoryEventPublisher({ source: config.eventSource, clock, onPublish: (e) => record({ actor: 'lifeguard', action: 'event', detail: e.detailType }) }),
    random,
  };
  const instances = new InMemoryInstanceDirectory(instanceDns(cluster), { clock, latencyMs: cluster.api.latencyMs });
  // One execution environment: what functions/interruption.ts builds at module level, its own client and node index.
  const environment = () => {
    // Every environment signs in as the function's IAM role: Lifeguard's RBAC subject, one API Priority and Fairness flow.
    const kube = createKubeApi(emulator.kubeConfig('lifeguard'), { clock, log, random, rateLimit: config.interruption.apiRateLimit, requestTimeoutMs: SANDBOX_REQUEST_TIMEOUT_MS });
    const deps = { ...shared, kube, nodes: new NodeIndex(kube, { clock, instances, log, region: config.region }) };
    return (payload: unknown, invocation: { id: string; remainingMs(): number }) => handleInterruption(payload, { ...deps, invocation });
  };
  const { lambda: settings } = scenario;
  const lambda: SimulatedLambda = new SimulatedLambda({
    clock,
    timeoutMs: settings.timeoutSeconds * 1000,
    maxRetries: settings.maxRetries,
    concurrency: Math.min(settings.reservedConcurrency ?? settings.accountConcurrency, settings.accountConcurrency),
    coldStartMs: settings.coldStartMs,
    scalingPer10Seconds: settings.scalingPer10Seconds,
    maxEventAgeMs: settings.maximumEventAgeSeconds * 1000,
    environment,
    onStart: (i) => {
      if (i.trigger === 'retry') record({ actor: 'lambda', action: 'retry', detail: `${i.id}: attempt ${i.attempt}${i.step !== undefined ? ` of event ${i.step}` : ''}` });
    },
    onEnd: (i) => {
      if (i.error) record({ actor: 'lifeguard', action: 'error', detail: `${i.id}: ${i.error}` });
    },
    onThrottle: (origin, n) => record({ actor: 'lambda', action: 'throttled', detail: `${origin.trigger}${origin.step !== undefined ? ` of event ${origin.step}` : ''}: no concurrency (try ${n})` }),
    onDrop: (origin, why) => record({ actor: 'lambda', action: 'dropped', detail: `${origin.trigger}${origin.step !== undefined ? ` of event ${origin.step}` : ''}: ${why}` }),
  });
  return { lambda, scheduler, lifecycle, instances };
}

/**
 * The real-time limit on one HTTP exchange in the sandbox. Lifeguard's own (15 s) is there for a
 * connection that never answers; the emulator has none, so in the sandbox only the simulator's own
 * slowness could trip it: a request held in an API Priority and Fairness queue for a virtual second
 * of a large burst can take more than 15 real seconds, and it was retried as a timeout the world
 * never had (93 of them at 500 nodes within 2 s, their number following the machine's load). The
 * emulator answers every request (APF rejects one queued 15 s of virtual time), so this only has
 * to be beyond any run's real time.
 */
export const SANDBOX_REQUEST_TIMEOUT_MS = 30 * 60_000;

/** Mixed into the scenario's seed for the scheduler's firing points. */
const SCHEDULER_STREAM = 0x5c4ed;

/** What EC2 DescribeInstances answers for each node's instance: its private DNS name (the node's name on EKS). */
function instanceDns(cluster: NonNullable<Scenario['cluster']>): Record<string, string> {
  return Object.fromEntries(cluster.nodes.filter((n) => n.instanceId).map((n) => [n.instanceId!, n.name]));
}

/** One step of `events`: the world acting, or EventBridge delivering (or not) an event. */
function deliver(delivery: Delivery, ctx: { clock: VirtualClock; world: World; lambda: SimulatedLambda; record: Recorder }): void {
  const { clock, world, lambda, record } = ctx;
  if (delivery.kind === 'world') return world.act(delivery.step);
  const { event, rule } = delivery;
  const detailType = String(event['detail-type']);
  if (!rule) return record({ actor: 'eventbridge', action: 'not-delivered', detail: `${detailType}: event matched no rule${didYouMean(detailType)}` });
  const ageSeconds = Math.round((clock.now() - Date.parse(String(event.time))) / 1000);
  const late = ageSeconds > 10 ? ` — LATE: the event is ${ageSeconds} s old` : '';
  record({ actor: 'eventbridge', action: 'deliver', detail: `${detailType} → rule ${rule}${delivery.copy > 0 ? ` (copy ${delivery.copy + 1})` : ''}${late}` });
  // EC2 keeps its word: a Spot instance goes away at the end of its warning.
  if (delivery.spotDeadline !== undefined) {
    for (const id of delivery.instanceIds) clock.schedule(delivery.spotDeadline - clock.now(), () => world.terminate(id, 'Spot capacity reclaimed'));
  }
  lambda.invoke(event, { trigger: 'event', step: delivery.step, rule });
}

/** The detail-type a rule expects that is closest to a mistyped one. */
function didYouMean(detailType: string): string {
  const known = interruptionRules.flatMap((r) => (r.pattern['detail-type'] as string[] | undefined) ?? []);
  const scored = known.map((k) => ({ k, d: distance(detailType.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(3, Math.floor(best.k.length / 4)) ? ` — did you mean "${best.k}"?` : '';
}

function describeLog(message: string, extra: Record<string, unknown>): string {
  const facts = ['node', 'pod', 'reason'].filter((k) => typeof extra[k] === 'string').map((k) => `${k}=${String(extra[k])}`);
  return facts.length ? `${message} (${facts.join(', ')})` : message;
}
