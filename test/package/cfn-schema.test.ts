import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILOVER_STATE_MACHINE_ID } from '../../deploy/dr-ids.ts';
import { arnProblem } from '../support/cfn-arn.ts';
import { substitutedDefinition } from '../support/cfn-sample.ts';
import { checkTemplate, type CfnTemplate } from '../support/cfn-schema.ts';
import { packagedTemplate, packageTemplate, resourcesOfType, type PackagedTemplate } from '../support/template.ts';

/**
 * The packaged stack against CloudFormation's own resource model (test/support/cfn-schema.ts), for
 * the committed example and for a configuration that turns every option on, packaged under the
 * longest stage name a function name allows: `lifeguard-<stage>-interruption` must fit Lambda's 64
 * characters, so 41. Each configuration is packaged once for the whole file.
 */
const LONGEST_STAGE = 'all-options-and-the-longest-stage-allowed';
const ALL_OPTIONS = 'test/fixtures/config/all-options.yaml';

const templates: Record<string, PackagedTemplate> = {};
const configurations = ['example', 'all options'] as const;

beforeAll(() => {
  templates.example = packagedTemplate();
  templates['all options'] = packageTemplate(ALL_OPTIONS, LONGEST_STAGE);
}, 300_000);

describe.each(configurations)('the packaged template (%s configuration)', (configuration) => {
  it('fits CloudFormation\'s resource model: types, properties, required ones, allowed values, GetAtt attributes, ARN formats and documented limits', () => {
    const template = templates[configuration]!;
    const report = checkTemplate(template);
    console.log(
      `CloudFormation schema check (${configuration}): ${report.resources} resources, ${report.properties} properties, ` +
        `${report.getAtts} Fn::GetAtt, ${report.arns} ARNs, ${report.limits} documented limits checked; ${report.findings.length} findings`,
    );
    expect(report.findings).toEqual([]);
    expect(report.resources).toBe(Object.keys(template.Resources).length);
    expect(report.properties).toBeGreaterThan(report.resources * 4);
    expect(report.arns).toBeGreaterThan(20);
  });

  it('gives Step Functions a failover definition that, substituted as CloudFormation will, is valid ASL whose ARNs follow their formats', () => {
    const definition = substitutedDefinition(templates[configuration]!.Resources, FAILOVER_STATE_MACHINE_ID);
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
    const arns = [...JSON.stringify(definition).matchAll(/"(arn:[^"]+)"/g)].map((m) => m[1]!);
    // Service integrations (arn:…:states:::aws-sdk:emr:runJobFlow) name an API, not a resource.
    const resourceArns = arns.filter((arn) => !/^arn:[^:]+:states:::/.test(arn));
    expect(resourceArns.length).toBeGreaterThanOrEqual(4);
    expect(resourceArns.map(arnProblem).filter(Boolean)).toEqual([]);
  });
});

describe('the all-options configuration', () => {
  it('really turns every option on in the packaged template', () => {
    const template = templates['all options']!;
    const functions = Object.fromEntries(resourcesOfType(template, 'AWS::Lambda::Function').map(([id, r]) => [id, r.Properties!]));
    expect(resourcesOfType(template, 'AWS::EKS::AccessEntry')).toHaveLength(2);
    expect(functions.InterruptionLambdaFunction).toMatchObject({ ReservedConcurrentExecutions: 50, VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) } });
    expect(Object.values(functions).filter((f) => f.VpcConfig)).toHaveLength(3);
    expect(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).toHaveLength(3);
    const trigger = JSON.stringify(template.Resources.FailoverTriggeranalyticsRule);
    expect(trigger).toContain('analytics-hdfs-missing-blocks');
    expect(JSON.stringify(template.Resources.FailoverStateMachineRole)).toContain('EMR_AutoScaling_DefaultRole');
    expect(resourcesOfType(template, 'AWS::SNS::Subscription')).toHaveLength(2);
    const connection = JSON.stringify(template.Resources.NotificationConnection);
    expect(connection).toContain('{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:lifeguard/ops-token-AbCdEf:SecretString:token}}');
    expect(template.Resources.NotificationApiDestination!.Properties!.InvocationEndpoint).toBe('{{resolve:secretsmanager:lifeguard/ops-webhook:SecretString:url}}');
    expect(resourcesOfType(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('Notify'))).toHaveLength(5);
    // The longest stage: the schedule group's name is the one that would pass 64 characters.
    expect(String(template.Resources.InterruptionScheduleGroup!.Properties!.Name).length).toBeLessThanOrEqual(64);
  });
});

describe('the schema check on a deliberately broken copy of the example template', () => {
  type Mutable = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const BREAKS: Array<[string, (t: Mutable) => void, RegExp]> = [
    ['a misspelt property', (t) => (t.Resources.InterruptionLambdaFunction!.Properties.Timeuot = 900), /InterruptionLambdaFunction\.Properties\.Timeuot: AWS::Lambda::Function has no property 'Timeuot' \(did you mean 'Timeout'\?\)/],
    ['a value of the wrong type', (t) => (t.Resources.InterruptionLambdaFunction!.Properties.MemorySize = 'lots'), /MemorySize: expected an integer, got "lots"/],
    ['a nested value of the wrong type', (t) => ((t.Resources.SpotInterruptionRule!.Properties.Targets as Array<{ RetryPolicy: Record<string, unknown> }>)[0]!.RetryPolicy.MaximumRetryAttempts = [8]), /Targets\.0\.RetryPolicy\.MaximumRetryAttempts: expected an integer, got a list/],
    ['a missing required property', (t) => delete t.Resources.FailoverStateMachine!.Properties.RoleArn, /FailoverStateMachine\.Properties\.RoleArn: required by AWS::StepFunctions::StateMachine, missing/],
    ['a value the model does not allow', (t) => (t.Resources.SpotInterruptionRule!.Properties.State = 'ON'), /SpotInterruptionRule\.Properties\.State: "ON" is not one of DISABLED, ENABLED/],
    ['an attribute the resource does not have', (t) => (t.Resources.InterruptionLambdaFunction!.Properties.Role = { 'Fn::GetAtt': ['InterruptionRole', 'RoleArn'] }), /AWS::IAM::Role has no attribute 'RoleArn' for Fn::GetAtt \(it has Arn, RoleId\)/],
    ['an ARN in the wrong format', (t) => (t.Resources.InterruptionLambdaFunction!.Properties.Environment = { Variables: { LIFEGUARD_FUNCTION_ARN: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:functions/x' } } }), /arn:aws:lambda:us-east-1:123456789012:functions\/x follows none of the ARN formats of 'lambda'/],
    ['a name over its documented limit', (t) => (t.Resources.InterruptionScheduleGroup!.Properties.Name = `lifeguard-${LONGEST_STAGE}-interruption-work`), /InterruptionScheduleGroup\.Properties\.Name: '.*' has 69 characters, allowed 1 to 64 \(EventBridge Scheduler API Reference/],
  ];

  it.each(BREAKS)('finds %s', (_what, breakIt, expected) => {
    const broken = structuredClone(templates.example!) as unknown as Mutable;
    breakIt(broken);
    const { findings } = checkTemplate(broken as unknown as CfnTemplate);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(expected);
  });

  it('finds every break at once in one copy', () => {
    const broken = structuredClone(templates.example!) as unknown as Mutable;
    for (const [, breakIt] of BREAKS) breakIt(broken);
    const { findings } = checkTemplate(broken as unknown as CfnTemplate);
    for (const [what, , expected] of BREAKS) expect(findings.some((f) => expected.test(f)), what).toBe(true);
  });
});
