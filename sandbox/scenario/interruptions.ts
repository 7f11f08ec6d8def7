import { parseConfig } from '../../lib/config/load.ts';
import type { LifeguardConfig } from '../../lib/config/schema.ts';
import { handleInterruption } from '../../lib/interruption/handle.ts';
import { handleNoticeBatch, isSqsBatch, type NoticeBatchResult } from '../../lib/interruption/notice-batch.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import { CONTINUATION_KEY } from '../../lib/lifecycle/continuation.ts';
import { RecordingLog } from '../../lib/observability/log.ts';
import { errorMessage } from '../../lib/util/errors.ts';
import { InMemoryEventPublisher, InMemoryInstanceDirectory, InMemoryLifecycleActions, InMemorySelfInvoker } from '../aws/in-memory-ports.ts';
import { InMemoryScheduler } from '../aws/in-memory-scheduler.ts';
import { lambdaLogWrites, queueRequest, sendMessage, type SandboxAws } from '../aws/calls.ts';
import { RecordedEventPublisher, RecordedInstanceDirectory, RecordedLifecycleActions, RecordedScheduler, RecordedNoticeSender } from '../aws/recorded-ports.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { KubeEmulator } from '../kube/index.ts';
import { mulberry32 } from '../kube/random.ts';
import { startCluster, type Recorder } from './cluster.ts';
import { prepareEvents, type Delivery } from './deliveries.ts';
import { ScenarioError } from './load.ts';
import { SimulatedEventSourceMapping, type Batch } from './event-source-mapping.ts';
import { SimulatedLambda, type Execution, type Invocation } from './lambda.ts';
import { OtherHandlers } from './other-handlers.ts';
import { SimulatedQueue, type MessageOrigin } from './sqs-queue.ts';
import { buildResult, type InterruptionSections, type TimelineEntry } from './result.ts';
import type { Scenario } from './schema.ts';
import { detailTypeSuggestion, unexpectedEvents } from './unexpected-events.ts';
import { World } from './world.ts';

/**
 * The interruption part of a scenario: the Kubernetes API emulator, EventBridge routing by the
 * deployed rule patterns to the notice queue, Lambda's event source mapping feeding the real
 * interruption handler batches of notices (or, with `queue: false`, EventBridge invoking it once
 * per event, as the stack did before the queue), talking to the emulator through
 * @kubernetes/client-node, one-time schedules on the virtual clock, and EC2 acting on instances
 * (Spot reclaims at the deadline, stops, reboots).
 */
export async function runInterruptions(
  scenario: Scenario,
  cluster: NonNullable<Scenario['cluster']>,
  start: number,
  emit: (entry: TimelineEntry) => void,
  aws?: SandboxAws,
): Promise<InterruptionSections> {
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
    const { lambda, scheduler, lifecycle, instances, input, notices } = lifeguardFunction(scenario, cluster, config, emulator, clock, record, aws);
    const others = new OtherHandlers(cluster.otherHandlers, { clock, emulator, world, nodes: cluster.nodes, record, timeoutMs: SANDBOX_REQUEST_TIMEOUT_MS });
    for (const delivery of deliveries) clock.schedule(delivery.at - start, () => deliver(delivery, { clock, world, input, record, aws, others }));

    const until = start + scenario.until * 1000;
    await clock.runUntil(until);
    // Invocations still running at `until` may finish (the world stops changing only by itself).
    const busy = () => lambda.busy || notices?.mapping.busy === true;
    if (busy()) await clock.runUntil(until + scenario.lambda.timeoutSeconds * 1000, () => !busy());

    const result = buildResult({
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
      ...(notices ? { queue: { ...notices.queue.stats, deadLettered: notices.queue.deadLetters.length, ...notices.mapping.stats } } : {}),
    });
    return { ...result, unexpectedEvents: unexpectedEvents(scenario, deliveries, lambda.invocations) };
  } finally {
    await emulator.close();
  }
}

/** Where work for the function goes: the notice queue (as deployed), or Lambda directly (`queue: false`). */
export interface FunctionInput {
  deliver(payload: Record<string, unknown>, origin: MessageOrigin): void;
}

