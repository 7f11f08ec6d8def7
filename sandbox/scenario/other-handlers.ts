import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { createKubeApi } from '../../lib/kube/client.ts';
import { KubeApiError, type JsonPatchOp, type KubeApi } from '../../lib/kube/port.ts';
import { errorMessage } from '../../lib/util/errors.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { KubeEmulator, NodeSpec } from '../kube/index.ts';
import type { Recorder } from './cluster.ts';
import type { OtherHandler } from './other-handler-schema.ts';
import type { World } from './world.ts';

/** Karpenter's termination controller taints a node it drains with this (karpenter.sh v1, "Disruption"). */
export const KARPENTER_DISRUPTED_TAINT = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' } as const;
/** NTH's taint for a Spot interruption when TAINT_NODE is on (its pkg/node SpotInterruptionTaint). */
export const NTH_SPOT_TAINT = { key: 'aws-node-termination-handler/spot-itn', effect: 'NoSchedule' } as const;
/** Pods Karpenter's termination controller does not evict (karpenter.sh v1, "Pod-Level Controls"). */
export const KARPENTER_DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
/** kubectl drain (and NTH's drain, built on its helper) tries a refused eviction again after 5 s. */
const EVICTION_RETRY_MS = 5000;

interface Context {
  clock: VirtualClock;
  emulator: KubeEmulator;
  world: World;
  nodes: readonly NodeSpec[];
  record: Recorder;
  timeoutMs: number;
}

/**
 * The other handlers of a scenario, told of each Spot warning as Lifeguard is (they read the same
 * EventBridge events, or the node's instance metadata). They act through the Kubernetes API as
 * the cluster's administrator, so their evictions meet the same PodDisruptionBudgets.
 */
export class OtherHandlers {
  private readonly kube: KubeApi;
  private readonly handled = new Set<string>();

  constructor(
    private readonly handlers: readonly OtherHandler[],
    private readonly ctx: Context,
  ) {
    this.kube = createKubeApi(ctx.emulator.kubeConfig('admin'), { clock: ctx.clock, rateLimit: false, requestTimeoutMs: ctx.timeoutMs });
  }

  /** EC2 warned that these instances go away. */
  spotWarning(instanceIds: readonly string[]): void {
    for (const [index, handler] of this.handlers.entries()) {
      for (const id of instanceIds) {
        const node = this.ctx.nodes.find((n) => n.instanceId === id);
        // One drain per handler and node, however many copies of the warning arrive.
        const key = `${index}|${id}`;
        if (!node || this.handled.has(key) || !selects(handler.nodeSelector, node)) continue;
        this.handled.add(key);
        if (!actsOnSpotWarnings(handler)) {
          this.ctx.record({ actor: handler.kind, action: 'ignores', node: node.name, detail: ignoredWhy(handler) });
          continue;
        }
        this.ctx.clock.schedule(handler.delaySeconds * 1000, () => {
          void this.act(handler, node).catch((err: unknown) => this.ctx.record({ actor: handler.kind, action: 'error', node: node.name, detail: errorMessage(err) }));
        });
      }
    }
  }

  private async act(handler: OtherHandler, node: NodeSpec): Promise<void> {
    if (handler.kind === 'nth') return this.nth(handler, node);
    // Karpenter deletes the NodeClaim; its termination controller taints, drains, then terminates the instance.
    await this.taint(handler.kind, node.name, KARPENTER_DISRUPTED_TAINT, false);
    await this.drain(handler.kind, node.name, { keep: (pod) => pod.metadata?.annotations?.[KARPENTER_DO_NOT_DISRUPT] === 'true' || tolerates(pod, KARPENTER_DISRUPTED_TAINT.key) });
    this.ctx.record({ actor: handler.kind, action: 'terminate', node: node.name, detail: 'the node is drained: the NodeClaim is terminated in EC2' });
    this.ctx.world.terminate(node.instanceId, `terminated by ${handler.kind} after its drain`);
  }

  private async nth(handler: Extract<OtherHandler, { kind: 'nth' }>, node: NodeSpec): Promise<void> {
    if (handler.taintNode) await this.taint('nth', node.name, NTH_SPOT_TAINT, true);
    else await this.cordon(node.name);
    if (handler.cordonOnly) return;
    await this.drain('nth', node.name, {
      keep: () => false,
      ...(handler.podTerminationGracePeriod >= 0 ? { gracePeriodSeconds: handler.podTerminationGracePeriod } : {}),
      timeoutMs: handler.nodeTerminationGracePeriod * 1000,
    });
  }

