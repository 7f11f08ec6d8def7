import { parseConfig } from '../lib/config/load.ts';
import { handleInterruption, type InterruptionReport } from '../lib/interruption/handle.ts';
import { createKubeApi } from '../lib/kube/client.ts';
import { NodeIndex } from '../lib/kube/node-index.ts';
import { silentLog } from '../lib/observability/log.ts';
import { InMemoryInstanceDirectory } from '../sandbox/aws/in-memory-ports.ts';
import { VirtualClock } from '../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type ApiLimitsOptions, type PodSpec } from '../sandbox/kube/index.ts';
import { mulberry32 } from '../sandbox/kube/random.ts';

/**
 * A Spot pool reclaimed: N nodes get their two-minute warning within one minute, each handled by
 * the existing handler path (lib/interruption/handle.ts handleInterruption) in an execution
 * environment of its own (its own client, token bucket, keep-alive agent and cold node index),
 * all as one IAM identity — one API Priority and Fairness flow — against the emulator with its
 * default limits (global-default of a default kube-apiserver). EC2 reclaims every instance at
 * its deadline. Lambda itself (concurrency limits, cold-start time, async retries) is not modelled
 * here: every event is handled at once, by a warm-code, cold-state environment.
 */

export interface MassOptions {
  nodes: number;
  executorsPerNode?: number;
  /** Seconds an executor needs to migrate its blocks and exit once evicted. */
  executorShutdownSeconds?: number;
  /** Server-side base latency per request, ms. */
  latencyMs?: number;
  limits?: ApiLimitsOptions;
  /** Warnings spread evenly over this many seconds. */
  spreadSeconds?: number;
}

const SPARE_NODES_PER_INTERRUPTED = 0.2;

