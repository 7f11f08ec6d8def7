import { describe, expect, it } from 'vitest';
import { actions, allUp, LIVY_TG, OLD_ID, OLD_IP, outage, RM_TG, run, scenario, targetIps } from './fixtures.ts';

describe('failover state machine (real ASL in aws-local-stepfunctions, DR sandbox)', () => {
  it('leaves a healthy cluster alone', async () => {
    const result = await run(scenario());
    const [execution] = result.executions;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.outcome).toBe('Healthy');
    expect(actions(result, 'emr')).toEqual([]);
    // The confirm step's probe only asked the target groups which master serves.
    expect(result.calls.filter((c) => c.service === 'elbv2').every((c) => c.caller === 'confirm' && c.action === 'DescribeTargetHealth')).toBe(true);
    // The lock was taken and given back.
    expect(actions(result, 'dynamodb')).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
    expect(result.events).toEqual([]);
  });

  it('does not fail over on one failed probe followed by recovery', async () => {
    const result = await run(scenario({}, { health: [{ at: 5, ...outage }, { at: 15, ...allUp }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('Healthy');
    expect(execution?.states.filter((s) => s.state === 'ProbeCluster' && s.event === 'entered')).toHaveLength(2);
    expect(actions(result)).not.toContain('emr:RunJobFlow');
    expect(targetIps(result, LIVY_TG)).toEqual([OLD_IP]);
  });

  it('fails a confirmed outage over to another zone, new target healthy before the old one goes', async () => {
    const result = await run(scenario({ impairedZones: ['us-east-1a'] }, { health: [{ at: 5, ...outage }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(execution?.states.filter((s) => s.state === 'ProbeCluster' && s.event === 'entered')).toHaveLength(3);

    const replacement = Object.entries(result.clusters).find(([, c]) => c.replaces === OLD_ID);
    expect(replacement).toBeDefined();
    const [newId, newCluster] = replacement!;
    expect(newCluster.zone).toBe('us-east-1b');
    expect(newCluster.state).toBe('WAITING');

    for (const [arn, port, interval, threshold] of [
      [LIVY_TG, 8998, 10, 3],
      [RM_TG, 8088, 30, 2],
    ] as const) {
      const calls = result.calls.filter((c) => (c.input as { TargetGroupArn?: string }).TargetGroupArn === arn);
      const register = calls.findIndex((c) => c.action === 'RegisterTargets');
      const deregister = calls.findIndex((c) => c.action === 'DeregisterTargets');
      expect(register).toBeGreaterThanOrEqual(0);
      expect(deregister).toBeGreaterThan(register);
      expect(calls[register]!.input).toEqual({ TargetGroupArn: arn, Targets: [{ Id: newCluster.masterIp, Port: port }] });
      expect(calls[deregister]!.input).toEqual({ TargetGroupArn: arn, Targets: [{ Id: OLD_IP, Port: port }] });
      // The old target leaves only after the new one passed `threshold` checks.
      expect(calls[deregister]!.t - calls[register]!.t).toBeGreaterThanOrEqual(interval * threshold);
      expect(targetIps(result, arn)).toEqual([newCluster.masterIp]);
      expect(result.targets[arn]!.find((t) => t.ip === newCluster.masterIp)?.state).toBe('healthy');
    }
    // Every new target was healthy (in all groups) before the first deregistration.
    const firstDeregister = result.calls.findIndex((c) => c.action === 'DeregisterTargets');
    const lastRegister = result.calls.map((c) => c.action).lastIndexOf('RegisterTargets');
    expect(firstDeregister).toBeGreaterThan(lastRegister);

    expect(result.clusters[OLD_ID]?.state).toMatch(/^TERMINAT/);
    const terminate = result.calls.find((c) => c.action === 'TerminateJobFlows');
    expect(terminate?.input).toEqual({ JobFlowIds: [OLD_ID] });
    expect(result.clusters[newId]?.state).toBe('WAITING');

    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Completed']);
    expect(result.rtoSeconds).toBeGreaterThanOrEqual(600);
    expect(result.phases).toMatchObject({ detect: 20, create: expect.any(Number), healthy: expect.any(Number) });
    expect(result.phases!.create).toBeGreaterThanOrEqual(600);
    // Old cluster's RM target group checks every 30 s, twice: at least 60 s to healthy.
    expect(result.phases!.healthy).toBeGreaterThanOrEqual(60);
  });

  it('keeps the old cluster in a drill, and skips confirmation', async () => {
    const result = await run(scenario({ triggers: [{ at: 10, mode: 'drill' }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(execution?.states.some((s) => s.state === 'ProbeCluster')).toBe(false);
    expect(actions(result)).not.toContain('emr:TerminateJobFlows');
    expect(result.clusters[OLD_ID]?.state).toBe('WAITING');
    expect((result.events[0]?.detail as { oldClusterRetired: boolean; mode: string }).oldClusterRetired).toBe(false);
    expect((result.events[0]?.detail as { mode: string }).mode).toBe('drill');
  });

  it('retires the old cluster in a drill when asked', async () => {
    const result = await run(scenario({ triggers: [{ at: 10, mode: 'drill', retireOldCluster: true }] }));
    expect(result.executions[0]?.outcome).toBe('FailoverCompleted');
    expect(result.calls.find((c) => c.action === 'TerminateJobFlows')?.input).toEqual({ JobFlowIds: [OLD_ID] });
  });

  it('creates nothing in a dry run and returns the plan', async () => {
    const result = await run(scenario({ triggers: [{ at: 10, mode: 'drill', dryRun: true }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('DryRun');
    const plan = (execution?.output as { plan: { targetAvailabilityZone: string; oldMasterIp: string; targetSubnetId: string } }).plan;
    expect(plan).toMatchObject({ targetAvailabilityZone: 'us-east-1b', oldMasterIp: OLD_IP, targetSubnetId: 'subnet-0bbb2222' });
    const mutating = ['RunJobFlow', 'RegisterTargets', 'DeregisterTargets', 'SetTerminationProtection', 'TerminateJobFlows'];
    expect(result.calls.filter((c) => mutating.includes(c.action))).toEqual([]);
    expect(Object.keys(result.clusters)).toEqual([OLD_ID]);
  });

  it('cleans up when the new cluster fails to start: nothing left, old targets untouched, Failover Failed', async () => {
    const result = await run(
      scenario({ emr: { provisioningSeconds: 600, createFailure: 'terminate' } }, { health: [{ at: 5, ...outage }] }),
    );
    const [execution] = result.executions;
    expect(execution?.status).toBe('FAILED');
    expect(execution?.outcome).toBe('ClusterCreationFailed');
    const created = Object.entries(result.clusters).filter(([id]) => id !== OLD_ID);
    expect(created).toHaveLength(1);
    expect(created[0]![1].state).toMatch(/^TERMINAT/);
    // Reads only (the planner looks at the groups): no registration was touched.
    expect(actions(result, 'elbv2').filter((a) => !a.startsWith('elbv2:Describe'))).toEqual([]);
    expect(targetIps(result, LIVY_TG)).toEqual([OLD_IP]);
    expect(targetIps(result, RM_TG)).toEqual([OLD_IP]);
    expect(result.clusters[OLD_ID]?.state).toBe('WAITING');
    expect(result.events.map((e) => e.detailType)).toEqual(['Failover Failed']);
    expect(result.events[0]?.detail).toMatchObject({ cluster: 'analytics', error: { Error: 'ClusterCreationFailed' } });
    // The lock, what the last healthy probe saw (read once planned), the lock given back.
    expect(actions(result, 'dynamodb')).toEqual(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem']);
  });

  it('terminates nothing it did not create when RunJobFlow itself is refused', async () => {
    const result = await run(scenario({ emr: { provisioningSeconds: 600, createFailure: 'reject' } }, { health: [{ at: 5, ...outage }] }));
    expect(result.executions[0]?.outcome).toBe('Emr.ValidationException');
    expect(actions(result)).not.toContain('emr:TerminateJobFlows');
    expect(Object.keys(result.clusters)).toEqual([OLD_ID]);
    expect(result.events[0]?.detail).toMatchObject({ newCluster: null, rolledBack: false });
  });

  it('rolls back when the new target never becomes healthy', async () => {
    const result = await run(scenario({ newTargetsNeverHealthy: true, until: 7200 }, { health: [{ at: 5, ...outage }] }));
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('TargetNeverHealthy');
    const newId = Object.keys(result.clusters).find((id) => id !== OLD_ID)!;
    const newIp = result.clusters[newId]!.masterIp;
    for (const arn of [LIVY_TG, RM_TG]) {
      expect(targetIps(result, arn)).toEqual([OLD_IP]);
      const deregistered = result.calls.filter((c) => c.action === 'DeregisterTargets' && (c.input as { TargetGroupArn: string }).TargetGroupArn === arn);
      expect(deregistered.map((c) => (c.input as { Targets: Array<{ Id: string }> }).Targets[0]!.Id)).toEqual([newIp]);
    }
    expect(result.calls.find((c) => c.action === 'TerminateJobFlows')?.input).toEqual({ JobFlowIds: [newId] });
    expect(result.clusters[newId]?.state).toMatch(/^TERMINAT/);
    expect(result.clusters[OLD_ID]?.state).toBe('WAITING');
    expect(result.events[0]).toMatchObject({ detailType: 'Failover Failed', detail: { rolledBack: true, error: { Error: 'TargetNeverHealthy' } } });
  });

  it('never undoes a switch: when removing an old target fails, every group keeps its healthy new target', async () => {
    const result = await run(
      scenario({ faults: [{ service: 'elbv2', action: 'DeregisterTargets', times: 1, error: 'InvalidConfigurationRequest' }] }, { health: [{ at: 5, ...outage }] }),
    );
    const [execution] = result.executions;
    expect(execution?.status).toBe('FAILED');
    const newId = Object.keys(result.clusters).find((id) => id !== OLD_ID)!;
    const newIp = result.clusters[newId]!.masterIp;
    for (const arn of [LIVY_TG, RM_TG]) {
      expect(targetIps(result, arn)).toContain(newIp);
      expect(result.targets[arn]!.find((t) => t.ip === newIp)?.state).toBe('healthy');
    }
    // No rollback of the new registration, and the new cluster keeps running.
    const deregistered = result.calls.filter((c) => c.action === 'DeregisterTargets').flatMap((c) => (c.input as { Targets: Array<{ Id: string }> }).Targets.map((t) => t.Id));
    expect(deregistered).not.toContain(newIp);
    expect(result.calls.some((c) => c.action === 'TerminateJobFlows' && (c.input as { JobFlowIds: string[] }).JobFlowIds.includes(newId))).toBe(false);
    expect(result.clusters[newId]?.state).toBe('WAITING');
    expect(result.events[0]).toMatchObject({ detailType: 'Failover Failed' });
  });

  it('runs one failover for two concurrent triggers', async () => {
    const result = await run(
      scenario({ triggers: [{ at: 10, mode: 'failover' }, { at: 10, mode: 'failover' }, { at: 40, mode: 'failover' }] }, { health: [{ at: 5, ...outage }] }),
    );
    expect(result.executions.map((e) => e.outcome).sort()).toEqual(['AlreadyInProgress', 'AlreadyInProgress', 'FailoverCompleted']);
    expect(actions(result).filter((a) => a === 'emr:RunJobFlow')).toHaveLength(1);
    const loser = result.executions.find((e) => e.outcome === 'AlreadyInProgress')!;
    expect(loser.states.some((s) => s.state === 'ProbeCluster')).toBe(false);
  });

  it('retries throttled AWS calls and still completes', async () => {
    const result = await run(
      scenario(
        {
          faults: [
            { service: 'emr', action: 'RunJobFlow', times: 1 },
            { service: 'elbv2', action: 'RegisterTargets', times: 1 },
            { service: 'emr', action: 'TerminateJobFlows', times: 1 },
          ],
        },
        { health: [{ at: 5, ...outage }] },
      ),
    );
    const [execution] = result.executions;
    expect(execution?.outcome).toBe('FailoverCompleted');
    expect(result.calls.filter((c) => c.error === 'ThrottlingException').map((c) => c.action)).toEqual(['RunJobFlow', 'RegisterTargets', 'TerminateJobFlows']);
    expect(execution?.states.filter((s) => s.event === 'retried').map((s) => s.state)).toEqual(['CreateCluster', 'RegisterNewTarget', 'TerminateOldCluster']);
    expect(actions(result).filter((a) => a === 'emr:RunJobFlow')).toHaveLength(2);
    expect(Object.keys(result.clusters)).toHaveLength(2);
  });
});
