import type { DrScenarioSpec } from '../../sandbox/dr/scenario.ts';
import { ServiceError } from '../../sandbox/dr/service-error.ts';

/** What the DR sandbox's unit tests share: the protected cluster, its scenario, and how a refused call reads. */

/** The protected cluster and its target group. */
export const PROTECTED = 'j-OLDCLUSTER1';
export const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';

/** One protected cluster in us-east-1a; us-east-1b and us-east-1c to stand by or replace in. */
export function threeZoneSpec(cluster: Record<string, unknown> = {}, overrides: Partial<DrScenarioSpec> = {}): DrScenarioSpec {
  return {
    clusters: [{ name: 'analytics', id: PROTECTED, subnetId: 'subnet-0aaa1111', master: { ip: '10.0.1.10', instanceId: 'i-0aaa1111' }, targetGroups: [TG], ...cluster }],
    subnets: [
      { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1' },
      { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2' },
      { id: 'subnet-0ccc3333', zone: 'us-east-1c', cidrPrefix: '10.0.3' },
    ],
    targetGroups: [{ arn: TG, port: 8998 }],
    triggers: [{ at: 10, mode: 'failover' }],
    ...overrides,
  };
}

/** The ServiceError a sandbox call answered with; the test fails when the call is accepted. */
export function refusal(call: () => unknown): { name: string; message: string } {
  try {
    call();
  } catch (err) {
    if (err instanceof ServiceError) return { name: err.name, message: err.message };
    throw err;
  }
  throw new Error('the call was accepted');
}
