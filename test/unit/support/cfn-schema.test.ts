import { describe, expect, it } from 'vitest';
import { arnProblem, matchesArnFormat } from '../../support/cfn-arn.ts';
import { limitProblem, DOCUMENTED_LIMITS } from '../../support/cfn-limits.ts';
import { sampleSub } from '../../support/cfn-sample.ts';
import { checkTemplate, type CfnTemplate } from '../../support/cfn-schema.ts';

/** A small valid stack: a queue, a role and a function that uses both. */
const stack = (): CfnTemplate => ({
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', Properties: { MessageRetentionPeriod: 1_209_600, QueueName: 'lifeguard-dlq' } },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'send', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] } }],
      },
    },
    Function: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['Role'],
      Properties: {
        Code: { ZipFile: 'exports.handler = async () => {}' },
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Timeout: '30',
        FunctionName: 'lifeguard-dev-f',
        Environment: { Variables: { QUEUE: { Ref: 'Queue' }, SELF: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:lifeguard-dev-f' } } },
        TracingConfig: { Mode: 'Active' },
      },
    },
  },
});

const findingsAfter = (change: (t: CfnTemplate) => void) => {
  const template = stack();
  change(template);
  return checkTemplate(template).findings;
};
const props = (t: CfnTemplate, id: string) => t.Resources[id]!.Properties!;

