import type { Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Clock } from '../../lib/util/clock.ts';
import { createKubeCluster, type KubeCluster } from './cluster.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { ApiPriorityAndFairness } from './apf/dispatcher.ts';
import { parseFlowControlManifest, withDefaults } from './apf/manifest.ts';
import { apiLimitsSchema, resolveLimits, type ApiLimitsOptions } from './limits.ts';
import { ApiMetrics, type ApiMetricsSnapshot } from './metrics.ts';
import { createAccessControl, type AccessControl, type Unauthenticated } from './rbac/access-control.ts';
import type { SandboxUser } from './rbac/users.ts';
import { startHttpServer, type FlowControl, type RequestRecord } from './server.ts';
import { parseSpec } from './specs.ts';
import type { ClusterStore, KubeEvent } from './store.ts';
import type { Timers } from './timers.ts';

export { nodeSpecSchema, podSpecSchema, pdbSpecSchema, taintSpecSchema, tolerationSpecSchema } from './specs.ts';
export type { NodeSpec, PodSpec, PdbSpec } from './specs.ts';
export { faultOptionsSchema, KUBE_OPERATIONS } from './faults.ts';
export type { FaultOptions, KubeOperation } from './faults.ts';
export type { KubeEvent, KubeEventActor } from './store.ts';
export type { PodHistoryEntry, TerminationCause } from './objects.ts';
export type { NodeObject, PodObject, PdbObject } from './objects.ts';
export type { RequestRecord } from './server.ts';
export { apiLimitsSchema, maxSeatsFor, nominalConcurrency, SERVER_CONCURRENCY_LIMIT, PRIORITY_LEVEL_SHARES } from './limits.ts';
export type { ApiLimitsOptions } from './limits.ts';
export { LIFEGUARD_FLOW_CONTROL_MANIFEST } from './apf/manifest.ts';
export type { ApiMetricsSnapshot, LevelMetrics } from './metrics.ts';
export type { EventObject } from './objects.ts';
export { SANDBOX_USERS } from './rbac/users.ts';
export type { SandboxUser } from './rbac/users.ts';
export type { RequestAttributes } from './rbac/request-info.ts';
export { loopbackHost } from './listen.ts';

export interface KubeEmulatorOptions {
  clock: Clock;
  /** Server-side latency added to every request, in clock milliseconds. */
  latencyMs?: number;
  faults?: FaultOptions;
  /** Seeds uids, replacement names and fault draws (default 1). */
  seed?: number;
  /** A controller-owned pod is replaced this long after it starts terminating (ReplicaSet) or is gone (StatefulSet). Default 10. */
  recreateDelaySeconds?: number;
  /** ...and the replacement turns Ready this long after it is placed. Default 5. */
  readyDelaySeconds?: number;
  /** Pod changes kept for watches that resume from a resourceVersion; older ones get 410 Expired. Default 20,000. */
  watchCacheSize?: number;
  /**
   * The WatchList feature: a WATCH with sendInitialEvents=true streams the current pods, then a
   * bookmark (default true, as EKS 1.32 and 1.34+ run it); false refuses it with 422, as 1.33
   * does by default and older servers do.
   */
  watchList?: boolean;
  /**
   * A keep-alive connection that carried no request for this many seconds of `clock` time is closed
   * (default 5, the idle timeout Node's HTTP server keeps in real time; kube-apiserver's IdleTimeout
   * is 90 s, k8s.io/apiserver secure_serving.go, but at 90 s a burst of a thousand environments
   * keeps both ends of its ~17,000 connections open in this one process).
   */
  idleConnectionSeconds?: number;
  onEvent?: (event: KubeEvent) => void;
  /**
   * API Priority and Fairness as the emulator models it (sandbox/kube/limits.ts): `{}` turns it on
   * with EKS's defaults; leave it out for an API server without limits. With limits, `latencyMs` is
   * the base service time of a one-seat request, held while the request occupies its seats.
   */
  limits?: ApiLimitsOptions;
  /**
   * FlowSchemas and PriorityLevelConfigurations (flowcontrol.apiserver.k8s.io/v1) as YAML, applied
   * over kube-apiserver's default configuration, e.g. Lifeguard's deploy/kubernetes-flowcontrol.yaml
   * (LIFEGUARD_FLOW_CONTROL_MANIFEST). Default: none, as on a cluster whose administrator has not
   * applied it. Needs `limits`.
   */
  flowControlManifest?: string;
  /**
   * The RBAC manifest every request is authorized against, as YAML (default: the manifest Lifeguard
   * ships, deploy/kubernetes-rbac.yaml), on top of the cluster's default roles.
   */
  rbacManifest?: string;
  /** Identities beyond `admin` and `lifeguard` (SANDBOX_USERS), by bearer token. */
  users?: Record<string, SandboxUser>;
  /** Who a request without credentials is (default `anonymous`; `admin` for kubectl over plain HTTP). */
  unauthenticated?: Unauthenticated;
  /** Where to listen: a loopback address (127.0.0.0/8, ::1, localhost; default 127.0.0.1) and a port (default any free one). */
  listen?: { host?: string; port?: number };
}

/** What the emulator answers from the cluster it serves: its objects and what the world does to them. */
type ClusterFace = Pick<
  KubeCluster,
  'addNode' | 'addPod' | 'addPdb' | 'terminateNode' | 'restartNode' | 'node' | 'pod' | 'pods' | 'pdbs' | 'budgetsOf' | 'podHistory' | 'events'
>;

