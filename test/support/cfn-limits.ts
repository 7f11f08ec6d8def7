/**
 * Constraints CloudFormation's resource model does not carry (it keeps types, required properties
 * and enums, but no lengths or patterns), each from AWS's documentation as cited. They apply to
 * literal values; a name built with an intrinsic function is checked once the stack is deployed.
 */
export interface DocumentedLimit {
  max: number;
  min?: number;
  pattern?: RegExp;
  doc: string;
}

/** By `<resource type>.<property>`, or `<resource type>.<nested type>.<property>`. */
export const DOCUMENTED_LIMITS: Record<string, DocumentedLimit> = {
  'AWS::Scheduler::ScheduleGroup.Name': {
    min: 1,
    max: 64,
    pattern: /^[0-9a-zA-Z-_.]+$/,
    doc: 'EventBridge Scheduler API Reference, CreateScheduleGroup: Name, 1 to 64 characters, [0-9a-zA-Z-_.]+',
  },
  'AWS::Lambda::Function.FunctionName': {
    min: 1,
    max: 64,
    pattern: /^[a-zA-Z0-9-_]+$/,
    doc: 'Lambda API Reference, CreateFunction: "If you specify only the function name, it is limited to 64 characters in length"',
  },
  'AWS::SQS::Queue.QueueName': {
    min: 1,
    max: 80,
    pattern: /^[a-zA-Z0-9_-]+(\.fifo)?$/,
    doc: 'Amazon SQS API Reference, CreateQueue: "A queue name can have up to 80 characters", alphanumerics, hyphens and underscores, .fifo for FIFO queues',
  },
  'AWS::IAM::Role.RoleName': {
    min: 1,
    max: 64,
    pattern: /^[\w+=,.@-]+$/,
    doc: 'IAM API Reference, CreateRole: RoleName, 1 to 64 characters, [\\w+=,.@-]+',
  },
  'AWS::IAM::Role.Policy.PolicyName': {
    min: 1,
    max: 128,
    pattern: /^[\w+=,.@-]+$/,
    doc: 'IAM API Reference, PutRolePolicy: PolicyName, 1 to 128 characters, [\\w+=,.@-]+',
  },
  'AWS::StepFunctions::StateMachine.StateMachineName': {
    min: 1,
    max: 80,
    // Logging to CloudWatch Logs needs the narrower set.
    pattern: /^[0-9A-Za-z_-]+$/,
    doc: 'Step Functions API Reference, CreateStateMachine: name, 1 to 80 characters; "To enable logging with CloudWatch Logs, the name should only contain 0-9, A-Z, a-z, - and _"',
  },
  'AWS::Events::Rule.Name': {
    min: 1,
    max: 64,
    pattern: /^[.\-_A-Za-z0-9]+$/,
    doc: 'EventBridge API Reference, PutRule: Name, 1 to 64 characters, [\\.\\-_A-Za-z0-9]+',
  },
  'AWS::CloudWatch::Alarm.AlarmName': {
    min: 1,
    max: 255,
    doc: 'CloudWatch API Reference, PutMetricAlarm: AlarmName, 1 to 255 characters',
  },
  'AWS::SNS::Topic.TopicName': {
    min: 1,
    max: 256,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    doc: 'Amazon SNS API Reference, CreateTopic: "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long"',
  },
  'AWS::Logs::LogGroup.LogGroupName': {
    min: 1,
    max: 512,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    doc: 'CloudWatch Logs API Reference, CreateLogGroup: logGroupName, 1 to 512 characters, [\\.\\-_/#A-Za-z0-9]+',
  },
  'AWS::CloudWatch::Dashboard.DashboardName': {
    min: 1,
    max: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    doc: 'CloudWatch API Reference, PutDashboard: DashboardName, up to 255 characters of A-Z, a-z, 0-9, "-" and "_"',
  },
  'AWS::EKS::AccessEntry.ClusterName': {
    min: 1,
    max: 100,
    pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/,
    doc: 'Amazon EKS API Reference, CreateCluster: name, 1 to 100 characters, ^[0-9A-Za-z][A-Za-z0-9\\-_]*',
  },
};

/**
 * A logical id: "The logical ID must be alphanumeric (A-Za-z0-9) and unique within the template"
 * (CloudFormation User Guide, Resources section); at most 255 characters (CloudFormation quotas).
 */
export const LOGICAL_ID = { pattern: /^[A-Za-z0-9]{1,255}$/, doc: 'CloudFormation User Guide, Resources: alphanumeric (A-Za-z0-9); quotas: 255 characters' };

/** CloudFormation quotas: at most 500 resources in a template. */
export const MAX_RESOURCES = 500;

/** What is wrong with a literal value under a documented limit, or undefined. */
export function limitProblem(value: string, limit: DocumentedLimit): string | undefined {
  if (value.length > limit.max || value.length < (limit.min ?? 0)) {
    return `'${value}' has ${value.length} characters, allowed ${limit.min ?? 0} to ${limit.max} (${limit.doc})`;
  }
  if (limit.pattern && !limit.pattern.test(value)) return `'${value}' does not match ${String(limit.pattern)} (${limit.doc})`;
  return undefined;
}
