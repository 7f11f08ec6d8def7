import { expect } from 'vitest';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { runFailoverScenario, type FailoverResult } from '../../sandbox/dr/runner.ts';
import type { DrScenarioSpec } from '../../sandbox/dr/scenario.ts';

export const LIVY_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';
export const RM_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/yarn/fedcba9876543210';
export const OLD_ID = 'j-OLDCLUSTER1';
export const OLD_IP = '10.0.1.10';

export const outage = { resourceManager: 'down', nameNode: 'down', livy: 'down' } as const;
export const allUp = { resourceManager: 'active', nameNode: 'active', livy: 'up' } as const;

/** One protected cluster in us-east-1a behind two NLB target groups; a spare subnet in us-east-1b. */
export function scenario(overrides: Partial<DrScenarioSpec> = {}, cluster: Record<string, unknown> = {}): DrScenarioSpec {
  return {
    clusters: [
      {
        name: 'analytics',
        id: OLD_ID,
        subnetId: 'subnet-0aaa1111',
        master: { ip: OLD_IP, instanceId: 'i-0aaa1111' },
        targetGroups: [LIVY_TG, RM_TG],
        confirm: { attempts: 3, intervalSeconds: 10, unhealthyToFail: 3 },
        ...cluster,
      },
    ],
    subnets: [
      { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1' },
      { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2' },
    ],
    targetGroups: [
      { arn: LIVY_TG, port: 8998, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } },
      { arn: RM_TG, port: 8088, healthCheck: { intervalSeconds: 30, healthyThreshold: 2 } },
    ],
    emr: { provisioningSeconds: 600 },
    triggers: [{ at: 10, mode: 'failover' }],
    ...overrides,
  };
}

/** us-east-1a impaired (the cluster's zone), us-east-1b and us-east-1c to go to; two simulated hours. */
export const THREE_ZONES: Partial<DrScenarioSpec> = {
  impairedZones: ['us-east-1a'],
  subnets: [
    { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1' },
    { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2' },
    { id: 'subnet-0ccc3333', zone: 'us-east-1c', cidrPrefix: '10.0.3' },
  ],
  until: 7200,
};

export function run(spec: DrScenarioSpec): Promise<FailoverResult> {
  return runFailoverScenario(spec, { clock: new VirtualClock() });
}

export function actions(result: FailoverResult, service?: string): string[] {
  return result.calls.filter((c) => !service || c.service === service).map((c) => `${c.service}:${c.action}`);
}

export function targetIps(result: FailoverResult, arn: string): string[] {
  return (result.targets[arn] ?? []).filter((t) => t.state !== 'draining').map((t) => t.ip).sort();
}

/**
 * The failover never takes a target group's last healthy target away and never leaves it empty: at
 * every change some target is registered (not draining), and a target that was healthy drains only
 * while another is healthy (an unhealthy one, such as a rolled-back master, may go at any time).
 */
export function expectNeverWithoutHealthyTarget(result: FailoverResult): void {
  for (const arn of [LIVY_TG, RM_TG]) {
    const changes = result.targetHealth[arn] ?? [];
    expect(changes.length).toBeGreaterThan(0);
    let healthyBefore = new Set<string>();
    for (const { t, targets } of changes) {
      expect(targets.some((x) => x.state !== 'draining'), `${arn} at ${t}s: no registered target`).toBe(true);
      const drainedHealthy = targets.some((x) => x.state === 'draining' && healthyBefore.has(x.ip));
      if (drainedHealthy) expect(targets.some((x) => x.state === 'healthy'), `${arn} at ${t}s: a healthy target drains with none healthy left`).toBe(true);
      healthyBefore = new Set(targets.filter((x) => x.state === 'healthy').map((x) => x.ip));
    }
  }
}
