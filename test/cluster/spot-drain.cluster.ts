/**
 * Spot interruption drain against a REAL Kubernetes cluster (the one KUBECONFIG points at).
 *
 *   KUBECONFIG=~/.kube/config \
 *   LIFEGUARD_CLUSTER_TEST_NODE=<node name> LIFEGUARD_CLUSTER_TEST_IMAGE=<image with sh and sleep> \
 *   npx vitest run --config vitest.cluster.config.ts
 *
 * WARNING: the node named by LIFEGUARD_CLUSTER_TEST_NODE WILL be tainted
 * (lifeguard.io/interruption:NoSchedule), cordoned and labelled for the duration of the test, and
 * the test's own pods on it are evicted. Other workloads on the node are NOT evicted (the drain is
 * scoped to the test's namespace), but nothing new is scheduled there while the test runs. The node
 * must run on EC2 (spec.providerID aws:///<zone>/<instance-id>), be schedulable and carry no
 * Lifeguard taint. afterAll removes the taint, the cordon, the exclude-from-load-balancers label
 * (or puts back the value it had before) and Lifeguard's annotations, and deletes the namespace, whether
 * the test passed or not.
 *
 * What runs is the interruption handler itself (lib/interruption/handle.ts) for a Spot notice:
 * parse the event, resolve the instance to its node through the NodeIndex, decide, cordon and take
 * the node's lease in one patch, drain (Spark executors first in line and the plain pod with them,
 * the driver once its executors are gone), record the
 * lifecycle, through the real @kubernetes/client-node, on the system clock. The one difference: it
 * gets a pod filter that skips every pod outside the test's namespace (the `filters` dependency),
 * because it would otherwise drain the whole node.
 *
 * RBAC needed by the kubeconfig's identity: nodes get/list/patch; pods list (all namespaces),
 * create, get, delete; pods/eviction create; namespaces create/delete.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiException, CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.ts';
import { ANNOTATIONS, EXCLUDE_FROM_LB_LABEL, INTERRUPTION_TAINT_KEY, pointerSegment } from '../../lib/drain/cordon.ts';
import type { PodReport } from '../../lib/drain/drain.ts';
import { defaultFilters, type PodFilter } from '../../lib/drain/filters.ts';
import { handleInterruption } from '../../lib/interruption/handle.ts';
import { LEASE_ANNOTATION } from '../../lib/lifecycle/lease.ts';
import { LIFECYCLE_ANNOTATION } from '../../lib/lifecycle/state.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { kubeConfigFromFile } from '../../lib/kube/connect.ts';
import { instanceIdFromProviderId, NodeIndex } from '../../lib/kube/node-index.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi } from '../../lib/kube/port.ts';
import { RecordingLog } from '../../lib/observability/log.ts';
import { systemClock } from '../../lib/util/clock.ts';

const NODE = process.env.LIFEGUARD_CLUSTER_TEST_NODE?.trim() || undefined;
const IMAGE = process.env.LIFEGUARD_CLUSTER_TEST_IMAGE?.trim() || undefined;
const SKIP_NOTE =
  'set LIFEGUARD_CLUSTER_TEST_NODE (a node that will be cordoned) and LIFEGUARD_CLUSTER_TEST_IMAGE (an image with sh and sleep) to run against the cluster in KUBECONFIG';

const POLL_MS = 1_000;
const RUNNING_TIMEOUT_MS = 120_000;
const APP_ID = 'app-1';

const EXECUTORS = ['exec-1', 'exec-2'] as const;
const DRIVER = 'driver';
const PLAIN = 'plain';
const ALL_PODS = [...EXECUTORS, DRIVER, PLAIN];

/** What the test changed, so afterAll undoes exactly that. */
const state: {
  kube?: KubeApi;
  core?: CoreV1Api;
  namespace?: string;
  /** Set once the node may carry Lifeguard's marks. */
  nodeTouched: boolean;
  /** The exclude-from-load-balancers label's value before the test; undefined: it was not there. */
  excludeLabelBefore?: string | undefined;
} = { nodeTouched: false };

// Lifeguard's log lines go to the test output: on a real cluster they are the first thing to read.
const log = new RecordingLog((r) => {
  if (r.level !== 'debug') console.log(`[lifeguard ${r.level}] ${r.message} ${JSON.stringify(r.extra)}`);
});

/** Skips every pod outside the test's namespace: the node's other workloads are left alone. */
const onlyNamespace =
  (namespace: string): PodFilter =>
  (pod) =>
    pod.metadata?.namespace === namespace ? undefined : { verdict: 'skip', reason: `outside the test namespace ${namespace}` };