  private async cordon(nodeName: string): Promise<void> {
    await this.kube.patchNode(nodeName, [{ op: 'add', path: '/spec/unschedulable', value: true }]);
    this.ctx.record({ actor: 'nth', action: 'cordon', node: nodeName });
  }

  private async taint(actor: OtherHandler['kind'], nodeName: string, taint: { key: string; effect: string }, cordon: boolean): Promise<void> {
    const node: V1Node | undefined = await this.kube.getNode(nodeName);
    if (!node) return;
    const taints = node.spec?.taints ?? [];
    const ops: JsonPatchOp[] = taints.some((t) => t.key === taint.key)
      ? []
      : [taints.length ? { op: 'add', path: '/spec/taints/-', value: taint } : { op: 'add', path: '/spec/taints', value: [taint] }];
    if (cordon) ops.push({ op: 'add', path: '/spec/unschedulable', value: true });
    if (ops.length) await this.kube.patchNode(nodeName, ops);
    this.ctx.record({ actor, action: 'taint', node: nodeName, detail: `${taint.key}:${taint.effect}${cordon ? ' and cordon' : ''}` });
  }

  /**
   * Evicts every pod on the node at once (no order among them), as kubectl drain and Karpenter's
   * termination controller do, leaving DaemonSet pods, mirror pods, finished pods and those `keep`
   * names; retries each refused eviction every 5 s; returns once none of the pods it must see gone
   * is left (those it keeps included: Karpenter waits for them), or at its timeout.
   */
  private async drain(actor: OtherHandler['kind'], nodeName: string, how: { keep: (pod: V1Pod) => boolean; gracePeriodSeconds?: number; timeoutMs?: number }): Promise<void> {
    const { clock, record } = this.ctx;
    const until = how.timeoutMs !== undefined ? clock.now() + how.timeoutMs : Infinity;
    const asked = new Set<string>();
    for (;;) {
      const { items } = await this.kube.listPodsOnNode(nodeName);
      const left = items.filter(mustLeave);
      if (left.length === 0 || this.ctx.world.terminatedAt.has(nodeName)) return;
      if (clock.now() >= until) {
        record({ actor, action: 'drain-timeout', node: nodeName, detail: `${left.length} pod(s) still on the node` });
        return;
      }
      const toEvict = left.filter((p) => p.metadata?.deletionTimestamp === undefined && !how.keep(p));
      await Promise.all(toEvict.map((pod) => this.evict(actor, pod, how.gracePeriodSeconds, asked)));
      await clock.sleep(EVICTION_RETRY_MS);
    }
  }

  private async evict(actor: OtherHandler['kind'], pod: V1Pod, gracePeriodSeconds: number | undefined, asked: Set<string>): Promise<void> {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const ref = `${namespace}/${name}`;
    const node = pod.spec!.nodeName!;
    try {
      await this.kube.evictPod(namespace, name, pod.metadata!.uid!, gracePeriodSeconds);
      this.ctx.record({ actor, action: 'evict', node, pod: ref, ...(gracePeriodSeconds !== undefined ? { detail: `grace ${gracePeriodSeconds} s` } : {}) });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return;
      if (!(err instanceof KubeApiError && err.status === 429)) throw err;
      // The budget refused it: said once, tried again on the next round.
      if (!asked.has(ref)) this.ctx.record({ actor, action: 'evict-refused', node, pod: ref, detail: 'PodDisruptionBudget; retrying every 5 s' });
      asked.add(ref);
    }
  }
}

/** A pod the drain waits for: not a DaemonSet's or a mirror, not finished. */
function mustLeave(pod: V1Pod): boolean {
  if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) return false;
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function tolerates(pod: V1Pod, key: string): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === 'NoSchedule'));
}

function selects(selector: Record<string, string>, node: NodeSpec): boolean {
  return Object.entries(selector).every(([k, v]) => node.labels?.[k] === v);
}

function actsOnSpotWarnings(handler: OtherHandler): boolean {
  if (handler.kind === 'karpenter') return handler.interruptionQueue;
  if (handler.kind === 'nth') return handler.mode === 'imds' ? handler.enableSpotInterruptionDraining : handler.enableSqsTerminationDraining;
  return true;
}

function ignoredWhy(handler: OtherHandler): string {
  if (handler.kind === 'karpenter') return 'the Spot warning: no --interruption-queue';
  if (handler.kind === 'nth') return handler.mode === 'imds' ? 'the Spot warning: enableSpotInterruptionDraining=false' : 'the Spot warning: enableSqsTerminationDraining=false';
  return 'the Spot warning';
}