export async function runMassInterruption(options: MassOptions): Promise<Record<string, number | string>> {
  const n = options.nodes;
  const executors = options.executorsPerNode ?? 20;
  const others = 4; // ReplicaSet pods, replaced elsewhere
  const daemonSets = 1; // skipped by the drain
  const shutdownSeconds = options.executorShutdownSeconds ?? 20;
  const spreadMs = (options.spreadSeconds ?? 60) * 1000;
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const start = clock.now();
  const cordonedAt = new Map<string, number>();
  const emulator = await startKubeEmulator({
    clock,
    latencyMs: options.latencyMs ?? 5,
    limits: options.limits ?? {},
    onEvent: (e) => {
      if (e.action === 'patch' && e.node && e.detail?.includes('unschedulable=true') && !cordonedAt.has(e.node)) cordonedAt.set(e.node, e.at);
    },
  });
  const wallStart = performance.now();
  try {
    const dns = new Map<string, string>();
    const name = (i: number) => `ip-10-1-${Math.floor(i / 250)}-${i % 250}.ec2.internal`;
    const instance = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;
    for (let i = 0; i < n; i++) {
      emulator.addNode({ name: name(i), instanceId: instance(i), zone: 'us-east-1a', capacityType: 'SPOT' });
      dns.set(instance(i), name(i));
    }
    const spares = Math.ceil(n * SPARE_NODES_PER_INTERRUPTED) + 1;
    for (let i = 0; i < spares; i++) emulator.addNode({ name: `spare-${i}.ec2.internal`, instanceId: instance(n + i), zone: 'us-east-1b', capacityType: 'ON_DEMAND' });
    for (let i = 0; i < n; i++) for (const pod of podsFor(name(i), i, executors, others, daemonSets, shutdownSeconds)) emulator.addPod(pod);

    const config = parseConfig({ eks: [{ name: 'bench' }] });
    const instances = new InMemoryInstanceDirectory(Object.fromEntries(dns));
    const reports: Array<{ node: string; deliveredAt: number; report?: InterruptionReport; error?: string }> = [];
    const running: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const delay = n === 1 ? 0 : Math.round((i * spreadMs) / (n - 1));
      clock.schedule(delay, () => {
        const deliveredAt = clock.now();
        const entry: (typeof reports)[number] = { node: name(i), deliveredAt };
        reports.push(entry);
        // EC2 keeps its word: the instance is gone two minutes after its warning.
        clock.schedule(120_000, () => emulator.terminateNode(name(i)));
        // One execution environment per event: its own client and cold node index, one shared identity.
        const kube = createKubeApi(emulator.kubeConfig('lifeguard-role'), { clock, random: seeded(i) });
        const deps = { config, clock, log: silentLog, kube, nodes: new NodeIndex(kube, { clock, instances }), clusterName: 'bench', random: seeded(n + i) };
        running.push(
          handleInterruption(spotWarning(instance(i), deliveredAt, i), deps).then(
            (report) => void (entry.report = report),
            (err: unknown) => void (entry.error = err instanceof Error ? err.message : String(err)),
          ),
        );
      });
    }
    let settled = 0;
    const allDone = () => settled === n;
    const track = () => Promise.all(running.map((p) => p.finally(() => settled++)));
    // Past the last deadline, so every reclaim happens, then until every invocation has ended.
    await clock.runUntil(start + spreadMs + 120_001, () => false);
    const tracked = track();
    await clock.runUntil(start + spreadMs + 15 * 60_000, allDone);
    await tracked;

    const cordonMs = reports.map((r) => (cordonedAt.get(r.node) ?? Infinity) - r.deliveredAt).sort((a, b) => a - b);
    const drained = reports.map((r) => r.report?.instances[0]?.drain?.drainedAt).map((at, i) => (at == null ? Infinity : at - reports[i]!.deliveredAt)).sort((a, b) => a - b);
    const deadlineMisses = reports.filter((r) => r.error || !r.report?.instances[0]?.drain?.deadlineMet).length;
    const killed = emulator.podHistory().filter((p) => p.name.startsWith('exec-') && p.ending === 'killed').length;
    const metrics = emulator.metrics();
    const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
    const fmt = (ms: number) => (Number.isFinite(ms) ? Math.round(ms) : 'never');
    return {
      nodes: n,
      podsPerNode: executors + others + daemonSets,
      cordonP50Ms: fmt(pct(cordonMs, 50)),
      cordonP99Ms: fmt(pct(cordonMs, 99)),
      cordonMaxMs: fmt(cordonMs[cordonMs.length - 1]!),
      neverCordoned: cordonMs.filter((ms) => !Number.isFinite(ms)).length,
      drainedP50Ms: fmt(pct(drained, 50)),
      drainedP99Ms: fmt(pct(drained, 99)),
      deadlineMisses,
      failedInvocations: reports.filter((r) => r.error).length,
      executorsKilled: killed,
      throttled429: metrics.throttled.queueFull + metrics.throttled.timeOut,
      apiRequests: metrics.total,
      apiRequestsPerNode: Math.round((metrics.total / n) * 10) / 10,
      listPodsPerNode: Math.round(((metrics.requests['list pods'] ?? 0) / n) * 10) / 10,
      listNodes: metrics.requests['list nodes'] ?? 0,
      maxQueueDepth: metrics.maxQueueDepth,
      maxQueueWaitMs: Math.round(metrics.maxQueueWaitMs),
      connectionsPerNode: Math.round((metrics.connectionsOpened / n) * 10) / 10,
      lambdaThrottles: 'not modelled',
      wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
    };
  } finally {
    await emulator.close();
  }
}

function podsFor(node: string, i: number, executors: number, others: number, daemonSets: number, shutdownSeconds: number): PodSpec[] {
  const pods: PodSpec[] = [];
  for (let e = 0; e < executors; e++) {
    pods.push({
      name: `exec-${i}-${e}`,
      namespace: 'spark',
      node,
      labels: { 'spark-role': 'executor', 'spark-app-selector': `spark-${i % 7}`, 'spark-exec-id': String(e) },
      owner: 'none',
      terminationGracePeriodSeconds: 60,
      preStop: '/opt/decom.sh',
      shutdownSeconds,
    } as PodSpec);
  }
  for (let w = 0; w < others; w++) pods.push({ name: `web-${i}-${w}`, namespace: 'default', node, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' }, shutdownSeconds: 2 } as PodSpec);
  for (let d = 0; d < daemonSets; d++) pods.push({ name: `agent-${i}-${d}`, namespace: 'kube-system', node, owner: { kind: 'DaemonSet', name: 'agent' } } as PodSpec);
  return pods;
}

function spotWarning(instanceId: string, at: number, i: number): Record<string, unknown> {
  return {
    version: '0',
    id: `5c7a1e2f-0000-4000-8000-${String(i).padStart(12, '0')}`,
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    source: 'aws.ec2',
    account: '123456789012',
    time: new Date(at).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
  };
}

/** A deterministic [0, 1) stream per environment (backoff jitter): the emulator's mulberry32, seeds spread apart. */
function seeded(seed: number): () => number {
  return mulberry32((seed * 2654435761) >>> 0);
}