function testPod(namespace: string, nodeName: string, image: string, name: string): V1Pod {
  const executor = (EXECUTORS as readonly string[]).includes(name);
  const labels: Record<string, string> = executor
    ? { 'spark-role': 'executor', 'spark-app-selector': APP_ID, 'spark-exec-id': name.replace(/\D/g, '') }
    : name === DRIVER
      ? { 'spark-role': 'driver', 'spark-app-selector': APP_ID }
      : { app: 'lifeguard-test-plain' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { ...labels, 'app.kubernetes.io/part-of': 'lifeguard-cluster-test' } },
    spec: {
      // Bound directly: no scheduler, the pod lands on the node under test.
      nodeName,
      tolerations: [{ key: INTERRUPTION_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
      restartPolicy: 'Never',
      // Executors: a preStop that takes 3 s, like a short decommission. The others: short grace so the run stays short.
      terminationGracePeriodSeconds: executor ? 20 : 10,
      // Passes the "restricted" Pod Security Standard, which some clusters enforce on new namespaces.
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image,
          command: ['sh', '-c', 'sleep 3600'],
          resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          ...(executor ? { lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 3'] } } } } : {}),
        },
      ],
    },
  };
}

/** Why a pod is not running yet, for the timeout message (image pull errors, admission rejections). */
function waitingReason(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  const parts = [pod.status?.phase ?? 'no phase', pod.status?.reason, waiting?.reason, waiting?.message ?? pod.status?.message];
  return parts.filter(Boolean).join(': ');
}

async function waitUntilRunning(core: CoreV1Api, namespace: string): Promise<void> {
  const until = systemClock.now() + RUNNING_TIMEOUT_MS;
  for (;;) {
    const pods = (await core.listNamespacedPod({ namespace })).items;
    const failed = pods.filter((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
    if (failed.length > 0) {
      throw new Error(`test pods ended before the drain: ${failed.map((p) => `${p.metadata?.name} (${waitingReason(p)})`).join(', ')}`);
    }
    const notRunning = ALL_PODS.filter((name) => pods.find((p) => p.metadata?.name === name)?.status?.phase !== 'Running');
    if (notRunning.length === 0) return;
    if (systemClock.now() >= until) {
      const detail = notRunning.map((name) => {
        const pod = pods.find((p) => p.metadata?.name === name);
        return `${name} (${pod ? waitingReason(pod) : 'not found'})`;
      });
      throw new Error(`test pods not Running after ${RUNNING_TIMEOUT_MS / 1000} s: ${detail.join(', ')}`);
    }
    await systemClock.sleep(POLL_MS);
  }
}

/**
 * Watches the test namespace once a second while the drain runs: when each pod was first seen
 * terminating (deletionTimestamp set) or, if it went between two polls, gone.
 */
function observeTermination(core: CoreV1Api, namespace: string) {
  const startedTerminating = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = systemClock.now();
      const pods = (await core.listNamespacedPod({ namespace })).items;
      for (const name of ALL_PODS) {
        if (startedTerminating.has(name)) continue;
        const pod = pods.find((p) => p.metadata?.name === name);
        if (!pod || pod.metadata?.deletionTimestamp) startedTerminating.set(name, at);
      }
      if (startedTerminating.size === ALL_PODS.length) return;
      await systemClock.sleep(POLL_MS);
    }
  })();
  return {
    startedTerminating,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** EventBridge writes `time` to the second, with a Z. */
const eventTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The region of the node's zone (us-east-1a, us-west-2-lax-1a → us-west-2), from the provider id. */
function regionOf(providerId: string): string {
  const zone = providerId.replace(/^aws:\/\//, '').split('/').filter(Boolean)[0] ?? '';
  return /^[a-z]{2}(?:-[a-z]+)+-\d+/.exec(zone)?.[0] ?? process.env.AWS_REGION ?? 'us-east-1';
}

function spotInterruptionWarning(instanceId: string, region: string, now: number) {
  // The account is not used by the drain; a fixed, well-formed one keeps the event valid.
  const account = '000000000000';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    source: 'aws.ec2',
    account,
    time: eventTime(now),
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
  };
}

/**
 * The JSON patch that takes Lifeguard's marks off the node: its taint, the cordon, the
 * load-balancer label (back to its value before the test, if it had one) and its annotations.
 * Guarded by the resourceVersion; returns no ops when there is nothing to undo.
 */
function restorePatch(node: V1Node, excludeLabelBefore: string | undefined): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const taints = node.spec?.taints ?? [];
  // From the end, so earlier indexes stay valid while the ops apply.
  for (let i = taints.length - 1; i >= 0; i--) {
    if (taints[i]?.key === INTERRUPTION_TAINT_KEY) ops.push({ op: 'remove', path: `/spec/taints/${i}` });
  }
  if (node.spec?.unschedulable !== undefined) ops.push({ op: 'remove', path: '/spec/unschedulable' });
  const labelPath = `/metadata/labels/${pointerSegment(EXCLUDE_FROM_LB_LABEL)}`;
  const label = node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL];
  if (excludeLabelBefore === undefined && label !== undefined) ops.push({ op: 'remove', path: labelPath });
  else if (excludeLabelBefore !== undefined && label !== excludeLabelBefore) ops.push({ op: 'add', path: labelPath, value: excludeLabelBefore });
  for (const key of [...Object.values(ANNOTATIONS), LIFECYCLE_ANNOTATION, LEASE_ANNOTATION]) {
    if (node.metadata?.annotations?.[key] !== undefined) ops.push({ op: 'remove', path: `/metadata/annotations/${pointerSegment(key)}` });
  }
  if (ops.length === 0) return [];
  return [{ op: 'test', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion }, ...ops];
}

