import { describe, expect, it } from 'vitest';
import type { FailoverResult } from '../../sandbox/dr/runner.ts';
import type { DrScenarioSpec } from '../../sandbox/dr/scenario.ts';
import { allUp, LIVY_TG, OLD_ID, OLD_IP, outage, RM_TG, run, scenario } from './fixtures.ts';

/** The ways a failover met a real account, each rehearsed end to end in the DR sandbox. */

const threeZones: Partial<DrScenarioSpec> = {
  subnets: [
    { id: 'subnet-0aaa1111', zone: 'us-east-1a', cidrPrefix: '10.0.1' },
    { id: 'subnet-0bbb2222', zone: 'us-east-1b', cidrPrefix: '10.0.2' },
    { id: 'subnet-0ccc3333', zone: 'us-east-1c', cidrPrefix: '10.0.3' },
  ],
  impairedZones: ['us-east-1a'],
};

const replacements = (result: FailoverResult) =>
  Object.entries(result.clusters)
    .filter(([, c]) => c.replaces !== null && c.replaces !== undefined && c.name.includes('-dr-'))
    .map(([id, c]) => ({ id, ...c }));

const created = (result: FailoverResult) => result.calls.filter((c) => c.action === 'RunJobFlow');

/** True when, at every recorded instant, the group routes to at least one healthy target. */
function neverWithoutHealthyTarget(result: FailoverResult, arn: string): boolean {
  return (result.targetHealth[arn] ?? []).every((change) => change.targets.some((t) => t.state === 'healthy'));
}

