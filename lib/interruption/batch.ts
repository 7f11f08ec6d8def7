import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { KubeApi } from '../kube/port.ts';
import type { NodeLookup } from '../kube/node-index.ts';
import { errorMessage } from '../util/errors.ts';
import { isPendingDrain, type PendingDrain } from './act.ts';
import type { InterruptionDeps } from './deps.ts';
import { BatchPodFeed } from './pod-feed.ts';
import { handleInstance } from './instance.ts';
import type { InstanceReport, InterruptionReport } from './report.ts';
import { readDelivery, type Work } from './work.ts';
import { ConfigError } from '../config/errors.ts';

/** One notice to handle: an SQS message of a batch, or the payload of a direct invocation. */
export interface Delivery {
  /** Unique within the batch (the SQS message id). */
  id: string;
  body: unknown;
}

/** What became of one delivery: its report per cluster it concerned, and whether it must be tried again. */
export interface DeliveryResult {
  id: string;
  reports: InterruptionReport[];
  /** Some of its work could not be done now (the API failed for good, another invocation holds the node): deliver it again. */
  error?: unknown;
}

/** One protected EKS cluster as the handler sees it. */
export interface ClusterTarget {
  name: string;
  kube: InterruptionDeps['kube'];
  nodes: InterruptionDeps['nodes'];
}

export type BatchDeps = Omit<InterruptionDeps, 'kube' | 'nodes' | 'clusterName'>;

/**
 * The longest a batch's drains wait for its slowest cordon. A cordon that keeps failing (a node
 * the API server throttles, a lookup that must wait for the next node LIST) must not hold every
 * other node's drain: after this, drains start while it retries (it drains when it is done).
 */
export const CORDON_BARRIER_MS = 5_000;

/** One instance of one delivery, in one cluster. */
interface Item {
  delivery: number;
  work: Work;
  instanceId: string;
  holder: string;
  /** The same notice for the same instance came earlier in the batch: this one is a no-op. */
  duplicateOf?: Item;
  /** Its first step: decided and written (a drain cordoned and leased, not run yet). */
  outcome?: Promise<Outcome>;
  /** Where it ended, its drain run. */
  settled?: Settled;
}

type Outcome = { report: InstanceReport | PendingDrain } | { error: unknown };
type Settled = { report: InstanceReport } | { error: unknown };

/**
 * Handles a batch of deliveries as one unit of work, so the API load of a mass reclaim is bounded
 * by the invocations running at once, not by the number of notices:
 *
 * 1. every delivery is parsed (a malformed or foreign one is reported ignored, never retried);
 * 2. every instance is looked up together, per cluster (one EC2 DescribeInstances, at most one
 *    node LIST: lib/kube/node-index.ts), and the deliveries go to the clusters that have their nodes;
 * 3. every node is decided on and written — tainted and cordoned, leased when a drain follows —
 *    before any drain starts (at most CORDON_BARRIER_MS wait for the slowest), so no cordon queues
 *    behind evictions, in the client's rate limiter or in the API server's flow;
 * 4. the drains run concurrently under the invocation's one client (one token bucket), at most
 *    `drain.nodes` at a time, reading their pods from one shared stream per cluster (pod-feed.ts).
 *
 * Work for one instance runs in delivery order; the same notice twice is done once. A delivery
 * fails (to be delivered again) only when its own work could not be done; the others stand.
 */
