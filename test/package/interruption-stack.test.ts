import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../lib/events/pattern.ts';
import { interruptionRules } from '../../lib/events/rules.ts';
import { packagedTemplate, resourcesOfType } from '../support/template.ts';

const template = packagedTemplate();
// Every rule that matches events (schedules have no pattern).
const allRules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern);
const rules = allRules.filter(([id]) => interruptionRules.some((r) => `${r.name}Rule` === id));
const fixtures = readdirSync('test/fixtures/events')
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join('test/fixtures/events', f), 'utf8'))] as const);

describe('the packaged interruption stack', () => {
  it('has one rule per signal, each targeting the interruption function with a retry policy and a DLQ', () => {
    expect(rules.map(([id]) => id).sort()).toEqual(['AsgTerminateLifecycleRule', 'HealthScheduledChangeRule', 'RebalanceRecommendationRule', 'SpotInterruptionRule', 'StateChangeRule']);
    for (const [, rule] of rules) {
      const [target] = rule.Properties!.Targets as Array<Record<string, unknown>>;
      expect(target).toMatchObject({
        Arn: { 'Fn::GetAtt': ['InterruptionLambdaFunction', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['InterruptionDeadLetterQueue', 'Arn'] } },
      });
    }
  });

  it.each(fixtures)('sample event %s matches exactly one rule of the whole template', (_file, event) => {
    const matching = allRules.filter(([, rule]) => matchesPattern(validatePattern(rule.Properties!.EventPattern), event));
    expect(matching).toHaveLength(1);
  });

  it('lets EventBridge write to the DLQ only for its own rules', () => {
    const policy = template.Resources.InterruptionDeadLetterQueuePolicy!.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
    const [statement] = policy.PolicyDocument.Statement;
    expect(statement).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
    const sources = (statement!.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals['aws:SourceArn'];
    expect(sources).toHaveLength(5);
  });

  it('gives EventBridge permission to invoke the function from each rule, and only from it', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([id]) => rules.some(([r]) => id === r.replace(/Rule$/, 'Permission')));
    expect(permissions).toHaveLength(5);
    for (const [, p] of permissions) expect(p.Properties).toMatchObject({ Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [expect.stringMatching(/Rule$/), 'Arn'] } });
  });

  it('runs the function on nodejs24.x with its own least-privilege role and an on-failure destination', () => {
    const fn = template.Resources.InterruptionLambdaFunction!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Role: { 'Fn::GetAtt': ['InterruptionRole', 'Arn'] }, Handler: 'functions/interruption.handler' });
    const invokeConfig = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').find(([id]) => id.startsWith('Interruption'));
    expect(invokeConfig?.[1].Properties).toMatchObject({ DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['InterruptionFailureQueue', 'Arn'] } } } });

    const role = template.Resources.InterruptionRole!.Properties as { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }> };
    const actions = role.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action));
    expect(actions.every((a) => !a.endsWith(':*') && a !== '*')).toBe(true);
    const wildcard = role.Policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Resource === '*');
    // Only DescribeInstances, which supports no resource-level permissions.
    expect(wildcard.flatMap((s) => s.Action)).toEqual(['ec2:DescribeInstances']);
  });

  it('maps the role into each configured cluster through an EKS access entry', () => {
    const entries = resourcesOfType(template, 'AWS::EKS::AccessEntry');
    expect(entries.length).toBeGreaterThan(0);
    for (const [, entry] of entries) expect(entry.Properties).toMatchObject({ KubernetesGroups: ['lifeguard:node-drainer'], Type: 'STANDARD' });
  });
});

describe('the packaged stack: durable work through EventBridge Scheduler', () => {
  type Statement = { Effect: string; Action: string[] | string; Resource: unknown; Condition?: unknown; Principal?: unknown };
  const statementsOf = (id: string) =>
    (template.Resources[id]!.Properties as { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> }).Policies.flatMap((p) => p.PolicyDocument.Statement);
  const fn = template.Resources.InterruptionLambdaFunction!.Properties as { Environment: { Variables: Record<string, unknown> }; FunctionName: string };

  it('has its own schedule group and a dead-letter queue for continuations', () => {
    expect(resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup').map(([id]) => id)).toEqual(['InterruptionScheduleGroup']);
    expect(template.Resources.InterruptionScheduleDeadLetterQueue).toMatchObject({ Type: 'AWS::SQS::Queue' });
  });

  it('tells the function where to schedule: group, its own ARN, the scheduler role and the DLQ — the DLQ every schedule target gets', () => {
    expect(fn.Environment.Variables).toMatchObject({
      LIFEGUARD_SCHEDULE_GROUP: { Ref: 'InterruptionScheduleGroup' },
      LIFEGUARD_FUNCTION_ARN: { 'Fn::Sub': expect.stringContaining(`:function:${fn.FunctionName}`) },
      LIFEGUARD_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': ['InterruptionSchedulerRole', 'Arn'] },
      LIFEGUARD_SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': ['InterruptionScheduleDeadLetterQueue', 'Arn'] },
    });
  });

  // Who may assume it, with which source, is simulated: test/package/iam-simulation.test.ts.
  it('lets the scheduler role invoke only this function and write only that DLQ', () => {
    const statements = statementsOf('InterruptionSchedulerRole');
    expect(statements.map((s) => s.Action)).toEqual([['lambda:InvokeFunction'], ['sqs:SendMessage']]);
    expect(JSON.stringify(statements[0]!.Resource)).toContain(`:function:${fn.FunctionName}`);
    expect(statements[1]!.Resource).toEqual({ 'Fn::GetAtt': ['InterruptionScheduleDeadLetterQueue', 'Arn'] });
  });

  it('lets the function invoke only itself (a drain handing over), by the name it is deployed under', () => {
    const invoke = statementsOf('InterruptionRole').filter((s) => (s.Action as string[]).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.FunctionName}` } }]);
  });

  it('lets the function manage schedules only in its group, and pass only the scheduler role, only to Scheduler', () => {
    const statements = statementsOf('InterruptionRole');
    const scheduling = statements.find((s) => (s.Action as string[]).includes('scheduler:CreateSchedule'))!;
    expect(scheduling.Action).toEqual(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule']);
    expect(JSON.stringify(scheduling.Resource)).toContain(`:schedule/${fn.FunctionName}-work/*`);
    const pass = statements.filter((s) => (s.Action as string[]).includes('iam:PassRole'));
    expect(pass).toEqual([{ Effect: 'Allow', Action: ['iam:PassRole'], Resource: { 'Fn::GetAtt': ['InterruptionSchedulerRole', 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }]);
  });
});
