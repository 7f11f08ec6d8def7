import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { drResources, failoverStateMachineDefinition, failoverStateMachineStatements } from '../../deploy/dr.ts';
import { drTestConfig, LIVY_TARGET_GROUP } from '../support/dr-config.ts';
import { taskStates, taskTarget } from '../../lib/dr/task-resources.ts';

const TG = LIVY_TARGET_GROUP;
const config = drTestConfig;

describe('failover state machine IAM and deployment fragment', () => {
  it('grants every service action its Task states call', () => {
    const granted = new Set(failoverStateMachineStatements(config).filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    const needed = new Set(taskStates(failoverStateMachineDefinition(config)).map((t) => taskTarget(t.resource).iamAction));
    expect(needed.size).toBeGreaterThanOrEqual(10);
    for (const action of needed) expect(granted, action).toContain(action);
    // RunJobFlow passes roles.
    expect(granted).toContain('iam:PassRole');
  });

  it('grants nothing the Task states do not call (besides passing roles and the EMR cleanup role createCluster needs)', () => {
    const needed = new Set(taskStates(failoverStateMachineDefinition(config)).map((t) => taskTarget(t.resource).iamAction));
    const extra = failoverStateMachineStatements(config)
      .flatMap((s) => s.Action)
      .filter((a) => !needed.has(a) && a !== 'iam:PassRole' && a !== 'iam:CreateServiceLinkedRole');
    expect(extra).toEqual([]);
  });

  it('scopes target registration to the configured target groups', () => {
    const register = failoverStateMachineStatements(config).find((s) => s.Action.includes('elasticloadbalancing:RegisterTargets'));
    expect(register?.Resource).toEqual([TG]);
  });

  it('wires the alarm to the state machine with the cluster in the input, a retry policy and a DLQ', () => {
    const { resources } = drResources(config, { service: 'lifeguard', stage: 'test' });
    const alarm = resources.ClusterHealthanalyticsAlarm as { Properties: Record<string, unknown> };
    expect(alarm.Properties).toMatchObject({ TreatMissingData: 'breaching', EvaluationPeriods: 3, DatapointsToAlarm: 3, MetricName: 'ClusterHealthy' });
    const rule = resources.FailoverTriggeranalyticsRule as { Properties: { EventPattern: unknown; Targets: Array<Record<string, unknown>> } };
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: ['lifeguard-test-emr-analytics-unhealthy'], state: { value: ['ALARM'] } },
    });
    const [target] = rule.Properties.Targets;
    expect(target).toMatchObject({ RetryPolicy: expect.any(Object), DeadLetterConfig: expect.any(Object) });
    // The RTO counts from the alarm's own state change, not from the event's delivery.
    const transformer = target!.InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: string };
    expect(transformer.InputPathsMap).toEqual({ alarmAt: '$.detail.state.timestamp' });
    expect(JSON.parse(transformer.InputTemplate.replace('<alarmAt>', '2026-01-01T00:00:00.000+0000'))).toEqual({
      cluster: 'analytics',
      mode: 'failover',
      dryRun: false,
      detectedAt: '2026-01-01T00:00:00.000+0000',
    });
    expect(resources.FailoverTriggerDeadLetterQueuePolicy).toBeDefined();
    expect(resources.FailoverLockTable).toMatchObject({ Properties: { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } } });
  });

  it('passes the step-functions plugin schema', () => {
    const require = createRequire(import.meta.url);
    const schema = require('serverless-step-functions/lib/deploy/stepFunctions/compileStateMachines.schema.js') as {
      validate(value: unknown): { error?: Error };
    };
    const { stepFunctions } = drResources(config);
    expect(schema.validate(stepFunctions.stateMachines.failover).error).toBeUndefined();
  });
});