export async function handleBatch(deliveries: readonly Delivery[], clusters: readonly ClusterTarget[], base: BatchDeps): Promise<DeliveryResult[]> {
  const [first] = clusters;
  if (!first) throw new ConfigError('no EKS cluster is configured (config: eks[]): Lifeguard has no node to protect');
  const { clock } = base;
  const receivedAt = clock.now();
  const read = deliveries.map((d) => readDelivery(d.body, base, receivedAt));

  const routes = await route(read, clusters);
  const holderOf = (index: number) => (base.invocation ? (deliveries.length === 1 ? base.invocation.id : `${base.invocation.id}/${deliveries[index]!.id}`) : randomUUID());
  const perCluster = await Promise.all(
    [...routes].map(async ([cluster, { deliveries: routed, lookups }]) => {
      const items = routed.flatMap((index) => {
        const work = read[index]!.work!;
        return work.instanceIds.map((instanceId): Item => ({ delivery: index, work, instanceId, holder: holderOf(index) }));
      });
      await runCluster(items, lookups, { ...base, kube: cluster.kube, nodes: cluster.nodes, clusterName: cluster.name });
      return { cluster, items };
    }),
  );

  return deliveries.map((delivery, index): DeliveryResult => {
    const { work, ignored } = read[index]!;
    if (!work) return { id: delivery.id, reports: [ignored!] };
    const reports: InterruptionReport[] = [];
    const failures: unknown[] = [];
    for (const { cluster, items } of perCluster) {
      const mine = items.filter((i) => i.delivery === index);
      if (mine.length === 0) continue;
      const instances: InstanceReport[] = [];
      for (const item of mine) {
        const outcome = item.settled!;
        if ('error' in outcome) {
          failures.push(outcome.error);
          base.log.error('handling the instance failed; the delivery fails so it is tried again', { eventId: work.notice.eventId, instanceId: item.instanceId, cluster: cluster.name, error: errorMessage(outcome.error) });
        } else instances.push(outcome.report);
      }
      reports.push(reportOf(work, instances, base, receivedAt));
    }
    if (failures.length === 0) return { id: delivery.id, reports };
    const error = failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} instances of event ${work.notice.eventId} failed`);
    return { id: delivery.id, reports, error };
  });
}

/**
 * Which cluster each delivery goes to, and the batch's lookups there. A continuation goes to the
 * cluster it names. With one cluster, everything goes to it. With several, an event goes to each
 * cluster that has a node for one of its instances, and to each that cannot tell yet (its lookup
 * failed, or must wait for its next node LIST: there the handler's own retries settle it); an
 * event no cluster knows goes to the first, which reports it ignored.
 */
async function route(read: ReturnType<typeof readDelivery>[], clusters: readonly ClusterTarget[]): Promise<Map<ClusterTarget, { deliveries: number[]; lookups: Map<string, NodeLookup> }>> {
  const routes = new Map<ClusterTarget, { deliveries: number[]; lookups: Map<string, NodeLookup> }>();
  const add = (cluster: ClusterTarget, index: number) => {
    const entry = routes.get(cluster) ?? { deliveries: [], lookups: new Map<string, NodeLookup>() };
    entry.deliveries.push(index);
    routes.set(cluster, entry);
  };
  const events: number[] = [];
  read.forEach(({ work }, index) => {
    if (!work) return;
    if (work.continuation) add(clusters.find((c) => c.name === work.continuation!.cluster) ?? clusters[0]!, index);
    else if (clusters.length === 1) add(clusters[0]!, index);
    else events.push(index);
  });
  if (events.length > 0) {
    const ids = events.flatMap((index) => read[index]!.work!.instanceIds);
    const found = await Promise.all(clusters.map((cluster) => lookUp(cluster.nodes, ids)));
    for (const index of events) {
      const owners = clusters.filter((_, c) => read[index]!.work!.instanceIds.some((id) => claims(found[c]!.get(id))));
      for (const owner of owners.length ? owners : [clusters[0]!]) add(owner, index);
    }
    clusters.forEach((cluster, c) => {
      const entry = routes.get(cluster);
      if (entry) for (const [id, lookup] of found[c]!) entry.lookups.set(id, lookup);
    });
  }
  // Everything routed but not looked up yet, one lookup per cluster.
  await Promise.all(
    [...routes].map(async ([cluster, entry]) => {
      const missing = entry.deliveries.flatMap((index) => read[index]!.work!.instanceIds).filter((id) => !entry.lookups.has(id));
      if (missing.length > 0) for (const [id, lookup] of await lookUp(cluster.nodes, missing)) entry.lookups.set(id, lookup);
    }),
  );
  return routes;
}

/** The node of an instance, or a failure to tell: the cluster may own it. */
const claims = (lookup: NodeLookup | undefined): boolean => lookup !== undefined && ('error' in lookup || lookup.node !== undefined);

/** Every instance at once when the index can (NodeIndex.resolveMany), else one by one. */
async function lookUp(nodes: InterruptionDeps['nodes'], instanceIds: readonly string[]): Promise<Map<string, NodeLookup>> {
  const unique = [...new Set(instanceIds)];
  if (nodes.resolveMany) return nodes.resolveMany(unique);
  const settled = await Promise.allSettled(unique.map((id) => nodes.resolve(id)));
  return new Map(
    unique.map((id, i): [string, NodeLookup] => {
      const result = settled[i]!;
      return [id, result.status === 'fulfilled' ? { node: result.value } : { error: result.reason }];
    }),
  );
}

/** Cordons (and decides for) every instance, then runs the drains; each item ends with `settled`. */
async function runCluster(items: Item[], lookups: Map<string, NodeLookup>, deps: InterruptionDeps): Promise<void> {
  const { clock } = deps;
  const roundStartedAt = clock.now();
  // Work for one instance in delivery order; the same notice twice once.
  const byInstance = new Map<string, Item[]>();
  for (const item of items) {
    const same = byInstance.get(item.instanceId) ?? [];
    const earlier = same.find((e) => noticeKey(e.work) === noticeKey(item.work));
    if (earlier) item.duplicateOf = earlier;
    same.push(item);
    byInstance.set(item.instanceId, same);
  }
  for (const same of byInstance.values()) {
    let previous: Promise<unknown> = Promise.resolve();
    let draining: PendingDrain | undefined;
    for (const item of same) {
      if (item.duplicateOf) {
        item.outcome = item.duplicateOf.outcome!.then(() => ({ report: { instanceId: item.instanceId, status: 'duplicate', reason: 'the same notice came twice in one batch: handled once' } }));
        continue;
      }
      const lookup = lookups.get(item.instanceId);
      item.outcome = previous.then(() =>
        handleInstance({ notice: item.work.notice, event: item.work.event, instanceId: item.instanceId, trigger: item.work.trigger, holder: item.holder, roundStartedAt, ...(lookup ? { lookup } : {}) }, deps).then(
          (report): Outcome => {
            // A later notice took the node over (preempting the earlier one's lease): only its drain runs.
            if (isPendingDrain(report)) {
              draining?.supersede();
              draining = report;
            }
            return { report };
          },
          (error: unknown): Outcome => ({ error }),
        ),
      );
      previous = item.outcome;
    }
  }

  const cordoned = Promise.all(items.map((i) => i.outcome));
  const waited = new AbortController();
  await Promise.race([cordoned, clock.sleep(CORDON_BARRIER_MS, waited.signal)]);
  waited.abort();

  // The drains known now share one stream of the cluster's pods (one server-side scan instead of one per node).
  const known = await settledNow(items);
  const draining = known.filter(isPendingDrain).map((d) => d.nodeName);
  const feed = draining.length >= 2 ? new BatchPodFeed(deps.kube, draining, { log: deps.log }) : undefined;
  const drainKube: KubeApi | undefined = feed?.kube();
  const limit = pLimit(deps.config.interruption.drain.nodes);
  try {
    await Promise.all(
      items.map(async (item) => {
        const outcome = await item.outcome!;
        if ('error' in outcome) return void (item.settled = outcome);
        const { report } = outcome;
        if (!isPendingDrain(report)) return void (item.settled = { report });
        try {
          item.settled = { report: await limit(() => report.run(drainKube ? { kube: drainKube } : {})) };
        } catch (error) {
          item.settled = { error };
        }
      }),
    );
  } finally {
    feed?.close();
  }
}

/** What each item's first step came to, for those that are done already (without waiting for the others). */
async function settledNow(items: readonly Item[]): Promise<Array<InstanceReport | PendingDrain>> {
  const done: Array<InstanceReport | PendingDrain> = [];
  const pending = Symbol('pending');
  for (const item of items) {
    const outcome = await Promise.race([item.outcome!, Promise.resolve(pending)]);
    if (outcome !== pending && 'report' in outcome) done.push(outcome.report);
  }
  return done;
}

/** The same notice: the same event (or the same continuation of it). */
const noticeKey = (work: Work): string =>
  JSON.stringify([work.notice.eventId, work.continuation ? [work.continuation.type, work.continuation.round] : null]);

/** The delivery's report for one cluster, as the single-event handler always gave it. */
function reportOf(work: Work, instances: InstanceReport[], deps: BatchDeps, receivedAt: number): InterruptionReport {
  const { notice, continuation } = work;
  return {
    ignored: false,
    eventId: notice.eventId,
    kind: notice.kind,
    trigger: continuation ? 'continuation' : 'event',
    ...(continuation ? { continuation: continuation.type } : {}),
    dryRun: deps.dryRun === true,
    receivedAt,
    eventAgeMs: receivedAt - notice.eventTime,
    ...(work.unknownEventType !== undefined ? { unknownEventType: work.unknownEventType } : {}),
    instances,
  };
}
