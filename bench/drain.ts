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
const LATENCY_MS = 5;
const EXECUTORS = 90;
const WORKLOADS = 16;
const DAEMONSETS = 4; // 110 pods in all: the EKS default maximum for a node

/**
 * Event-to-cordon and drain completion for one node with 110 pods (90 Spark executors, 16 other
 * workloads, 4 DaemonSet pods) against the emulator with 5 ms per API call. Pods exit as soon as
 * they are evicted, so the figures are Lifeguard's own overhead, compared with the fewest
 * sequential round trips the work needs:
 *   cordon:  LIST nodes (cold index) + GET node + PATCH node                              = 3
 *   drain:   LIST pods + per tier (executors, workloads): one eviction round + one LIST
 *            that sees them gone + PATCH the completion marker                             = 6
 * and, with evictions capped at `concurrency` in flight, ceil(pods/concurrency) rounds per tier.
 * Run twice: on the virtual clock (deterministic: only API latency and Lifeguard's own waits
 * count) and on the real clock (adds CPU, HTTP and the poll interval in wall time).
 */
export async function benchDrain(): Promise<Record<string, number | string>> {
  const config = parseConfig({ eks: [{ name: 'bench' }] });
  const concurrency = config.interruption.drain.concurrency;
  const minCordonTrips = 3;
  const minDrainTrips = 1 + 2 * 2 + 1;
  const boundedDrainTrips = 1 + Math.ceil(EXECUTORS / concurrency) + 1 + Math.ceil(WORKLOADS / concurrency) + 1 + 1;

  const virtual = await runOnce(new VirtualClock(), config);
  const real = await runOnce(systemClock, config);
  const ratio = (ms: number, trips: number) => Math.round((ms / (trips * LATENCY_MS)) * 100) / 100;
  return {
    pods: EXECUTORS + WORKLOADS + DAEMONSETS,
    latencyMsPerCall: LATENCY_MS,
    concurrency,
    pollIntervalMs: config.interruption.drain.pollIntervalSeconds * 1000,
    minSequentialTrips: `${minCordonTrips} to cordon, ${minDrainTrips} to drain (${boundedDrainTrips} at concurrency ${concurrency})`,
    virtualCordonMs: virtual.cordonMs,
    virtualCordonRatio: ratio(virtual.cordonMs, minCordonTrips),
    virtualDrainMs: virtual.drainMs,
    virtualDrainRatio: ratio(virtual.drainMs, minDrainTrips),
    virtualDrainRatioBounded: ratio(virtual.drainMs, boundedDrainTrips),
    realCordonMs: real.cordonMs,
    realCordonRatio: ratio(real.cordonMs, minCordonTrips),
    realDrainMs: real.drainMs,
    realDrainRatio: ratio(real.drainMs, minDrainTrips),
    apiRequests: real.requests,
  };
}

async function runOnce(clock: Clock, config: ReturnType<typeof parseConfig>) {
  let patchedAt: number | undefined;
  const emulator = await startKubeEmulator({
    clock,
    latencyMs: LATENCY_MS,
    // The node is cordoned when the API server applies the PATCH, not when Lifeguard sends it.
    onEvent: (e) => {
      if (e.action === 'patch' && patchedAt === undefined) patchedAt = e.at;
    },
  });
  try {
    emulator.addNode({ name: NODE, instanceId: INSTANCE, zone: 'us-east-1a', capacityType: 'SPOT' });
    emulator.addNode({ name: 'ip-10-0-2-20.ec2.internal', instanceId: 'i-0aaa1111bbbb22222', zone: 'us-east-1a' });
    for (const pod of pods()) emulator.addPod(pod);
    const kube = createKubeApi(emulator.kubeConfig(), { clock });
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
