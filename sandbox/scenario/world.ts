import type { NodeSpec } from '../kube/index.ts';
import type { KubeEmulator } from '../kube/index.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { TimelineEntry } from './result.ts';
import type { ScenarioStep } from './schema.ts';

/** A step of `events` that is the world acting on its own, not an EventBridge event. */
export type WorldStep = Exclude<ScenarioStep, { event: unknown }>;

/**
 * EC2 doing what it does to instances, seen from Kubernetes: a terminated instance's node stays
 * NotReady for good; a stopped one until it starts again; a rebooting one for `downSeconds`.
 */
export class World {
  /** Node → when its instance went away for good (epoch ms). */
  readonly terminatedAt = new Map<string, number>();
  private readonly nodeByInstance: Map<string, string>;
  private readonly down = new Set<string>();

  constructor(
    private readonly emulator: KubeEmulator,
    private readonly clock: VirtualClock,
    nodes: readonly NodeSpec[],
    private readonly record: (entry: Omit<TimelineEntry, 't'>) => void,
  ) {
    this.nodeByInstance = new Map(nodes.map((n) => [n.instanceId, n.name]));
  }

  act(step: WorldStep): void {
    if ('terminateInstance' in step) return this.terminate(step.terminateInstance, 'terminated by the scenario');
    if ('stopInstance' in step) return this.stop(step.stopInstance, 'stopped by the scenario');
    if ('startInstance' in step) return this.start(step.startInstance, 'started by the scenario');
    this.stop(step.rebootInstance, `rebooting (down ${step.downSeconds}s)`);
    this.clock.schedule(step.downSeconds * 1000, () => this.start(step.rebootInstance, 'back from its reboot'));
  }

  terminate(instanceId: string, why: string): void {
    const node = this.nodeByInstance.get(instanceId);
    if (!node || this.terminatedAt.has(node)) return;
    this.terminatedAt.set(node, this.clock.now());
    this.record({ actor: 'ec2', action: 'instance-terminated', node, detail: `${instanceId}: ${why}` });
    if (!this.down.has(node)) this.emulator.terminateNode(node);
  }

  private stop(instanceId: string, why: string): void {
    const node = this.nodeByInstance.get(instanceId);
    if (!node || this.terminatedAt.has(node) || this.down.has(node)) return;
    this.down.add(node);
    this.record({ actor: 'ec2', action: 'instance-stopped', node, detail: `${instanceId}: ${why}` });
    this.emulator.terminateNode(node);
  }

  private start(instanceId: string, why: string): void {
    const node = this.nodeByInstance.get(instanceId);
    if (!node || this.terminatedAt.has(node) || !this.down.delete(node)) return;
    this.record({ actor: 'ec2', action: 'instance-running', node, detail: `${instanceId}: ${why}` });
    this.emulator.restartNode(node);
  }
}