export interface KubeEmulator extends ClusterFace {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /**
   * A client-node KubeConfig for the emulator (plain HTTP, so skipTLSVerify) signed in as `user`:
   * `lifeguard` (Lifeguard's identity, allowed what deploy/kubernetes-rbac.yaml grants), `admin`
   * (system:masters: the operator, a test's own setup), or a token of `options.users`. The user is
   * also the request's flow under `limits`: every client of one IAM identity shares one, as on EKS.
   */
  kubeConfig(user: string): KubeConfig;
  close(): Promise<void>;
  /** Every request answered (or reset), in order. */
  readonly requests: readonly RequestRecord[];
  /** Requests by verb and resource, 429s, queue depth, seats, connections, per flow. */
  metrics(): ApiMetricsSnapshot;
}

/** Emulator options the scenario format also takes (cluster.api), with the same bounds and defaults. */
export const watchCacheSizeSchema = z.number().int().min(1).max(1_000_000).default(20_000);
export const watchListSchema = z.boolean().default(true);

const optionsSchema = z
  .object({
    latencyMs: z.number().min(0).max(600_000).default(0),
    seed: z.number().int().default(1),
    recreateDelaySeconds: z.number().min(0).default(10),
    readyDelaySeconds: z.number().min(0).default(5),
    watchCacheSize: watchCacheSizeSchema,
    watchList: watchListSchema,
    idleConnectionSeconds: z.number().min(0.001).max(3600).default(5),
  })
  .strict();

/** With limits: API Priority and Fairness over the manifest's objects (or the defaults), and what a request costs. */
function flowControlOf(options: KubeEmulatorOptions, store: ClusterStore, timers: Timers, metrics: ApiMetrics): FlowControl | undefined {
  const { flowControlManifest, limits: limitsInput } = options;
  if (flowControlManifest !== undefined && limitsInput === undefined) throw new Error('invalid kube emulator options: flowControlManifest: API Priority and Fairness needs limits (give limits: {} for the defaults)');
  const flowControlObjects = withDefaults(flowControlManifest === undefined ? [] : parseFlowControlManifest(flowControlManifest, 'kube emulator options: flowControlManifest'));
  const limits = limitsInput === undefined ? undefined : resolveLimits(parseSpec(apiLimitsSchema, limitsInput, 'kube emulator options: limits'), flowControlObjects);
  if (!limits) return undefined;
  const apf: ApiPriorityAndFairness = new ApiPriorityAndFairness(flowControlObjects, limits, timers, () => metrics.queueDepth(apf.queued));
  return {
    apf,
    limits,
    counts: () => ({ pods: store.pods.size, nodes: store.nodes.size, pdbs: store.pdbs.size, events: store.events.size }),
  };
}

/** A kubeconfig that signs `user` in with its bearer token. */
function kubeConfigFor(access: AccessControl, url: string, user: string): KubeConfig {
  if (!access.hasToken(user)) throw new Error(`kubeConfig: user: no identity ${JSON.stringify(user)}; the emulator signs in ${access.tokens.join(', ')}`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: url, skipTLSVerify: true }],
    users: [{ name: 'sandbox', token: user }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox' }],
    currentContext: 'sandbox',
  });
  return kc;
}

function faceOf(cluster: KubeCluster): ClusterFace {
  const { addNode, addPod, addPdb, terminateNode, restartNode, node, pod, pods, pdbs, budgetsOf, podHistory, events } = cluster;
  return { addNode, addPod, addPdb, terminateNode, restartNode, node, pod, pods, pdbs, budgetsOf, podHistory, events };
}

/** Closes once: timers cancelled, then the server and every connection it holds. */
function closerOf(server: Server, timers: Timers): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    timers.cancelAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
}

export async function startKubeEmulator(options: KubeEmulatorOptions): Promise<KubeEmulator> {
  const { clock, faults, onEvent, limits: _limits, flowControlManifest: _flowControlManifest, rbacManifest, users, unauthenticated, listen, ...plain } = options;
  if (!clock || typeof clock.now !== 'function' || typeof clock.sleep !== 'function') throw new Error('invalid kube emulator options: clock: a Clock is required');
  const settings = parseSpec(optionsSchema, plain, 'kube emulator options');
  const access = createAccessControl(rbacManifest, users, unauthenticated);
  const cluster = createKubeCluster({
    clock,
    seed: settings.seed,
    recreateDelaySeconds: settings.recreateDelaySeconds,
    readyDelaySeconds: settings.readyDelaySeconds,
    watchCacheSize: settings.watchCacheSize,
    onEvent: onEvent ?? (() => {}),
  });
  const { store, timers, handlers } = cluster;
  const requests: RequestRecord[] = [];
  const metrics = new ApiMetrics();
  const flowControl = flowControlOf(options, store, timers, metrics);
  const { url, server } = await startHttpServer({
    store,
    handlers,
    timers,
    latencyMs: settings.latencyMs,
    faults: faults ? new FaultInjector(faults, settings.seed) : undefined,
    requests,
    metrics,
    watchList: settings.watchList,
    idleConnectionMs: settings.idleConnectionSeconds * 1000,
    access,
    ...(flowControl ? { flowControl } : {}),
    listen: { host: listen?.host ?? '127.0.0.1', port: listen?.port ?? 0 },
  });
  server.on('connection', () => metrics.connection());
  return { url, requests, metrics: () => metrics.snapshot(), kubeConfig: (user) => kubeConfigFor(access, url, user), close: closerOf(server, timers), ...faceOf(cluster) };
}