/** The interruption function wired as it is deployed: its adapters, its schedules, its notice queue, Lambda around it. */
function lifeguardFunction(
  scenario: Scenario,
  cluster: NonNullable<Scenario['cluster']>,
  config: LifeguardConfig,
  emulator: KubeEmulator,
  clock: VirtualClock,
  record: Recorder,
  aws: SandboxAws | undefined,
) {
  // Filled below: the scheduler and the function hand their work to it.
  let input: FunctionInput | undefined;
  const deliver: FunctionInput['deliver'] = (payload, origin) => input!.deliver(payload, origin);
  const { ports, shared, scheduler, lifecycle, instances } = functionPorts(scenario, cluster, config, clock, record, aws, deliver);
  // Filled below once Lambda exists: the queue the function's retry delays go to.
  const wired: { queue?: SimulatedQueue } = {};
  const logWrites = aws && lambdaLogWrites(aws, 'interruption');
  const environment = executionEnvironment({ config, emulator, clock, aws, logWrites, shared, instances: ports.instances, wired });
  const lambda = simulatedLambda(scenario, clock, environment, logWrites, record);
  const queueSettings = resolveQueue(scenario, config);
  if (!queueSettings) {
    if (aws) throw new ScenarioError("scenario is invalid:\n  - queue: `false` runs the stack as it was before the notice queue, so its AWS requests are not the packaged stack's; leave `queue` out to record them");
    input = { deliver: (payload, origin) => lambda.invoke(payload, origin) };
    return { lambda, scheduler, lifecycle, instances, input, notices: undefined };
  }
  const notices = noticeQueue(queueSettings, { config, clock, lambda, record, aws });
  wired.queue = notices.queue;
  input = { deliver: (payload, origin) => void notices.queue.send(JSON.stringify(payload), origin) };
  return { lambda, scheduler, lifecycle, instances, input, notices };
}

const continuationType = (payload: Record<string, unknown>) => String((payload[CONTINUATION_KEY] as { type?: unknown } | undefined)?.type ?? 'continuation');

/** The function's ports in memory (recording their AWS requests under `aws`), and what every invocation shares. */
function functionPorts(
  scenario: Scenario,
  cluster: NonNullable<Scenario['cluster']>,
  config: LifeguardConfig,
  clock: VirtualClock,
  record: Recorder,
  aws: SandboxAws | undefined,
  deliver: FunctionInput['deliver'],
) {
  const log = new RecordingLog((r) => {
    if (r.level !== 'debug') record({ actor: 'lifeguard', action: r.level === 'info' ? 'log' : r.level, detail: describeLog(r.message, r.extra) });
  });
  const random = mulberry32(scenario.seed);
  const lifecycle = new InMemoryLifecycleActions(clock);
  // Fires within the minute named, at a point drawn from its own stream (the handler's stays as it was).
  const scheduler = new InMemoryScheduler(
    clock,
    (payload, schedule) => {
      const type = continuationType(payload);
      record({ actor: 'scheduler', action: 'fire', detail: `${type} (${schedule.name})` });
      aws?.log.record({ caller: { scheduler: { group: aws.deployment.scheduler.groupName, roleArn: aws.deployment.scheduler.roleArn } }, ...sendMessage(aws.deployment.noticeQueue) });
      deliver(payload, { trigger: type === 'resume-drain' ? 'continuation' : 'schedule', schedule: schedule.name });
    },
    mulberry32(scenario.seed ^ SCHEDULER_STREAM),
  );
  const invoker = new InMemorySelfInvoker(clock, (payload) => {
    record({ actor: 'lambda', action: 'invoke', detail: `${continuationType(payload)}: the function hands the drain to its next invocation` });
    deliver(payload, { trigger: 'continuation' });
  });
  const events = new InMemoryEventPublisher({ source: config.eventSource, clock, onPublish: (e) => record({ actor: 'lifeguard', action: 'event', detail: e.detailType }) });
  const instances = new InMemoryInstanceDirectory(instanceDns(cluster), { clock, latencyMs: cluster.api.latencyMs });
  const ports = aws ? recordedPorts(aws, config, { scheduler, invoker, lifecycle, events, instances }) : { scheduler, invoker, lifecycle, events, instances };
  const shared = { config, clock, log, scheduler: ports.scheduler, invoker: ports.invoker, lifecycle: ports.lifecycle, events: ports.events, random };
  return { ports, shared, scheduler, lifecycle, instances };
}

