import { parseConfig } from '../lib/config/load.ts';
import { handleInterruption } from '../lib/interruption/handle.ts';
import { createKubeApi } from '../lib/kube/client.ts';
import { NodeIndex } from '../lib/kube/node-index.ts';
import { silentLog } from '../lib/observability/log.ts';
import { systemClock, type Clock } from '../lib/util/clock.ts';
import { VirtualClock } from '../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type PodSpec } from '../sandbox/kube/index.ts';

const NODE = 'ip-10-0-1-10.ec2.internal';
const INSTANCE = 'i-0aaa1111bbbb22220';
const LATENCIES_MS = [1, 5, 20];
const EXECUTORS = 90;
const WORKLOADS = 16;
const DAEMONSETS = 4; // 110 pods in all: the EKS default maximum for a node

/**
 * Event-to-cordon and drain completion for one node with 110 pods (90 Spark executors, 16 other
 * workloads, 4 DaemonSet pods) against the emulator at 1, 5 and 20 ms per API call. Pods exit as soon as
 * they are evicted, so the figures are Lifeguard's own overhead, compared with the fewest
 * sequential round trips the work needs, both counted from the event:
 *   cordon:  LIST nodes (cold index) + GET node + PATCH node                              = 3
 *   drained: the cordon's 3 + LIST pods + one eviction round (executors and workloads go
 *            together; the watch started from the LIST reports them gone without a
 *            request)                                                                       = 5
 * and, with evictions capped at `concurrency` in flight, ceil(pods/concurrency) rounds.
 * The completion PATCH follows the moment measured as drained.
 * Measured at the default concurrency and with no cap (concurrency = pods).
 * On the virtual clock at each latency (deterministic: only API latency and Lifeguard's own waits
 * count), and once on the real clock at 5 ms (adds CPU, HTTP and the poll interval in wall time).
 */
export async function benchDrain(): Promise<Record<string, number | string>> {
  const config = parseConfig({ eks: [{ name: 'bench' }] });
  const concurrency = config.interruption.drain.concurrency;
  const minCordonTrips = 3;
  const minDrainTrips = minCordonTrips + 1 + 1;
  const boundedDrainTrips = minCordonTrips + 1 + Math.ceil((EXECUTORS + WORKLOADS) / concurrency);
  const uncapped = parseConfig({ eks: [{ name: 'bench' }], interruption: { drain: { concurrency: EXECUTORS + WORKLOADS } } });

  const ratio = (ms: number, trips: number, latencyMs: number) => Math.round((ms / (trips * latencyMs)) * 100) / 100;
  // The client's own token bucket lets `burst` requests go at once and `qps` a second after that.
  const { qps, burst } = config.interruption.apiRateLimit;
  const limitFloorMs = (requests: number) => Math.round((Math.max(0, requests - burst) / qps) * 1000);
  const figures: Record<string, number | string> = {
    pods: EXECUTORS + WORKLOADS + DAEMONSETS,
    concurrency,
    pollIntervalMs: config.interruption.drain.pollIntervalSeconds * 1000,
    minSequentialTrips: `${minCordonTrips} to cordon, ${minDrainTrips} to drained (${boundedDrainTrips} at concurrency ${concurrency})`,
  };
  for (const latencyMs of LATENCIES_MS) {
    const virtual = await runOnce(new VirtualClock(), config, latencyMs);
    figures[`at${latencyMs}ms.cordonMs`] = virtual.cordonMs;
    figures[`at${latencyMs}ms.cordonRatio`] = ratio(virtual.cordonMs, minCordonTrips, latencyMs);
    figures[`at${latencyMs}ms.drainMs`] = virtual.drainMs;
    figures[`at${latencyMs}ms.drainRatio`] = ratio(virtual.drainMs, minDrainTrips, latencyMs);
    figures[`at${latencyMs}ms.drainRatioBounded`] = ratio(virtual.drainMs, boundedDrainTrips, latencyMs);
    figures[`at${latencyMs}ms.apiRequests`] = virtual.requests;
    figures[`at${latencyMs}ms.clientLimitFloorMs`] = limitFloorMs(virtual.requests);
    figures[`at${latencyMs}ms.drainRatioWithinLimit`] = Math.round((virtual.drainMs / Math.max(boundedDrainTrips * latencyMs, limitFloorMs(virtual.requests))) * 100) / 100;
    const free = await runOnce(new VirtualClock(), uncapped, latencyMs);
    figures[`at${latencyMs}ms.uncappedDrainMs`] = free.drainMs;
    figures[`at${latencyMs}ms.uncappedDrainRatio`] = ratio(free.drainMs, minDrainTrips, latencyMs);
  }
  const real = await runOnce(systemClock, config, 5);
  figures['realClockAt5ms.cordonMs'] = real.cordonMs;
  figures['realClockAt5ms.cordonRatio'] = ratio(real.cordonMs, minCordonTrips, 5);
  figures['realClockAt5ms.drainMs'] = real.drainMs;
  figures['realClockAt5ms.drainRatio'] = ratio(real.drainMs, minDrainTrips, 5);
  figures['realClockAt5ms.drainRatioBounded'] = ratio(real.drainMs, boundedDrainTrips, 5);
  return figures;
}

