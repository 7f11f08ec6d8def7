import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { drResources } from '../../deploy/dr.ts';
import { failoverStateMachineDefinition } from '../../deploy/dr-failover.ts';
import { failoverStateMachineStatements, passRoleStatements } from '../../deploy/dr-failover-iam.ts';
import { DR_TEST_ROLES, drTestConfig, LIVY_TARGET_GROUP } from '../support/dr-config.ts';
import { taskStates, taskTarget } from '../../lib/dr/task-resources.ts';

const TG = LIVY_TARGET_GROUP;
const config = drTestConfig;

/**
 * Reading the role against the definition complements the simulation of the sandbox's calls
 * (test/package/iam-simulation.test.ts): it covers every Task state, also those no run reaches
 * (cleanup after a failed creation), and that nothing more is granted.
 */
describe('failover state machine IAM and deployment fragment', () => {
  it('grants every service action its Task states call', () => {
    const granted = new Set(failoverStateMachineStatements(config).filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    const needed = new Set(taskStates(failoverStateMachineDefinition(config)).map((t) => taskTarget(t.resource).iamAction));
    expect(needed.size).toBeGreaterThanOrEqual(10);
    for (const action of needed) expect(granted, action).toContain(action);
    // RunJobFlow passes roles.
    expect(granted).toContain('iam:PassRole');
  });

  it('grants nothing the Task states do not call (besides passing roles and the EMR cleanup role RunJobFlow needs)', () => {
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

describe('failover IAM and task resources for a real account', () => {
  const statements = failoverStateMachineStatements(config);
  const definition = failoverStateMachineDefinition(config);

  it('passes only the configured role ARNs, each to its own service principal, with StringLike', () => {
    const passRole = statements.filter((s) => s.Action.includes('iam:PassRole'));
    expect(passRole).toEqual([
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [DR_TEST_ROLES.service], Condition: { StringLike: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com*' } } },
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [DR_TEST_ROLES.instance], Condition: { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com*' } } },
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [DR_TEST_ROLES.autoScaling],
        Condition: { StringLike: { 'iam:PassedToService': 'application-autoscaling.amazonaws.com*' } },
      },
    ]);
    expect(JSON.stringify(passRole)).not.toContain('role/*');
  });

  it('lets the probes read target health only when a cluster has no probe address to follow', () => {
    const probeStatements = (c: typeof config) =>
      (drResources(c).resources.DrConfirmRole as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }> } }).Properties.Policies.flatMap(
        (p) => p.PolicyDocument.Statement.flatMap((st) => st.Action),
      );
    expect(probeStatements(config)).not.toContain('elasticloadbalancing:DescribeTargetHealth');
    const following = { ...config, dr: { clusters: [{ ...config.dr.clusters[0]!, probe: { ...config.dr.clusters[0]!.probe, address: undefined } }] } };
    expect(probeStatements(following)).toContain('elasticloadbalancing:DescribeTargetHealth');
  });

  it('grants no AutoScaling principal when no cluster names an AutoScalingRole', () => {
    const cluster = { ...config.dr.clusters[0]!, roles: { service: DR_TEST_ROLES.service, instance: DR_TEST_ROLES.instance } };
    const principals = passRoleStatements([cluster]).map((s) => (s.Condition as { StringLike: Record<string, string> }).StringLike['iam:PassedToService']);
    expect(principals).toEqual(['elasticmapreduce.amazonaws.com*', 'ec2.amazonaws.com*']);
  });

  it('creates the replacement through the AWS SDK integration, not the optimized createCluster', () => {
    const create = definition.States.CreateCluster as { Resource: string; InputPath: string; ResultSelector: Record<string, string> };
    // The step-functions plugin substitutes the stack's partition (test/package/failover-partition.test.ts).
    expect(create.Resource).toBe('arn:#{AWS::Partition}:states:::aws-sdk:emr:runJobFlow');
    // The plan's request, placed in the attempt's zone (statemachines/failover/create.ts).
    expect(create.InputPath).toBe('$.attempt.run.request');
    expect(create.ResultSelector['ClusterId.$']).toBe('$.JobFlowId');
    expect(JSON.stringify(definition)).not.toContain('elasticmapreduce:createCluster');
  });

  it('names every retried or caught error the way its integration reports it', () => {
    const states = new Map<string, Record<string, unknown>>();
    const visit = (all: Record<string, Record<string, unknown>>) => {
      for (const [name, state] of Object.entries(all)) {
        states.set(name, state);
        const nested = (state.ItemProcessor as { States: Record<string, Record<string, unknown>> } | undefined)?.States;
        if (nested) visit(nested);
      }
    };
    visit(definition.States as Record<string, Record<string, unknown>>);
    const checked: string[] = [];
    for (const { name, resource } of taskStates(definition)) {
      const target = taskTarget(resource);
      const state = states.get(name)!;
      const names = [...((state.Retry ?? []) as Array<{ ErrorEquals: string[] }>), ...((state.Catch ?? []) as Array<{ ErrorEquals: string[] }>)]
        .flatMap((r) => r.ErrorEquals)
        .filter((e) => !e.startsWith('States.'));
      for (const error of names) {
        checked.push(error);
        if (target.kind === 'service') {
          // `<Service>.<Code>`, the service as the integration spells it; the SDK integrations always add the Exception suffix.
          expect(error, name).toMatch(new RegExp(`^${target.errorPrefix}\\.[A-Z][A-Za-z]+${target.exceptionSuffix ? 'Exception' : ''}$`));
        } else {
          // Lambda service errors, or the name our own function's error carries.
          expect(error, name).toMatch(/^(Lambda\.[A-Za-z]+|[A-Z][A-Za-z]+)$/);
        }
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['Emr.ThrottlingException', 'ElasticLoadBalancingV2.ThrottlingException', 'ElasticLoadBalancingV2.InvalidTargetException']));
    expect(checked.filter((e) => e.startsWith('EMR.'))).toEqual([]);
  });
});