type FunctionPorts = ReturnType<typeof functionPorts>;

/** One execution environment: what functions/interruption.ts builds at module level, its own client and node index. */
function executionEnvironment(ctx: {
  config: LifeguardConfig;
  emulator: KubeEmulator;
  clock: VirtualClock;
  aws: SandboxAws | undefined;
  logWrites: ReturnType<typeof lambdaLogWrites> | undefined;
  shared: FunctionPorts['shared'];
  instances: FunctionPorts['ports']['instances'];
  wired: { queue?: SimulatedQueue };
}) {
  const { config, emulator, clock, aws, logWrites, shared, instances, wired } = ctx;
  const { log, random } = shared;
  const clusterName = config.eks[0]!.name;
  return (id: string) => {
    logWrites?.environment(id);
    // Every environment signs in as the function's IAM role: Lifeguard's RBAC subject, one API Priority and Fairness flow.
    const kube = createKubeApi(emulator.kubeConfig('lifeguard'), { clock, log, random, rateLimit: config.interruption.apiRateLimit, requestTimeoutMs: SANDBOX_REQUEST_TIMEOUT_MS });
    const nodes = new NodeIndex(kube, { clock, instances, log, region: config.region });
    const target = { name: clusterName, kube, nodes };
    return (payload: unknown, invocation: { id: string; remainingMs(): number }): Promise<unknown> => {
      if (!isSqsBatch(payload)) return handleInterruption(payload, { ...shared, ...target, clusterName, invocation });
      const queue = {
        retryLater: (handle: string, seconds: number) => {
          aws?.log.record({ caller: { function: 'interruption' }, ...queueRequest(aws.deployment.noticeQueue, 'ChangeMessageVisibility') });
          return wired.queue!.retryLater(handle, seconds);
        },
      };
      return handleNoticeBatch(payload, async () => [target], { ...shared, invocation }, { queue, retryDelaySeconds: config.interruption.queue.retryDelaySeconds });
    };
  };
}

/** Lambda as the scenario sets it: timeout, retries, concurrency, cold starts; what it does is on the timeline. */
function simulatedLambda(
  scenario: Scenario,
  clock: VirtualClock,
  environment: ReturnType<typeof executionEnvironment>,
  logWrites: ReturnType<typeof lambdaLogWrites> | undefined,
  record: Recorder,
): SimulatedLambda {
  const { lambda: settings } = scenario;
  return new SimulatedLambda({
    clock,
    timeoutMs: settings.timeoutSeconds * 1000,
    maxRetries: settings.maxRetries,
    concurrency: Math.min(settings.reservedConcurrency ?? settings.accountConcurrency, settings.accountConcurrency),
    coldStartMs: settings.coldStartMs,
    scalingPer10Seconds: settings.scalingPer10Seconds,
    maxEventAgeMs: settings.maximumEventAgeSeconds * 1000,
    environment,
    onStart: (i) => {
      logWrites?.invocation(i.environment);
      if (i.trigger === 'retry') record({ actor: 'lambda', action: 'retry', detail: `${i.id}: attempt ${i.attempt}${i.step !== undefined ? ` of event ${i.step}` : ''}` });
    },
    onEnd: (i) => {
      if (i.error) record({ actor: 'lifeguard', action: 'error', detail: `${i.id}: ${i.error}` });
    },
    onThrottle: (origin, n) => record({ actor: 'lambda', action: 'throttled', detail: `${origin.trigger}${origin.step !== undefined ? ` of event ${origin.step}` : ''}: no concurrency (try ${n})` }),
    onDrop: (origin, why) => record({ actor: 'lambda', action: 'dropped', detail: `${origin.trigger}${origin.step !== undefined ? ` of event ${origin.step}` : ''}: ${why}` }),
  });
}

