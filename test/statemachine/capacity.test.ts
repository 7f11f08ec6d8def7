import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../lib/dr/attempts.ts';
import type { FailoverResult } from '../../sandbox/dr/runner.ts';
import { expectNeverWithoutHealthyTarget, THREE_ZONES, LIVY_TG, OLD_ID, OLD_IP, outage, RM_TG, run, scenario, targetIps } from './fixtures.ts';

/**
 * Placement that fits the cluster and capacity that runs out: the DR sandbox's EC2 offers instance
 * types per zone and has capacity per zone and type over time; the real failover definition runs.
 */

const SUBNET_B = 'subnet-0bbb2222';
const SUBNET_C = 'subnet-0ccc3333';
const bigCore = { health: [{ at: 5, ...outage }], made: { instanceTypes: { master: 'm5.xlarge', core: 'r5.4xlarge' } } };

const runJobFlows = (result: FailoverResult) => result.calls.filter((c) => c.action === 'RunJobFlow');
const subnetOf = (call: FailoverResult['calls'][number]) => (call.input as { Instances: { Ec2SubnetId?: string } }).Instances.Ec2SubnetId;
const completed = (result: FailoverResult) => result.events.find((e) => e.detailType === 'Failover Completed')?.detail as { attempts: AttemptRecord[]; availabilityZone: string } | undefined;

