import { buildPod, controllerOf, internalIp, isPodReady, ownerReference, setPodReady, tolerates, type NodeObject } from './objects.ts';
import { podStarted, type PodRecord } from './objects.ts';
import { podKey, type ClusterStore } from './store.ts';
import type { PodLifecycleListener } from './termination.ts';
import type { Timers } from './timers.ts';

/**
 * ReplicaSet and StatefulSet controllers plus the scheduler, reduced to what a drain exercises:
 * a ReplicaSet replaces a pod as soon as it starts terminating (terminating pods do not count
 * as replicas), under a new name and uid; a StatefulSet recreates the same name once the old pod
 * is gone. The replacement lands on a schedulable node after `recreateDelaySeconds` and turns
 * Ready `readyDelaySeconds` later. DaemonSet, Job, Pod-owned (Spark executors) and bare pods are
 * not recreated.
 */
export class WorkloadControllers implements PodLifecycleListener {
  /** Replacements waiting for a schedulable node. */
  private readonly unschedulable: PodRecord[] = [];
  /** uids of ReplicaSet pods whose replacement is already on its way. */
  private readonly replaced = new Set<string>();

  constructor(
    private readonly store: ClusterStore,
    private readonly timers: Timers,
    private readonly recreateDelayMs: number,
    private readonly readyDelayMs: number,
  ) {}

  podTerminating(record: PodRecord): void {
    if (this.ownerKind(record) === 'ReplicaSet') this.scheduleReplacement(record);
  }

  /** A pod that vanished without a graceful termination (its node died) is replaced now too. */
  podGone(record: PodRecord): void {
    const kind = this.ownerKind(record);
    if (kind === 'StatefulSet' || (kind === 'ReplicaSet' && !this.replaced.has(record.object.metadata.uid))) this.scheduleReplacement(record);
  }

  private scheduleReplacement(record: PodRecord): void {
    this.replaced.add(record.object.metadata.uid);
    this.timers.after(this.recreateDelayMs, () => this.replace(record));
  }

  /** A node joined (or became usable): place replacements that were waiting. */
  nodeAvailable(): void {
    for (const record of [...this.unschedulable]) {
      const node = this.pickNode(record, undefined);
      if (!node) continue;
      this.unschedulable.splice(this.unschedulable.indexOf(record), 1);
      this.bind(record, node);
    }
  }

  private ownerKind(record: PodRecord): string | undefined {
    const owner = controllerOf(record.object);
    return owner ? this.store.controllerByUid(owner.uid)?.kind : undefined;
  }

  private replace(old: PodRecord): void {
    const store = this.store;
    const ownerRef = controllerOf(old.object);
    const controller = ownerRef ? store.controllerByUid(ownerRef.uid) : undefined;
    if (!ownerRef || !controller) return;
    const namespace = old.object.metadata.namespace;
    const name = controller.kind === 'StatefulSet' ? old.object.metadata.name : `${controller.name}-${store.newNameSuffix()}`;
    if (store.podRecord(namespace, name)) return; // the name is taken (a StatefulSet pod already back)
    const now = store.now();
    const spec = { ...old.spec, name, phase: 'Running' as const, ready: false };
    const object = buildPod(spec, { uid: store.newUid(), resourceVersion: store.nextResourceVersion(), at: now, owner: ownerReference(controller.kind, controller.name, controller.uid) });
    object.status.phase = 'Pending';
    object.status.conditions = [];
    setPodReady(object, false, now);
    const record: PodRecord = {
      object,
      spec,
      history: {
        uid: object.metadata.uid,
        namespace,
        name,
        owner: { kind: controller.kind, name: controller.name },
        createdAt: now,
        shutdownSeconds: spec.shutdownSeconds,
        replacementOf: old.object.metadata.uid,
      },
    };
    store.insertPod(record);
    const node = this.pickNode(record, old.object.spec.nodeName);
    if (!node) {
      this.unschedulable.push(record);
      store.emit({ actor: 'controller', action: 'unschedulable', pod: podKey(namespace, name), detail: `replaces ${old.object.metadata.name}; no schedulable node` });
      return;
    }
    this.bind(record, node, old.object.metadata.name);
  }

  private bind(record: PodRecord, node: NodeObject, replaces?: string): void {
    const store = this.store;
    const now = store.now();
    const pod = record.object;
    store.bindPod(record, node.metadata.name);
    pod.status.phase = 'Running';
    pod.status.startTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    pod.status.conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: pod.status.startTime });
    podStarted(pod, { podIP: store.nextPodAddress(), hostIP: internalIp(node) ?? '' }, pod.status.startTime);
    store.touchPod(record);
    record.history.node = node.metadata.name;
    const ref = podKey(pod.metadata.namespace, pod.metadata.name);
    store.emit({ actor: 'controller', action: 'recreated', node: node.metadata.name, pod: ref, detail: replaces ? `replaces ${replaces}` : 'scheduled' });
    record.cancelReady = this.timers.after(this.readyDelayMs, () => {
      record.cancelReady = undefined;
      if (store.podRecord(pod.metadata.namespace, pod.metadata.name) !== record || pod.metadata.deletionTimestamp || isPodReady(pod)) return;
      setPodReady(pod, true, store.now());
      store.touchPod(record);
      store.emit({ actor: 'kubelet', action: 'ready', node: node.metadata.name, pod: ref });
    });
  }

  /** The least loaded schedulable node, preferring one other than `avoid`; ties by name. */
  private pickNode(record: PodRecord, avoid: string | undefined): NodeObject | undefined {
    const store = this.store;
    // One pass over the nodes, each node's load kept by the store: a sort or a count of every node's
    // pods per replacement is quadratic at a thousand nodes.
    let best: { node: NodeObject; load: number } | undefined;
    let avoided: NodeObject | undefined;
    for (const node of store.nodes.values()) {
      const name = node.metadata.name;
      const schedulable =
        !store.terminatedNodes.has(name) &&
        node.spec.unschedulable !== true &&
        node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') &&
        (node.spec.taints ?? []).every((t) => t.effect === 'PreferNoSchedule' || tolerates(record.object.spec.tolerations, t));
      if (!schedulable) continue;
      if (name === avoid) {
        avoided = node;
        continue;
      }
      const load = store.runningPodsOnNode(name);
      if (!best || load < best.load || (load === best.load && name.localeCompare(best.node.metadata.name) < 0)) best = { node, load };
    }
    return best?.node ?? avoided;
  }
}