async function runOnce(clock: Clock, config: ReturnType<typeof parseConfig>, latencyMs: number) {
  let patchedAt: number | undefined;
  const emulator = await startKubeEmulator({
    clock,
    latencyMs,
    // The node is cordoned when the API server applies the PATCH, not when Lifeguard sends it.
    onEvent: (e) => {
      if (e.action === 'patch' && patchedAt === undefined) patchedAt = e.at;
    },
  });
  try {
    emulator.addNode({ name: NODE, instanceId: INSTANCE, zone: 'us-east-1a', capacityType: 'SPOT' });
    emulator.addNode({ name: 'ip-10-0-2-20.ec2.internal', instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1a' });
    for (const pod of pods()) emulator.addPod(pod);
    const kube = createKubeApi(emulator.kubeConfig('lifeguard'), { clock });
    const start = clock.now();
    const event = {
      version: '0',
      id: '5c7a1e2f-0000-4000-8000-000000000001',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date(start).toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { 'instance-id': INSTANCE, 'instance-action': 'terminate' },
    };
    const run = handleInterruption(event, { config, clock, log: silentLog, kube, nodes: new NodeIndex(kube, { clock }), clusterName: 'bench' });
    if (clock instanceof VirtualClock) await clock.runUntil(start + 120_000, () => false);
    const report = await run;
    const instance = report.instances[0];
    const drain = instance?.drain;
    if (!drain?.allGone || patchedAt === undefined || drain.drainedAt === null) {
      throw new Error(`bench drain did not complete: ${JSON.stringify(instance?.status)}`);
    }
    return { cordonMs: patchedAt - start, drainMs: drain.drainedAt - start, requests: emulator.requests.length };
  } finally {
    await emulator.close();
  }
}

function pods(): PodSpec[] {
  const list: PodSpec[] = [];
  for (let i = 0; i < EXECUTORS; i++) {
    const app = `spark-${i % 2}`;
    list.push({
      name: `exec-${i}`,
      namespace: 'spark',
      node: NODE,
      labels: { 'spark-role': 'executor', 'spark-app-selector': app, 'spark-exec-id': String(i) },
      owner: 'none',
      terminationGracePeriodSeconds: 60,
      preStop: '/opt/decom.sh',
    } as PodSpec);
  }
  for (let i = 0; i < WORKLOADS; i++) {
    list.push({ name: `web-${i}`, namespace: 'default', node: NODE, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' } } as PodSpec);
  }
  for (let i = 0; i < DAEMONSETS; i++) {
    list.push({ name: `agent-${i}`, namespace: 'kube-system', node: NODE, labels: { app: `agent-${i}` }, owner: { kind: 'DaemonSet', name: `agent-${i}` } } as PodSpec);
  }
  return list;
}