/** The notice queue and Lambda's event source mapping that polls it in batches. */
function noticeQueue(
  queueSettings: NonNullable<ReturnType<typeof resolveQueue>>,
  ctx: { config: LifeguardConfig; clock: VirtualClock; lambda: SimulatedLambda; record: Recorder; aws: SandboxAws | undefined },
): { queue: SimulatedQueue; mapping: SimulatedEventSourceMapping } {
  const { config, clock, lambda, record, aws } = ctx;
  const queueArn = aws?.deployment.noticeQueue.arn ?? `arn:aws:sqs:${config.region}:123456789012:lifeguard-notices`;
  // Lambda's pollers read and delete with the function's role, and check the queue when the mapping is made.
  const pollerCall = aws && ((operation: string) => aws.log.record({ caller: { function: 'interruption' }, ...queueRequest(aws.deployment.noticeQueue, operation) }));
  pollerCall?.('GetQueueAttributes');
  const queue = new SimulatedQueue({
    clock,
    visibilityTimeoutMs: queueSettings.visibilityTimeoutSeconds * 1000,
    maxReceiveCount: queueSettings.maxReceiveCount,
    onVisible: () => mapping.poke(),
    onDeadLetter: (m) => record({ actor: 'sqs', action: 'dead-letter', detail: `${m.id} (${describeOrigin(m.origin)}): received ${m.receiveCount} times without success` }),
  });
  const mapping: SimulatedEventSourceMapping = new SimulatedEventSourceMapping({
    clock,
    queue,
    lambda,
    batchSize: queueSettings.batchSize,
    batchingWindowMs: queueSettings.batchingWindowSeconds * 1000,
    ...(queueSettings.maximumConcurrency !== undefined ? { maximumConcurrency: queueSettings.maximumConcurrency } : {}),
    initialConcurrency: queueSettings.initialConcurrency,
    scalingPerMinute: queueSettings.scalingPerMinute,
    maxConcurrentBatches: queueSettings.maxConcurrentBatches,
    queueArn,
    region: config.region,
    ...(pollerCall ? { onRequest: pollerCall } : {}),
    onThrottle: (batch) => record({ actor: 'lambda', action: 'throttled', detail: `a batch of ${batch.messages.length} notice(s): no concurrency (try ${batch.throttles})` }),
    onStart: (batch, execution) => record({ actor: 'sqs', action: 'batch', detail: `${batch.messages.length} notice(s) → ${execution.id}${batch.throttles ? ` after ${batch.throttles} throttled tries` : ''}` }),
    onResult: (batch, execution) => recordBatch(batch, execution, lambda, record),
  });
  return { queue, mapping };
}

/** The notice queue's settings: the scenario's `queue` fields, else the configuration's (as deployed); undefined with `queue: false`. */
function resolveQueue(scenario: Scenario, config: LifeguardConfig) {
  if (scenario.queue === false) return undefined;
  const deployed = config.interruption.queue;
  const { queue } = scenario;
  const batchSize = queue.batchSize ?? deployed.batchSize;
  const batchingWindowSeconds = queue.batchingWindowSeconds ?? deployed.batchingWindowSeconds;
  if (batchSize > 10 && batchingWindowSeconds < 1) {
    throw new ScenarioError(`scenario is invalid:\n  - queue.batchingWindowSeconds: a batchSize above 10 (here ${batchSize}) needs a batching window of at least 1 s, as Lambda requires`);
  }
  return {
    batchSize,
    batchingWindowSeconds,
    maximumConcurrency: queue.maximumConcurrency ?? deployed.maximumConcurrency,
    visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds ?? deployed.visibilityTimeoutSeconds,
    maxReceiveCount: queue.maxReceiveCount ?? deployed.maxReceiveCount,
    initialConcurrency: queue.initialConcurrency,
    scalingPerMinute: queue.scalingPerMinute,
    maxConcurrentBatches: queue.maxConcurrentBatches,
  };
}

/** One entry of `invocations` per notice of the batch, with its own report (or its invocation's failure). */
function recordBatch(batch: Batch, execution: Execution, lambda: SimulatedLambda, record: Recorder): void {
  const handled = execution.result as NoticeBatchResult | undefined;
  if (execution.error !== undefined) record({ actor: 'lifeguard', action: 'error', detail: `${execution.id}: ${execution.error}` });
  batch.messages.forEach((message, i) => {
    const result = handled?.results[i];
    const error = execution.error ?? (result?.error !== undefined ? errorMessage(result.error) : undefined);
    const entry: Invocation = {
      id: execution.id,
      environment: execution.environment,
      coldStart: execution.coldStart,
      throttles: batch.throttles,
      trigger: message.receiveCount > 1 ? 'retry' : message.origin.trigger,
      ...(message.origin.step !== undefined ? { step: message.origin.step } : {}),
      ...(message.origin.rule ? { rule: message.origin.rule } : {}),
      ...(message.origin.schedule ? { schedule: message.origin.schedule } : {}),
      attempt: message.receiveCount,
      batch: { messageId: message.id, size: batch.messages.length },
      deliveredAt: message.sentAt,
      startedAt: execution.startedAt,
      endedAt: execution.endedAt,
      ...(result?.reports[0] ? { report: result.reports[0] } : {}),
      ...(error !== undefined ? { error } : {}),
    };
    lambda.record(entry);
  });
}

