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

  it('runs the function on nodejs22.x with its own least-privilege role and an on-failure destination', () => {
    const fn = template.Resources.InterruptionLambdaFunction!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Role: { 'Fn::GetAtt': ['InterruptionRole', 'Arn'] }, Handler: 'functions/interruption.handler' });
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