describe('failover placement and capacity (real ASL, DR sandbox)', () => {
  it('never tries a zone that does not offer one of the instance types', async () => {
    const result = await run(scenario({ ...THREE_ZONES, instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge', 'r5.2xlarge'] } }, bigCore));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    expect(runJobFlows(result).map(subnetOf)).toEqual([SUBNET_C]);
    const detail = completed(result)!;
    expect(detail.availabilityZone).toBe('us-east-1c');
    expect(detail.attempts).toEqual([{ zone: 'us-east-1c', subnetIds: [SUBNET_C], clusterId: expect.stringMatching(/^j-/), outcome: 'created', reason: null, seconds: expect.any(Number) }]);
    expect(detail.attempts[0]!.seconds).toBeGreaterThanOrEqual(600);
    expectNeverWithoutHealthyTarget(result);
  });

  it('moves on from a replacement EMR keeps STARTING while it waits for capacity, after POLL.clusterStartingMaxAttempts', async () => {
    const result = await run(scenario({ ...THREE_ZONES, capacity: [{ zone: 'us-east-1b', instanceType: 'r5.4xlarge', failure: 'stall' }] }, bigCore));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    expect(runJobFlows(result).map(subnetOf)).toEqual([SUBNET_B, SUBNET_C]);
    const [first, second] = Object.entries(result.clusters).filter(([id]) => id !== OLD_ID);
    // Terminated by the failover while still STARTING, never registered.
    expect(first![1]).toMatchObject({ zone: 'us-east-1b', state: 'TERMINATED' });
    const detail = completed(result)!;
    expect(detail.attempts.map((a) => [a.zone, a.outcome, a.clusterId])).toEqual([
      ['us-east-1b', 'capacity', first![0]],
      ['us-east-1c', 'created', second![0]],
    ]);
    expect(detail.attempts[0]!.reason).toMatch(/^ClusterStillStarting: cluster j-\w+ still STARTING after 60 polls: insufficient capacity in the zone/);
    // 60 polls 15 s apart, not the whole 40-minute budget.
    expect(detail.attempts[0]!.seconds).toBeGreaterThanOrEqual(900);
    expect(detail.attempts[0]!.seconds).toBeLessThan(960);
    expectNeverWithoutHealthyTarget(result);
  });

  it('moves to the next zone when the first has no capacity: both attempts reported, nothing left behind in the first', async () => {
    const result = await run(scenario({ ...THREE_ZONES, capacity: [{ zone: 'us-east-1b', instanceType: 'r5.4xlarge', until: 3600, code: 'INSTANCE_FAILURE', afterSeconds: 180 }] }, bigCore));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(runJobFlows(result).map(subnetOf)).toEqual([SUBNET_B, SUBNET_C]);

    const [first, second] = Object.entries(result.clusters).filter(([id]) => id !== OLD_ID);
    expect(first![1]).toMatchObject({ zone: 'us-east-1b', state: 'TERMINATED_WITH_ERRORS' });
    expect(second![1]).toMatchObject({ zone: 'us-east-1c', state: 'WAITING' });
    // The first attempt's cluster was terminated by the failover, and never registered.
    expect(result.calls.some((c) => c.action === 'TerminateJobFlows' && (c.input as { JobFlowIds: string[] }).JobFlowIds.includes(first![0]))).toBe(true);
    const registered = result.calls.filter((c) => c.action === 'RegisterTargets').flatMap((c) => (c.input as { Targets: Array<{ Id: string }> }).Targets.map((t) => t.Id));
    expect(registered).not.toContain(first![1].masterIp);
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([second![1].masterIp]);

    const detail = completed(result)!;
    expect(detail.availabilityZone).toBe('us-east-1c');
    expect(detail.attempts.map((a) => [a.zone, a.outcome, a.clusterId])).toEqual([
      ['us-east-1b', 'capacity', first![0]],
      ['us-east-1c', 'created', second![0]],
    ]);
    expect(detail.attempts[0]!.reason).toMatch(/^INSTANCE_FAILURE: Insufficient capacity: We currently do not have sufficient r5\.4xlarge capacity in the Availability Zone you requested \(us-east-1b\)/);
    // EMR ends the first attempt 180 s after RunJobFlow; the failover sees it at its next poll.
    expect(detail.attempts[0]!.seconds).toBeGreaterThanOrEqual(180);
    expect(detail.attempts[0]!.seconds).toBeLessThan(180 + 30);
    // The execution's history has each attempt.
    expect(execution?.states.filter((s) => s.state === 'JudgeFailedAttempt' && s.event === 'entered')).toHaveLength(1);
    expect(execution?.states.filter((s) => s.state === 'PlaceAttempt' && s.event === 'entered')).toHaveLength(2);
    expectNeverWithoutHealthyTarget(result);
  });

  it('moves on when RunJobFlow itself refuses for capacity', async () => {
    const result = await run(scenario({ ...THREE_ZONES, capacity: [{ zone: 'us-east-1b', instanceType: 'r5.4xlarge', failure: 'reject' }] }, bigCore));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    expect(completed(result)!.attempts.map((a) => [a.zone, a.outcome, a.clusterId])).toEqual([
      ['us-east-1b', 'capacity', null],
      ['us-east-1c', 'created', expect.stringMatching(/^j-/)],
    ]);
    expect(completed(result)!.attempts[0]!.reason).toMatch(/^Emr\.ValidationException: Insufficient capacity/);
    // Nothing was created in us-east-1b, so nothing is terminated but the old cluster.
    expect(result.calls.filter((c) => c.action === 'TerminateJobFlows').map((c) => c.input)).toEqual([{ JobFlowIds: [OLD_ID] }]);
    expectNeverWithoutHealthyTarget(result);
  });

  it('fails when no zone has capacity, with every attempt in Failover Failed, nothing left behind and the old targets untouched', async () => {
    const short = (zone: string) => ({ zone, instanceType: 'r5.4xlarge', afterSeconds: 120 });
    const result = await run(scenario({ ...THREE_ZONES, capacity: [short('us-east-1b'), short('us-east-1c')] }, bigCore));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('NoZoneWithCapacity');
    expect(execution?.error?.cause).toContain('no fitting zone left');
    for (const [id, c] of Object.entries(result.clusters)) if (id !== OLD_ID) expect(c.state).toMatch(/^TERMINAT/);
    const failed = result.events.find((e) => e.detailType === 'Failover Failed')?.detail as { attempts: AttemptRecord[] };
    expect(failed.attempts.map((a) => [a.zone, a.outcome])).toEqual([
      ['us-east-1b', 'capacity'],
      ['us-east-1c', 'capacity'],
    ]);
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([OLD_IP]);
    expectNeverWithoutHealthyTarget(result);
  });

  it('fails before creating anything when no zone offers every instance type, naming the types by zone', async () => {
    const result = await run(
      scenario({ ...THREE_ZONES, instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'], 'us-east-1c': ['r5.4xlarge'] } }, bigCore),
    );
    const [execution] = result.executions;
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error?.cause).toContain('no zone fits the replacement');
    expect(execution?.error?.cause).toContain(`us-east-1b (${SUBNET_B}): EC2 offers no r5.4xlarge (core) there`);
    expect(execution?.error?.cause).toContain(`us-east-1c (${SUBNET_C}): EC2 offers no m5.xlarge (master) there`);
    expect(runJobFlows(result)).toEqual([]);
    expect(Object.keys(result.clusters)).toEqual([OLD_ID]);
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Failed']);
    for (const arn of [LIVY_TG, RM_TG]) expect(targetIps(result, arn)).toEqual([OLD_IP]);
    expectNeverWithoutHealthyTarget(result);
  });

  it('lists every candidate zone, kept or dropped and why, in a dry run', async () => {
    const result = await run(
      scenario({ ...THREE_ZONES, instanceTypeOfferings: { 'us-east-1b': ['m5.xlarge'] }, triggers: [{ at: 10, mode: 'drill', dryRun: true }] }, bigCore),
    );
    const plan = (result.executions[0]?.output as { plan: { zones: unknown[] } }).plan;
    expect(plan.zones).toEqual([
      { zone: 'us-east-1a', kept: false, why: 'the failed zone', subnetIds: ['subnet-0aaa1111'] },
      { zone: 'us-east-1b', kept: false, why: 'EC2 offers no r5.4xlarge (core) there', subnetIds: [SUBNET_B] },
      { zone: 'us-east-1c', kept: true, why: 'offers m5.xlarge, r5.4xlarge; 1 usable subnet(s)', subnetIds: [SUBNET_C] },
    ]);
  });
});