async function restoreNode(kube: KubeApi, nodeName: string, excludeLabelBefore: string | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = await kube.getNode(nodeName);
    if (!node) return;
    const ops = restorePatch(node, excludeLabelBefore);
    if (ops.length === 0) return;
    try {
      await kube.patchNode(nodeName, ops);
      console.log(`[cluster test] node ${nodeName} restored (taint, cordon, label, annotations removed)`);
      return;
    } catch (err) {
      // The kubelet updates the node all the time: re-read and try again on a resourceVersion clash.
      if (!(err instanceof KubeApiError && (err.status === 409 || err.status === 422)) || attempt >= 5) throw err;
    }
  }
}

async function deleteNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.deleteNamespace({ name, propagationPolicy: 'Background' });
    console.log(`[cluster test] namespace ${name} deleted`);
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 404)) throw err;
  }
}

const reportOf = (pods: PodReport[], namespace: string, name: string): PodReport => {
  const report = pods.find((p) => p.namespace === namespace && p.name === name);
  if (!report) throw new Error(`the drain report has no entry for ${namespace}/${name}`);
  return report;
};

describe('Spot interruption drain against a real cluster (KUBECONFIG)', () => {
  afterAll(async () => {
    const { kube, core, namespace } = state;
    const results = await Promise.allSettled([
      state.nodeTouched && kube && NODE ? restoreNode(kube, NODE, state.excludeLabelBefore) : Promise.resolve(),
      core && namespace ? deleteNamespace(core, namespace) : Promise.resolve(),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
    if (failures.length > 0) {
      throw new Error(`cleanup failed; check node ${NODE} and namespace ${namespace} by hand: ${failures.join('; ')}`);
    }
  });

  it('cordons the node and evicts the Spark executors first, the driver last, inside the deadline', async (ctx) => {
    if (!NODE) ctx.skip(SKIP_NOTE);
    const nodeName = NODE as string;
    if (!IMAGE) throw new Error('LIFEGUARD_CLUSTER_TEST_IMAGE is required with LIFEGUARD_CLUSTER_TEST_NODE: an image with sh and sleep (e.g. busybox)');
    const image = IMAGE;

    const kc = kubeConfigFromFile();
    const clock = systemClock;
    const kube = createKubeApi(kc, { clock, log });
    const core = kc.makeApiClient(CoreV1Api);
    state.kube = kube;
    state.core = core;

    // Preconditions: refuse a node the test could not cleanly give back.
    const before = await kube.getNode(nodeName);
    if (!before) throw new Error(`node ${nodeName} not found in the cluster of ${process.env.KUBECONFIG ?? '~/.kube/config'}`);
    const instanceId = instanceIdFromProviderId(before.spec?.providerID);
    if (!instanceId) throw new Error(`node ${nodeName} has no EC2 provider id (spec.providerID is ${JSON.stringify(before.spec?.providerID)})`);
    if (before.spec?.unschedulable) throw new Error(`node ${nodeName} is already cordoned: pick a schedulable node`);
    if (before.spec?.taints?.some((t) => t.key === INTERRUPTION_TAINT_KEY)) {
      throw new Error(`node ${nodeName} already carries the ${INTERRUPTION_TAINT_KEY} taint: pick another node or remove it first`);
    }
    state.excludeLabelBefore = before.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL];

    const namespace = `lifeguard-test-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'app.kubernetes.io/part-of': 'lifeguard-cluster-test' } } } });
    state.namespace = namespace;
    for (const name of ALL_PODS) await core.createNamespacedPod({ namespace, body: testPod(namespace, nodeName, image, name) });
    await waitUntilRunning(core, namespace);

    const config = parseConfig({ eks: [{ name: 'test' }] });
    const event = spotInterruptionWarning(instanceId, regionOf(before.spec?.providerID ?? ''), clock.now());
    const deps = {
      config,
      clock,
      log,
      kube,
      nodes: new NodeIndex(kube, { clock, log }),
      clusterName: 'test',
      // The namespace filter comes first: the node's other pods, terminating ones included, are not waited for.
      filters: [onlyNamespace(namespace), ...defaultFilters],
    };
    state.nodeTouched = true;
    const observer = observeTermination(core, namespace);
    let handled;
    try {
      handled = await handleInterruption(event, deps);
    } finally {
      await observer.stop();
    }
    expect(handled).toMatchObject({ ignored: false, kind: 'spot-interruption', eventId: event.id });
    const instance = handled.instances[0]!;
    expect(instance).toMatchObject({ instanceId, nodeName, resolvedVia: 'index', status: 'drained', phase: 'drained' });
    expect(instance.decision).toMatchObject({ action: 'drain', effect: 'NoSchedule', unschedulable: true, evict: true, deadline: Date.parse(event.time) + 120_000 });
    const report = instance.drain!;
    const notice = { eventId: event.id, deadline: Date.parse(event.time) + 120_000 };

    // The node: tainted, cordoned, labelled, annotated with the event and marked complete.
    const after = await kube.getNode(nodeName);
    expect(after?.spec?.taints).toContainEqual(expect.objectContaining({ key: INTERRUPTION_TAINT_KEY, value: 'spot-interruption', effect: 'NoSchedule' }));
    expect(after?.spec?.unschedulable).toBe(true);
    expect(after?.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL]).toBe('true');
    expect(after?.metadata?.annotations?.[ANNOTATIONS.eventId]).toBe(notice.eventId);
    expect(after?.metadata?.annotations?.[ANNOTATIONS.drainedAt]).toBeDefined();
    expect(after?.metadata?.annotations?.[LEASE_ANNOTATION]).toBeUndefined();
    expect(JSON.parse(after?.metadata?.annotations?.[LIFECYCLE_ANNOTATION] ?? '{}')).toMatchObject({ phase: 'drained', seen: [event.id] });

    // Every test pod is gone, none by force, all before the deadline.
    expect((await core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.name)).toEqual([]);
    expect(report).toMatchObject({ nodeName, eventId: notice.eventId, deadline: notice.deadline, allGone: true, deadlineMet: true });
    const ours = report.pods.filter((p) => p.namespace === namespace);
    expect(ours.map((p) => p.name).sort()).toEqual([...ALL_PODS].sort());
    for (const pod of ours) expect(pod, `${pod.name}`).toMatchObject({ outcome: 'evicted', forced: false });
    // The filter kept the drain off every other pod of the node.
    expect(report.pods.filter((p) => p.namespace !== namespace).every((p) => p.outcome === 'skipped')).toBe(true);

    // Executors first: accepted by the Eviction API, and seen terminating, before the driver. The
    // plain pod goes with them: it does not wait for their decommission (a 3 s preStop).
    const actedAt = (name: string) => reportOf(report.pods, namespace, name).actedAt ?? Number.NaN;
    const goneAt = (name: string) => reportOf(report.pods, namespace, name).goneAt ?? Infinity;
    const lastExecutorActed = Math.max(...EXECUTORS.map(actedAt));
    expect(lastExecutorActed).toBeLessThan(actedAt(DRIVER));
    expect(actedAt(PLAIN)).toBeLessThan(Math.min(...EXECUTORS.map(goneAt)));
    // The driver waited for its application's executors to be gone.
    for (const name of EXECUTORS) expect(actedAt(DRIVER)).toBeGreaterThanOrEqual(goneAt(name));
    const seen = (name: string) => observer.startedTerminating.get(name) ?? Number.NaN;
    const lastExecutorSeen = Math.max(...EXECUTORS.map(seen));
    expect(lastExecutorSeen).toBeLessThan(seen(DRIVER));
    expect(report.applications).toContainEqual(expect.objectContaining({ appId: APP_ID, executors: 2, executorsGone: 2, driverOnNode: true }));
    expect(report.warnings.map((w) => w.code)).toContain('spark-driver-on-node');

    // A second delivery of the same event is a duplicate: nothing written.
    const again = await handleInterruption(event, deps);
    expect(again.instances[0]).toMatchObject({ status: 'duplicate' });
    const unchanged = await kube.getNode(nodeName);
    expect(unchanged?.metadata?.annotations?.[LIFECYCLE_ANNOTATION]).toBe(after?.metadata?.annotations?.[LIFECYCLE_ANNOTATION]);

  });
});
