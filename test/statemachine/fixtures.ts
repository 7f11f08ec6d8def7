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

export function run(spec: DrScenarioSpec): Promise<FailoverResult> {
  return runFailoverScenario(spec, { clock: new VirtualClock() });
}

export function actions(result: FailoverResult, service?: string): string[] {
  return result.calls.filter((c) => !service || c.service === service).map((c) => `${c.service}:${c.action}`);
}

export function targetIps(result: FailoverResult, arn: string): string[] {
  return (result.targets[arn] ?? []).filter((t) => t.state !== 'draining').map((t) => t.ip).sort();
}
