import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoDrScenario } from '../../../sandbox/dr/demo-scenario.ts';
import { sandboxDrConfigInput } from '../../../sandbox/dr/runner.ts';
import { loadScenarioFile, parseScenario } from '../../../sandbox/scenario/load.ts';
import type { Scenario } from '../../../sandbox/scenario/schema.ts';

/**
 * The sandbox runs whose AWS calls the IAM simulation evaluates: every scenario the project ships
 * (sandbox/scenarios, the DR examples, the built-in drill), every signal the interruption
 * function acts on (test/fixtures/scenarios/every-signal.yaml), and a standby given managed scaling limits.
 */
export function iamScenarios(): Scenario[] {
  const files = [
    ...yamlIn('sandbox/scenarios'),
    ...yamlIn('sandbox/dr/examples'),
    'test/fixtures/scenarios/every-signal.yaml',
    // A standby grown by the source's managed scaling limits (PutManagedScalingPolicy).
    'test/fixtures/scenarios/standby-managed-scaling.yaml',
  ];
  return [
    ...files.map((file) => loadScenarioFile(file)),
    parseScenario({ name: 'drill (built in)', emr: demoDrScenario() }),
  ];
}

const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

/**
 * A configuration that deploys what every run addresses (their EKS clusters, their EMR clusters
 * as the DR sandbox configures them) and every option with IAM of its own on: notifications to SNS
 * and a webhook with both secrets, VPC access, reserved concurrency.
 */
export function iamTestConfig(scenarios: Scenario[]): Record<string, unknown> {
  const eks = [...new Set(scenarios.flatMap((s) => (s.cluster ? [s.cluster.name] : [])))].map((name) => ({ name }));
  const clusters = new Map<string, Record<string, unknown>>();
  for (const scenario of scenarios) {
    if (!scenario.emr) continue;
    for (const cluster of sandboxDrConfigInput(scenario.emr).clusters as Array<Record<string, unknown>>) {
      const name = String(cluster.name);
      const seen = clusters.get(name);
      if (!seen) {
        clusters.set(name, cluster);
        continue;
      }
      // One cluster in several scenarios: the stack protects the union of what they address.
      if (seen.clusterId !== cluster.clusterId || JSON.stringify(seen.roles) !== JSON.stringify(cluster.roles)) {
        throw new Error(`scenarios disagree on EMR cluster ${name}: one stack cannot deploy both`);
      }
      const union = <T>(a: T[], b: T[]) => [...new Map([...a, ...b].map((x) => [JSON.stringify(x), x])).values()];
      seen.targetGroups = union(seen.targetGroups as unknown[], cluster.targetGroups as unknown[]);
      if (cluster.standby && seen.standby && JSON.stringify(cluster.standby) !== JSON.stringify(seen.standby)) {
        throw new Error(`scenarios disagree on the standby of EMR cluster ${name}: one stack cannot deploy both`);
      }
      seen.standby ??= cluster.standby;
      const placement = seen.placement as { candidateSubnetIds: string[] };
      placement.candidateSubnetIds = union(placement.candidateSubnetIds, (cluster.placement as { candidateSubnetIds: string[] }).candidateSubnetIds);
    }
  }
  return {
    region: 'us-east-1',
    eks,
    interruption: { reservedConcurrency: 50, queue: { maximumConcurrency: 20 } },
    dr: { clusters: [...clusters.values()] },
    network: { subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'], securityGroupIds: ['sg-0abc1234def567890'] },
    notifications: {
      events: ['Node Drain Started', 'Node Drain Completed', 'Spark Driver At Risk', 'Failover Completed', 'Failover Failed'],
      sns: { emails: ['oncall@example.com'] },
      webhook: {
        endpointSecret: { secretId: 'lifeguard/webhook', jsonKey: 'url' },
        auth: { header: 'Authorization', secret: { secretId: 'lifeguard/webhook', jsonKey: 'token' } },
        format: 'json',
      },
    },
  };
}