const describeOrigin = (origin: MessageOrigin) => (origin.trigger === 'event' ? `event ${origin.step ?? '?'}` : origin.schedule ? `${origin.trigger} ${origin.schedule}` : origin.trigger);

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

/**
 * The interruption function's ports recording the AWS requests they stand for. The Auto Scaling
 * groups are EKS node groups of the scenario's cluster: EKS tags them kubernetes.io/cluster/<name>.
 */
function recordedPorts(
  aws: SandboxAws,
  config: LifeguardConfig,
  ports: { scheduler: InMemoryScheduler; invoker: InMemorySelfInvoker; lifecycle: InMemoryLifecycleActions; events: InMemoryEventPublisher; instances: InMemoryInstanceDirectory },
) {
  const caller = { function: 'interruption' };
  const clusterTags = { [`kubernetes.io/cluster/${config.eks[0]!.name}`]: 'owned' };
  return {
    scheduler: new RecordedScheduler(ports.scheduler, aws.log, caller, aws.deployment.scheduler),
    invoker: new RecordedNoticeSender(ports.invoker, aws.log, caller, aws.deployment.noticeQueue),
    lifecycle: new RecordedLifecycleActions(ports.lifecycle, aws.log, caller, () => clusterTags),
    events: new RecordedEventPublisher(ports.events, aws.log, caller, config.eventSource),
    instances: new RecordedInstanceDirectory(ports.instances, aws.log, caller),
  };
}

/** What EC2 DescribeInstances answers for each node's instance: its private DNS name (the node's name on EKS). */
function instanceDns(cluster: NonNullable<Scenario['cluster']>): Record<string, string> {
  return Object.fromEntries(cluster.nodes.filter((n) => n.instanceId).map((n) => [n.instanceId!, n.name]));
}

/** One step of `events`: the world acting, or EventBridge delivering (or not) an event. */
function deliver(delivery: Delivery, ctx: { clock: VirtualClock; world: World; input: FunctionInput; record: Recorder; aws: SandboxAws | undefined; others: OtherHandlers }): void {
  const { clock, world, input, record, aws, others } = ctx;
  if (delivery.kind === 'world') return world.act(delivery.step);
  const { event, rule } = delivery;
  const detailType = String(event['detail-type']);
  if (!rule) return record({ actor: 'eventbridge', action: 'not-delivered', detail: `${detailType}: event matched no rule${detailTypeSuggestion(detailType)}` });
  const ageSeconds = Math.round((clock.now() - Date.parse(String(event.time))) / 1000);
  const late = ageSeconds > 10 ? ` — LATE: the event is ${ageSeconds} s old` : '';
  record({ actor: 'eventbridge', action: 'deliver', detail: `${detailType} → rule ${rule}${delivery.copy > 0 ? ` (copy ${delivery.copy + 1})` : ''}${late}` });
  // EC2 keeps its word: a Spot instance goes away at the end of its warning.
  if (delivery.spotDeadline !== undefined) {
    for (const id of delivery.instanceIds) clock.schedule(delivery.spotDeadline - clock.now(), () => world.terminate(id, 'Spot capacity reclaimed'));
    // The other handlers read the same warning (their own queue, or the node's instance metadata).
    others.spotWarning(delivery.instanceIds);
  }
  aws?.log.record({ caller: { eventbridge: { event } }, ...sendMessage(aws.deployment.noticeQueue) });
  input.deliver(event, { trigger: 'event', step: delivery.step, rule });
}

function describeLog(message: string, extra: Record<string, unknown>): string {
  const facts = ['node', 'pod', 'reason'].filter((k) => typeof extra[k] === 'string').map((k) => `${k}=${String(extra[k])}`);
  return facts.length ? `${message} (${facts.join(', ')})` : message;
}
