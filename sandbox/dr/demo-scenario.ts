import type { DrScenarioSpec } from './scenario.ts';

/**
 * The built-in DR scenario `lifeguard drill` uses without an AWS account: one EMR cluster in
 * us-east-1a behind the Livy and YARN NLB target groups, a spare subnet in us-east-1b, 10 minutes
 * of EMR provisioning. Its triggers are replaced by the drill's own.
 */
export function demoDrScenario(clusterName = 'analytics'): DrScenarioSpec {
  const livy = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-livy/0a1b2c3d4e5f6a7b';
  const yarn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-yarn/7b6a5f4e3d2c1b0a';
  return {
    clusters: [
      {
        name: clusterName,
        id: 'j-2AXXXXXXGAPLF',
        subnetId: 'subnet-0aaa1111',
        master: { ip: '10.0.1.10', instanceId: 'i-0aaa1111bbbb2222c' },
        targetGroups: [livy, yarn],
      },
    ],
    subnets: [
      { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1', tags: { 'lifeguard:dr': 'true' } },
      { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2', tags: { 'lifeguard:dr': 'true' } },
      { id: 'subnet-0ccc3333', zone: 'us-east-1c', cidrPrefix: '10.0.3', tags: { 'lifeguard:dr': 'true' } },
    ],
    targetGroups: [
      { arn: livy, port: 8998, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } },
      { arn: yarn, port: 8088, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } },
    ],
    emr: { provisioningSeconds: 600 },
    triggers: [{ at: 0, mode: 'drill' }],
  };
}