describe('failover on a real account, rehearsed', () => {
  it('places the replacement in a zone the NLB serves when it serves only two of three', async () => {
    const result = await run(scenario({ ...threeZones, loadBalancer: { zones: ['us-east-1a', 'us-east-1c'] } }, { health: [{ at: 5, ...outage }] }));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    const [replacement] = replacements(result);
    // us-east-1b is the first candidate, but the NLB does not route there.
    expect(replacement?.zone).toBe('us-east-1c');
    expect(result.targets[LIVY_TG]?.find((t) => t.ip === replacement?.masterIp)?.state).toBe('healthy');
  });

  it('refuses, before creating anything, a replacement that would pass a role the configuration does not name', async () => {
    const roles = { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2' };
    const result = await run(scenario({ impairedZones: ['us-east-1a'] }, { health: [{ at: 5, ...outage }], roles }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('PlanError');
    expect(execution?.error?.cause).toContain("ServiceRole 'EMR_DefaultRole' is not dr.clusters[analytics].roles.service");
    expect(created(result)).toEqual([]);
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Failed']);
  });

  it('completes when every planner read and every state machine call is throttled first', async () => {
    const plannerReads = [
      ['emr', 'DescribeCluster'],
      ['emr', 'ListInstances'],
      ['emr', 'ListInstanceGroups'],
      ['emr', 'ListBootstrapActions'],
      ['emr', 'GetAutoTerminationPolicy'],
      ['emr', 'GetManagedScalingPolicy'],
      ['ec2', 'DescribeSubnets'],
      ['ec2', 'DescribeAvailabilityZones'],
      ['elbv2', 'DescribeTargetGroups'],
      ['elbv2', 'DescribeTargetHealth'],
      ['elbv2', 'DescribeLoadBalancers'],
    ] as const;
    const machineCalls = [
      ['emr', 'RunJobFlow'],
      ['emr', 'DescribeCluster'],
      ['emr', 'ListInstances'],
      ['elbv2', 'RegisterTargets'],
      ['elbv2', 'DescribeTargetHealth'],
      ['elbv2', 'DeregisterTargets'],
      ['emr', 'SetTerminationProtection'],
      ['emr', 'TerminateJobFlows'],
      ['dynamodb', 'PutItem'],
      ['events', 'PutEvents'],
    ] as const;
    const faults = [
      ...plannerReads.map(([service, action]) => ({ service, action, caller: 'planner' as const, times: 2 })),
      // More than the plan Lambda's SDK client tries: the state machine retries the plan step.
      { service: 'emr' as const, action: 'DescribeCluster', caller: 'planner' as const, times: 6 },
      ...machineCalls.map(([service, action]) => ({ service, action, caller: 'stateMachine' as const, times: 2 })),
    ];
    const calm = await run(scenario({ impairedZones: ['us-east-1a'] }, { health: [{ at: 5, ...outage }] }));
    const result = await run(scenario({ impairedZones: ['us-east-1a'], faults }, { health: [{ at: 5, ...outage }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(created(result)).toHaveLength(3); // two throttled, then the one that created
    expect(replacements(result)).toHaveLength(1);
    for (const [service, action] of [...plannerReads, ...machineCalls]) {
      const throttled = result.calls.filter((c) => c.service === service && c.action === action && c.error === 'ThrottlingException');
      expect(throttled.length, `${service}:${action}`).toBeGreaterThanOrEqual(2);
    }
    expect(execution?.states.some((s) => s.state === 'PlanFailover' && s.event === 'retried')).toBe(true);
    // The back-offs took simulated time: the RTO under throttling is honest, not the calm one.
    expect(result.rtoSeconds!).toBeGreaterThan(calm.rtoSeconds!);
  });

  it('completes (not fails) when the old cluster is already terminated by the outage', async () => {
    const result = await run(scenario({ impairedZones: ['us-east-1a'] }, { health: [{ at: 5, ...outage }], failsAt: 5 }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(result.calls.map((c) => c.action)).not.toContain('SetTerminationProtection');
    expect(result.calls.map((c) => c.action)).not.toContain('TerminateJobFlows');
    const report = (execution?.output as { report: { oldClusterState: string; oldClusterRetired: boolean; warnings: string[] } }).report;
    expect(report).toMatchObject({ oldClusterState: 'TERMINATED_WITH_ERRORS', oldClusterRetired: false, warnings: [] });
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Completed']);
  });

  it('reports a retire failure after the switch as a warning on a completed failover', async () => {
    const faults = [{ service: 'emr' as const, action: 'TerminateJobFlows', error: 'InternalServerError', times: 1 }];
    const result = await run(scenario({ impairedZones: ['us-east-1a'], faults }, { health: [{ at: 5, ...outage }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    const report = (execution?.output as { report: { warnings: string[] } }).report;
    expect(report.warnings).toEqual([expect.stringContaining(`old cluster ${OLD_ID} not retired: Emr.InternalServerErrorException`)]);
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Completed']);
  });

  it('leaves the healthy replacement alone when the alarm fires again after a completed failover', async () => {
    const result = await run(
      scenario({ impairedZones: ['us-east-1a'], triggers: [{ at: 10 }, { at: 1800 }], until: 4000 }, { health: [{ at: 5, ...outage }] }),
    );
    expect(result.executions.map((e) => e.outcome)).toEqual(['FailoverCompleted', 'Healthy']);
    expect(created(result)).toHaveLength(1);
    // The second confirmation probed the master the target groups serve: the replacement.
    const [replacement] = replacements(result);
    expect(replacement?.state).toBe('WAITING');
    const probes = result.calls.filter((c) => c.caller === 'confirm' && c.t >= 1800);
    expect(probes.length).toBeGreaterThan(0);
  });

  it('through the modelled alarm: fails over once, stays quiet while the replacement serves, fails over again when it fails', async () => {
    const result = await run(
      scenario(
        {
          ...threeZones,
          alarms: { deliveryDelaySeconds: 4 },
          triggers: [],
          emr: { provisioningSeconds: 600, replacements: [{ health: [{ at: 2400, ...outage }] }] },
          until: 4800,
        },
        { health: [{ at: 5, ...outage }] },
      ),
    );
    // Probes at 60, 120, 180 s breach → ALARM at 180 s; the replacement serves from about 830 s → OK;
    // its own outage at 2400 s breaches the probes at 2400, 2460, 2520 s → ALARM again at 2520 s.
    expect(result.alarms.map((a) => [a.t, a.state])).toEqual([
      [180, 'ALARM'],
      [expect.any(Number), 'OK'],
      [2520, 'ALARM'],
      [expect.any(Number), 'OK'],
    ]);
    expect(result.executions.map((e) => [e.trigger.source, e.trigger.at, e.outcome])).toEqual([
      ['alarm', 184, 'FailoverCompleted'],
      ['alarm', 2524, 'FailoverCompleted'],
    ]);
    expect(created(result)).toHaveLength(2);
    expect(replacements(result).map((r) => r.zone).sort()).toEqual(['us-east-1b', 'us-east-1c']);
    // The RTO counts from the alarm's state change, plus its 3-minute evaluation window.
    expect(result.phases).toMatchObject({ alarm: 180, detect: 24 });
  });

  it('fails over again when the replacement itself fails later, to a third zone', async () => {
    const result = await run(
      scenario(
        {
          ...threeZones,
          emr: { provisioningSeconds: 600, replacements: [{ health: [{ at: 2000, ...outage }] }] },
          triggers: [{ at: 10 }, { at: 2100 }],
          until: 6000,
        },
        { health: [{ at: 5, ...outage }] },
      ),
    );
    expect(result.executions.map((e) => e.outcome)).toEqual(['FailoverCompleted', 'FailoverCompleted']);
    const [first, second] = replacements(result).sort((a, b) => a.id.localeCompare(b.id));
    expect(first?.zone).toBe('us-east-1b');
    expect(second?.replaces).toBe(first?.id);
    expect(second?.zone).toBe('us-east-1c');
    expect(first?.state).toMatch(/^TERMINAT/);
    for (const arn of [LIVY_TG, RM_TG]) {
      expect(result.targets[arn]?.filter((t) => t.state !== 'draining').map((t) => t.ip)).toEqual([second?.masterIp]);
    }
  });

  it('plans a dry run after a drill that kept the old cluster from the replacement that serves', async () => {
    const result = await run(
      scenario({ triggers: [{ at: 10, mode: 'drill', retireOldCluster: false }, { at: 1800, mode: 'drill', dryRun: true }], until: 4000 }),
    );
    expect(result.executions.map((e) => e.outcome)).toEqual(['FailoverCompleted', 'DryRun']);
    const [replacement] = replacements(result);
    expect(result.clusters[OLD_ID]?.state).toBe('WAITING'); // kept
    const plan = (result.executions[1]?.output as { plan: { sourceClusterId: string; oldMasterIp: string } }).plan;
    expect(plan.sourceClusterId).toBe(replacement?.id);
    expect(plan.oldMasterIp).toBe(replacement?.masterIp);
    expect(created(result)).toHaveLength(1);
  });

  it('keeps the 8088 group served throughout when only Livy is down', async () => {
    const result = await run(scenario({ impairedZones: ['us-east-1a'] }, { health: [{ at: 5, ...allUp, livy: 'down' }] }));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    // The ResourceManager group checks port 8088: the old master passes until it is deregistered,
    // and by then the new one passes too.
    expect(neverWithoutHealthyTarget(result, RM_TG)).toBe(true);
    expect(result.targetHealth[RM_TG]?.[0]?.targets).toEqual([{ ip: OLD_IP, port: 8088, state: 'healthy' }]);
    // Livy's group lost its healthy target with Livy itself, until the replacement passed.
    expect(neverWithoutHealthyTarget(result, LIVY_TG)).toBe(false);
    // The run went on until the old targets drained away.
    expect(result.targetHealth[RM_TG]?.at(-1)?.targets.map((t) => t.state)).toEqual(['healthy']);
  });

  it('counts the alarm evaluation window and its delivery delay in the RTO', async () => {
    const result = await run(
      scenario(
        { impairedZones: ['us-east-1a'], triggers: [{ at: 200, alarmDelaySeconds: 30 }] },
        { health: [{ at: 5, ...outage }], alarm: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3 } },
      ),
    );
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    // 3 × 60 s for the alarm; then 30 s delivery + 20 s of confirming probes.
    expect(result.phases).toMatchObject({ alarm: 180, detect: 50 });
    const phases = result.phases!;
    const sum = phases.alarm + phases.detect + phases.create + phases.register + phases.healthy;
    expect(result.rtoSeconds).toBeCloseTo(sum, 0);
  });
});
