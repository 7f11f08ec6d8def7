import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../sandbox/eventbridge/pattern.ts';
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
  it('has one rule per signal, each targeting the notice queue with a retry policy and a DLQ', () => {
    expect(rules.map(([id]) => id).sort()).toEqual(['AsgTerminateLifecycleRule', 'HealthScheduledChangeRule', 'RebalanceRecommendationRule', 'SpotInterruptionRule', 'StateChangeRule']);
    for (const [, rule] of rules) {
      const targets = rule.Properties!.Targets as Array<Record<string, unknown>>;
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['InterruptionDeadLetterQueue', 'Arn'] } },
      });
    }
  });

  it('keeps notices in an encrypted queue for 4 days, hides a received one for six times the function timeout, and moves one that keeps failing to a retained DLQ', () => {
    const queue = template.Resources.InterruptionNoticeQueue!;
    const timeout = (template.Resources.InterruptionLambdaFunction!.Properties as { Timeout: number }).Timeout;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 4 * 86_400, VisibilityTimeout: 6 * timeout });
    expect(queue.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['InterruptionNoticeDeadLetterQueue', 'Arn'] }, maxReceiveCount: 10 });
    expect(queue).not.toHaveProperty('DeletionPolicy');
    expect(template.Resources.InterruptionNoticeDeadLetterQueue).toMatchObject({ Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { SqsManagedSseEnabled: true } });
    expect(template.Outputs).toMatchObject({ InterruptionNoticeQueueUrl: { Value: { Ref: 'InterruptionNoticeQueue' } }, InterruptionNoticeDeadLetterQueueUrl: { Value: { Ref: 'InterruptionNoticeDeadLetterQueue' } } });
  });

  it('lets EventBridge send to the notice queue only for the interruption rules', () => {
    const policy = template.Resources.InterruptionNoticeQueuePolicy!.Properties as { Queues: unknown[]; PolicyDocument: { Statement: Array<Record<string, unknown>> } };
    expect(policy.Queues).toEqual([{ Ref: 'InterruptionNoticeQueue' }]);
    expect(policy.PolicyDocument.Statement).toHaveLength(1);
    const [statement] = policy.PolicyDocument.Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] } });
    const sources = (statement!.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals['aws:SourceArn'];
    expect(sources).toEqual(rules.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
  });

  it('feeds the function from the notice queue in batches with partial batch responses (the example sets no maximum concurrency)', () => {
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      EventSourceArn: { 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['InterruptionLambdaFunction', 'Arn'] },
      Enabled: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const fn = template.Resources.InterruptionLambdaFunction!.Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables.LIFEGUARD_NOTICE_QUEUE_URL).toEqual({ Ref: 'InterruptionNoticeQueue' });
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

  it('gives no rule a permission to invoke the function: nothing but the event source mapping and the stack\'s own invokes it', () => {
    expect(resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties).includes('InterruptionLambdaFunction'))).toEqual([]);
  });

  it('lets the function read, delete, delay and send notices of the notice queue, and of no other queue', () => {
    const statements = (template.Resources.InterruptionRole!.Properties as { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }> }).Policies.flatMap((p) => p.PolicyDocument.Statement);
    const onNotices = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] }));
    expect(onNotices.flatMap((s) => s.Action).sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
    const sqs = statements.filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] }, { 'Fn::GetAtt': ['InterruptionFailureQueue', 'Arn'] }]));
    expect(sqs.filter((s) => !JSON.stringify(s.Resource).includes('InterruptionNoticeQueue')).flatMap((s) => s.Action)).toEqual(['sqs:SendMessage']);
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

  it('tells the function where to schedule: group, the notice queue as the target, the scheduler role and the DLQ — the DLQ every schedule target gets', () => {
    expect(fn.Environment.Variables).toMatchObject({
      LIFEGUARD_SCHEDULE_GROUP: { Ref: 'InterruptionScheduleGroup' },
      LIFEGUARD_SCHEDULE_TARGET_ARN: { 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] },
      LIFEGUARD_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': ['InterruptionSchedulerRole', 'Arn'] },
      LIFEGUARD_SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': ['InterruptionScheduleDeadLetterQueue', 'Arn'] },
    });
  });

  // Who may assume it, with which source, is simulated: test/package/iam-simulation.test.ts.
  it('lets the scheduler role send only to the notice queue and write only that DLQ', () => {
    const statements = statementsOf('InterruptionSchedulerRole');
    expect(statements.map((s) => s.Action)).toEqual([['sqs:SendMessage']]);
    expect(statements[0]!.Resource).toEqual([{ 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] }, { 'Fn::GetAtt': ['InterruptionScheduleDeadLetterQueue', 'Arn'] }]);
  });

  it('lets the function invoke no function, itself included: a drain handing over sends a notice', () => {
    expect(statementsOf('InterruptionRole').filter((s) => (s.Action as string[]).some((a) => a.startsWith('lambda:')))).toEqual([]);
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
