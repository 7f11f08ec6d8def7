import type { V1Node } from '@kubernetes/client-node';
import type { EventPublisher, LifecycleActions, Scheduler, SelfInvoker } from '../aws/ports.ts';
import type { LifeguardConfig } from '../config/schema.ts';
import type { PodFilter } from '../drain/filters.ts';
import type { NodeLookup } from '../kube/node-index.ts';
import type { KubeApi } from '../kube/port.ts';
import type { Log } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';

export interface InterruptionDeps {
  config: LifeguardConfig;
  clock: Clock;
  log: Log;
  kube: KubeApi;
  /** Instance id → node of this cluster (lib/kube/node-index.ts); `resolveMany` answers a batch's instances together. */
  nodes: {
    resolve(instanceId: string): Promise<{ nodeName: string; via: string; node?: V1Node } | undefined>;
    resolveMany?(instanceIds: readonly string[]): Promise<Map<string, NodeLookup>>;
  };
  /** The EKS cluster (config name) `kube` talks to: continuations name it. */
  clusterName: string;
  /** One-time schedules for work in the future (they fire within a minute: lib/lifecycle/schedule-timing.ts). */
  scheduler?: Scheduler;
  /** Work for this function now (a notice on its queue): how a drain that runs out of time goes on within seconds. */
  invoker?: SelfInvoker;
  lifecycle?: LifecycleActions;
  events?: EventPublisher;
  random?: () => number;
  /**
   * This invocation: the lease holder id, and the time it has left (Lambda's
   * getRemainingTimeInMillis). Without it, the drain never hands over.
   */
  invocation?: { id: string; remainingMs(): number };
  /** Compute and report what would be done; write nothing, publish nothing. */
  dryRun?: boolean;
  /**
   * How long one call of a node's handling retries transient failures (default 2 minutes, sized for
   * Lambda: lib/interruption/retry-budget.ts). The command line sets a short one: a person waits for it.
   */
  retryBudgetMs?: number;
  /** Which pods a drain may touch (default: lib/drain/filters.ts); the real-cluster test scopes it to its namespace. */
  filters?: readonly PodFilter[];
}