describe('the CloudFormation schema check', () => {
  it('passes a valid stack and counts what it checked', () => {
    const report = checkTemplate(stack());
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ resources: 3, getAtts: 2, arns: 1 });
    // The queue's 2, the role's 2 and its policy's 2, the function's 8 and their ZipFile, Variables and Mode.
    expect(report.properties).toBe(17);
    // QueueName, PolicyName and FunctionName have documented limits.
    expect(report.limits).toBe(3);
  });

  it('finds an unknown resource type, an unknown property (with a suggestion) and an unknown nested property', () => {
    expect(findingsAfter((t) => (t.Resources.Queue!.Type = 'AWS::SQS::Queues'))).toEqual(["Resources.Queue: CloudFormation has no resource type 'AWS::SQS::Queues'"]);
    expect(findingsAfter((t) => (props(t, 'Queue').MessageRetention = 60))).toEqual(["Resources.Queue.Properties.MessageRetention: AWS::SQS::Queue has no property 'MessageRetention' (did you mean 'MessageRetentionPeriod'?)"]);
    expect(findingsAfter((t) => (props(t, 'Function').TracingConfig = { Mod: 'Active' }))).toEqual([
      "Resources.Function.Properties.TracingConfig.Mod: AWS::Lambda::Function.TracingConfig has no property 'Mod' (did you mean 'Mode'?)",
    ]);
  });

  it('finds values of the wrong type, numbers written as strings allowed as CloudFormation allows them', () => {
    expect(findingsAfter((t) => (props(t, 'Function').Timeout = 'thirty'))).toEqual(['Resources.Function.Properties.Timeout: expected an integer, got "thirty"']);
    expect(findingsAfter((t) => (props(t, 'Function').Environment = { Variables: ['A=1'] }))).toEqual(['Resources.Function.Properties.Environment.Variables: expected a map (map of string), got a list']);
    expect(findingsAfter((t) => (props(t, 'Function').Handler = { name: 'index.handler' }))).toEqual(['Resources.Function.Properties.Handler: expected a string, got an object']);
    expect(findingsAfter((t) => (props(t, 'Queue').FifoQueue = 'yes'))).toEqual(['Resources.Queue.Properties.FifoQueue: expected a boolean, got "yes"']);
  });

  it('finds a missing required property, AWS::NoValue counting as missing', () => {
    expect(findingsAfter((t) => delete props(t, 'Function').Role)).toEqual(['Resources.Function.Properties.Role: required by AWS::Lambda::Function, missing']);
    expect(findingsAfter((t) => (props(t, 'Function').Role = { Ref: 'AWS::NoValue' }))).toEqual(['Resources.Function.Properties.Role: required by AWS::Lambda::Function, missing']);
  });

  it('finds a value outside the allowed ones, and a bad deletion policy', () => {
    expect(findingsAfter((t) => (props(t, 'Function').TracingConfig = { Mode: 'On' }))).toEqual(['Resources.Function.Properties.TracingConfig.Mode: "On" is not one of Active, PassThrough']);
    expect(findingsAfter((t) => (t.Resources.Queue!.DeletionPolicy = 'Keep'))).toEqual(['Resources.Queue.DeletionPolicy: "Keep" is not one of Delete, Retain, RetainExceptOnCreate, Snapshot']);
  });

  it('checks what intrinsic functions name and give: Ref targets, GetAtt attributes, Sub variables, lists where a string is expected', () => {
    expect(findingsAfter((t) => (props(t, 'Function').Role = { 'Fn::GetAtt': ['Role', 'Name'] }))).toEqual([
      "Resources.Function.Properties.Role: AWS::IAM::Role has no attribute 'Name' for Fn::GetAtt (it has Arn, RoleId)",
    ]);
    expect(findingsAfter((t) => (props(t, 'Function').Role = { Ref: 'Rolle' }))).toEqual(["Resources.Function.Properties.Role: Ref names nothing: no resource, parameter or pseudo parameter 'Rolle'"]);
    expect(findingsAfter((t) => (props(t, 'Function').Description = { 'Fn::Sub': 'sends to ${Queue.QueueURL}' }))).toEqual([
      "Resources.Function.Properties.Description.Fn::Sub ${Queue.QueueURL}: AWS::SQS::Queue has no attribute 'QueueURL' for Fn::GetAtt (it has Arn, QueueName, QueueUrl); did you mean 'QueueUrl'?",
    ]);
    expect(findingsAfter((t) => (props(t, 'Function').Handler = { 'Fn::Split': [',', 'a,b'] }))).toEqual(['Resources.Function.Properties.Handler: Fn::Split gives a list where string is expected']);
    expect(findingsAfter((t) => (props(t, 'Function').Layers = { Ref: 'Queue' }))).toEqual(['Resources.Function.Properties.Layers: Ref gives a string where list of string is expected']);
    expect(findingsAfter((t) => (t.Resources.Function!.DependsOn = ['Rolle']))).toEqual(["Resources.Function.DependsOn: no resource 'Rolle'"]);
  });

  it('checks both branches of an Fn::If and that its condition exists', () => {
    const findings = findingsAfter((t) => (props(t, 'Function').Timeout = { 'Fn::If': ['Long', 900, 'forever'] }));
    expect(findings).toEqual(["Resources.Function.Properties.Timeout: Fn::If names no condition 'Long'", 'Resources.Function.Properties.Timeout[Fn::If false]: expected an integer, got "forever"']);
  });

  it('checks every ARN the template writes, whole when joined from parts', () => {
    expect(findingsAfter((t) => (props(t, 'Function').Environment = { Variables: { SELF: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:lambda:f' } } }))).toEqual([
      expect.stringMatching(/^Resources\.Function\.Properties\.Environment\.Variables\.SELF: arn:aws:lambda:us-east-1:123456789012:lambda:f follows none of the ARN formats of 'lambda'/),
    ]);
    const joined = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':lifeguard-dlq']] };
    expect(findingsAfter((t) => (props(t, 'Function').Environment = { Variables: { QUEUE_ARN: joined } }))).toEqual([]);
    expect(findingsAfter((t) => (props(t, 'Function').Environment = { Variables: { QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:queue/lifeguard-dlq:x' } }))).toEqual([
      expect.stringContaining("follows none of the ARN formats of 'sqs'"),
    ]);
  });

  it('checks documented limits the model lacks, and logical ids', () => {
    expect(findingsAfter((t) => (props(t, 'Function').FunctionName = `lifeguard-${'x'.repeat(55)}`))).toEqual([expect.stringMatching(/FunctionName: '.*' has 65 characters, allowed 1 to 64 \(Lambda API Reference/)]);
    expect(findingsAfter((t) => (props(t, 'Queue').QueueName = 'lifeguard dlq'))).toEqual([expect.stringMatching(/QueueName: 'lifeguard dlq' does not match/)]);
    expect(findingsAfter((t) => (t.Resources['Dead-Letters'] = t.Resources.Queue!))).toEqual([expect.stringMatching(/^Resources\.Dead-Letters: not a valid logical id/)]);
  });
});

describe('ARN formats', () => {
  it('reads IAM wildcards as any ARN they match', () => {
    const lambda = 'arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}';
    expect(matchesArnFormat('arn:aws:lambda:us-east-1:123456789012:function:f', lambda)).toBe(true);
    expect(matchesArnFormat('arn:aws:lambda:us-east-1:123456789012:function:*', lambda)).toBe(true);
    expect(matchesArnFormat('arn:aws:lambda:*:*:function:f?', lambda)).toBe(true);
    expect(matchesArnFormat('arn:aws:lambda:us-east-1:123456789012:function:', lambda)).toBe(false);
    expect(matchesArnFormat('arn:aws:lambda:us-east-1:123456789012:function:f:1', lambda)).toBe(false);
    expect(matchesArnFormat('arn:aws:lambda:us-east-1:12345678901x:function:f', lambda)).toBe(false);
  });

  it('tells a schedule group from a schedule, and knows the formats the model lacks from the Service Authorization Reference', () => {
    expect(arnProblem('arn:aws:scheduler:us-east-1:123456789012:schedule-group/lifeguard-dev-interruption-work')).toBeUndefined();
    expect(arnProblem('arn:aws:scheduler:us-east-1:123456789012:schedule/lifeguard-dev-interruption-work/*')).toBeUndefined();
    expect(arnProblem('arn:aws:scheduler:us-east-1:123456789012:schedule-group:lifeguard-dev-interruption-work')).toMatch(/follows none of the ARN formats of 'scheduler'/);
    expect(arnProblem('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emr-livy/0a1b2c3d4e5f6a7b')).toBeUndefined();
    expect(arnProblem('arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*')).toBeUndefined();
    expect(arnProblem('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/lifeguard-dev-interruption:*')).toBeUndefined();
    expect(arnProblem('arn:aws:elasticmapreduce:us-east-1:123456789012:clusters/j-1')).toMatch(/cluster\/\$\{ClusterId\}/);
    expect(arnProblem('arn:aws:nosuchservice:us-east-1:123456789012:thing/x')).toMatch(/no ARN format is known for service 'nosuchservice'/);
  });

  it('reads an Fn::Sub with sample values, attributes by the model\'s ARN format', () => {
    const resources = { Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'lifeguard-dev-f' } }, Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'g' } } };
    expect(sampleSub(resources, ['${Arn} in ${Group} (${AWS::Region}) ${!Literal}', { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }])).toBe('arn:aws:lambda:us-east-1:123456789012:function:lifeguard-dev-f in g (us-east-1) ${Literal}');
    expect(sampleSub(resources, '${Group.Arn}')).toBe('arn:aws:scheduler:us-east-1:123456789012:schedule-group/g');
  });

  it('measures names against their documented limits', () => {
    expect(limitProblem('x'.repeat(64), DOCUMENTED_LIMITS['AWS::Scheduler::ScheduleGroup.Name']!)).toBeUndefined();
    expect(limitProblem('x'.repeat(65), DOCUMENTED_LIMITS['AWS::Scheduler::ScheduleGroup.Name']!)).toMatch(/65 characters, allowed 1 to 64/);
    expect(limitProblem('a/b', DOCUMENTED_LIMITS['AWS::Scheduler::ScheduleGroup.Name']!)).toMatch(/does not match/);
  });
});
