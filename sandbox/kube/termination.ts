import { iso, type NodeObject } from './objects.ts';
import type { PodRecord, TerminationCause } from './objects.ts';
import { podKey, type ClusterStore } from './store.ts';
import type { Timers } from './timers.ts';

/** What the controllers want to hear about a pod's end. */
export interface PodLifecycleListener {
  podTerminating(record: PodRecord): void;
  podGone(record: PodRecord): void;
}

/**
 * The kubelets' side of pod termination. A terminating pod runs its preStop hook and shutdown for
 * `shutdownSeconds`; it exits then if that fits in the grace period, and is SIGKILLed when the
 * grace runs out first. Either way it then disappears from the API.
 *
 * Node termination (the instance is gone): every pod on it is killed at once and removed; the Node
 * object stays, NotReady, with the `node.kubernetes.io/unreachable` taints the node lifecycle
 * controller adds, so the engine can still read it and nothing is scheduled there.
 */
export class Kubelet {
  constructor(
    private readonly store: ClusterStore,
    private readonly timers: Timers,
    private readonly listener: PodLifecycleListener,
  ) {}

  /**
   * Starts (or shortens) a pod's graceful termination. A second request can only bring the end
   * forward, never push it back, like the API server's graceful deletion.
   */
  beginTermination(record: PodRecord, graceSeconds: number, cause: TerminationCause): void {
    const store = this.store;
    const now = store.now();
    const pod = record.object;
    const ref = podKey(pod.metadata.namespace, pod.metadata.name);
    if (pod.metadata.deletionTimestamp !== undefined) {
      const newDeadline = now + graceSeconds * 1000;
      if (record.terminationDeadline === undefined || newDeadline >= record.terminationDeadline) return;
      pod.metadata.deletionTimestamp = iso(newDeadline);
      pod.metadata.deletionGracePeriodSeconds = graceSeconds;
      store.touchPod(record);
      store.emit({ actor: 'kubelet', action: 'grace-shortened', node: pod.spec.nodeName, pod: ref, detail: `grace ${graceSeconds}s` });
      this.scheduleEnd(record, graceSeconds, (now - (record.history.terminatingAt ?? now)) / 1000);
      return;
    }
    pod.metadata.deletionTimestamp = iso(now + graceSeconds * 1000);
    pod.metadata.deletionGracePeriodSeconds = graceSeconds;
    store.touchPod(record);
    Object.assign(record.history, { terminatingAt: now, cause, gracePeriodSeconds: graceSeconds });
    store.emit({
      actor: 'kubelet',
      action: 'terminating',
      node: pod.spec.nodeName,
      pod: ref,
      detail: `${cause}; grace ${graceSeconds}s, shutdown takes ${record.spec.shutdownSeconds}s`,
    });
    this.listener.podTerminating(record);
    this.scheduleEnd(record, graceSeconds, 0);
  }

  /** `elapsed`: seconds of shutdown already done when the grace changes. */
  private scheduleEnd(record: PodRecord, graceSeconds: number, elapsed: number): void {
    record.cancelTermination?.();
    const remainingShutdown = Math.max(0, record.spec.shutdownSeconds - elapsed);
    const exitsInTime = remainingShutdown <= graceSeconds;
    const afterSeconds = exitsInTime ? remainingShutdown : graceSeconds;
    record.terminationDeadline = this.store.now() + graceSeconds * 1000;
    if (afterSeconds === 0) {
      record.cancelTermination = undefined;
      this.end(record, exitsInTime ? 'exited' : 'killed', exitsInTime ? 'shutdown complete' : 'grace period 0');
      return;
    }
    record.cancelTermination = this.timers.after(afterSeconds * 1000, () => {
      record.cancelTermination = undefined;
      this.end(record, exitsInTime ? 'exited' : 'killed', exitsInTime ? 'shutdown complete' : `grace period of ${graceSeconds}s ran out`);
    });
  }

  /** The pod's containers are gone: it leaves the API. */
  private end(record: PodRecord, ending: 'exited' | 'killed', detail: string): void {
    const store = this.store;
    const pod = record.object;
    store.removePod(record);
    Object.assign(record.history, { goneAt: store.now(), ending });
    store.emit({ actor: 'kubelet', action: ending, node: pod.spec.nodeName, pod: podKey(pod.metadata.namespace, pod.metadata.name), detail });
    this.listener.podGone(record);
  }

  /**
   * The instance behind the node is back (started again, or rebooted): the kubelet posts Ready
   * again and the node lifecycle controller lifts its unreachable taints. Its pods did not survive.
   */
  restartNode(node: NodeObject): void {
    const store = this.store;
    const name = node.metadata.name;
    if (!store.terminatedNodes.delete(name)) return;
    const now = store.now();
    const ready = node.status.conditions.find((c) => c.type === 'Ready');
    if (ready) Object.assign(ready, { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: iso(now) });
    node.spec.taints = (node.spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unreachable');
    node.metadata.resourceVersion = store.nextResourceVersion();
    store.emit({ actor: 'node', action: 'node-ready', node: name, detail: 'instance running again; kubelet Ready' });
  }

  /** The instance behind the node is gone (or stopped). Returns the number of pods killed. */
  terminateNode(node: NodeObject): number {
    const store = this.store;
    const name = node.metadata.name;
    if (store.terminatedNodes.has(name)) return 0;
    store.terminatedNodes.add(name);
    const now = store.now();
    const victims = store.podsOnNode(name);
    for (const record of victims) {
      record.cancelTermination?.();
      record.cancelTermination = undefined;
      if (record.history.terminatingAt === undefined) Object.assign(record.history, { terminatingAt: now, cause: 'node-termination' });
      const finished = record.object.status.phase === 'Succeeded' || record.object.status.phase === 'Failed';
      this.end(record, finished ? 'exited' : 'killed', 'node terminated');
    }
    const ready = node.status.conditions.find((c) => c.type === 'Ready');
    if (ready) {
      Object.assign(ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: iso(now) });
    }
    const taints = (node.spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unreachable');
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(now) });
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(now) });
    node.spec.taints = taints;
    node.metadata.resourceVersion = store.nextResourceVersion();
    store.emit({ actor: 'node', action: 'node-terminated', node: name, detail: `${victims.length} pod(s) killed` });
    return victims.length;
  }
}
