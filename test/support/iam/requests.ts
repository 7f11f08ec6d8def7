import { createHash } from 'node:crypto';
import type { AwsCall } from '../../../sandbox/aws/calls.ts';

/**
 * How AWS authorizes each API request the stack makes: the IAM action(s) it needs, on which
 * resource ARN, with which request context (the Service Authorization Reference's "Actions,
 * resources, and condition keys" for each operation). An operation missing here fails the
 * simulation, so a new call cannot pass unevaluated.
 */

export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

export interface RequestWorld {
  partition: string;
  region: string;
  account: string;
  /** The role an instance profile holds (RunJobFlow's JobFlowRole names a profile; PassRole is on its role). */
  instanceProfileRole(profile: string): string;
}

type Input = Record<string, unknown>;
type Mapping = (input: Input, world: RequestWorld, call: AwsCall) => IamRequest[];

const arn = (w: RequestWorld, service: string, rest: string, region = w.region) => `arn:${w.partition}:${service}:${region}:${w.account}:${rest}`;
const roleArn = (w: RequestWorld, nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn : `arn:${w.partition}:iam::${w.account}:role/${nameOrArn}`);
const str = (input: Input, key: string) => {
  const value = input[key];
  if (typeof value !== 'string' || !value) throw new Error(`the request has no ${key}: ${JSON.stringify(input)}`);
  return value;
};
const on = (action: string, resource: string, context: IamRequest['context'] = {}): IamRequest => ({ action, resource, context });

/** `aws:ResourceTag/k` and the service's own `<prefix>:ResourceTag/k` for the tags the emulator holds. */
function resourceTagContext(call: AwsCall, id: string, servicePrefix?: string): IamRequest['context'] {
  const tags = call.resourceTags?.[id] ?? {};
  return Object.fromEntries(
    Object.entries(tags).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], ...(servicePrefix ? [[`${servicePrefix}:ResourceTag/${k}`, v]] : [])]),
  );
}

/** An Auto Scaling group's ARN carries an id AWS generates; any stable one stands for it here. */
const groupArn = (w: RequestWorld, name: string) => {
  const h = createHash('sha256').update(name).digest('hex');
  return arn(w, 'autoscaling', `autoScalingGroup:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}:autoScalingGroupName/${name}`);
};

const emrCluster = (action: string): Mapping => (input, w, call) => {
  const ids = [input.ClusterId, input.JobFlowId, ...(Array.isArray(input.JobFlowIds) ? input.JobFlowIds : [])].filter((id): id is string => typeof id === 'string');
  if (!ids.length) throw new Error(`elasticmapreduce:${action} names no cluster`);
  return ids.map((id) => on(`elasticmapreduce:${action}`, arn(w, 'elasticmapreduce', `cluster/${id}`), resourceTagContext(call, id, 'elasticmapreduce')));
};

/** An SQS request is authorized on the queue its QueueUrl names (https://sqs.<region>.<suffix>/<account>/<name>). */
const queue = (action: string): Mapping => (input, w) => {
  const url = new URL(str(input, 'QueueUrl'));
  const [, account, name] = url.pathname.split('/');
  const region = url.hostname.split('.')[1];
  if (!account || !name || !region) throw new Error(`not a queue URL: ${url.href}`);
  return [on(`sqs:${action}`, `arn:${w.partition}:sqs:${region}:${account}:${name}`)];
};

const wildcard = (action: string): Mapping => () => [on(action, '*')];

const schedule = (action: string): Mapping => (input, w) => {
  const requests = [on(`scheduler:${action}`, arn(w, 'scheduler', `schedule/${str(input, 'GroupName')}/${str(input, 'Name')}`))];
  // The schedule's target role is passed to Scheduler.
  const target = input.Target as Input | undefined;
  if (target?.RoleArn) requests.push(on('iam:PassRole', roleArn(w, str(target, 'RoleArn')), { 'iam:PassedToService': 'scheduler.amazonaws.com' }));
  return requests;
};

const lifecycle = (action: string): Mapping => (input, w, call) => {
  const name = str(input, 'AutoScalingGroupName');
  return [on(`autoscaling:${action}`, groupArn(w, name), resourceTagContext(call, name, 'autoscaling'))];
};

const targets = (action: string): Mapping => (input) => [on(`elasticloadbalancing:${action}`, str(input, 'TargetGroupArn'))];

const logStream = (action: string): Mapping => (input, w) => [
  on(`logs:${action}`, arn(w, 'logs', `log-group:${str(input, 'logGroupName')}:log-stream:${str(input, 'logStreamName')}`)),
];

/** RunJobFlow: tagged on creation (request tags), passing the cluster's roles to the services that use them. */
const runJobFlow: Mapping = (input, w) => {
  const tags = (input.Tags as Array<{ Key: string; Value: string }> | undefined) ?? [];
  const requestTags = Object.fromEntries(tags.flatMap((t) => [[`aws:RequestTag/${t.Key}`, t.Value], [`elasticmapreduce:RequestTag/${t.Key}`, t.Value]]));
  const requests = [on('elasticmapreduce:RunJobFlow', '*', { ...requestTags, 'aws:TagKeys': tags.map((t) => t.Key) })];
  requests.push(on('iam:PassRole', roleArn(w, str(input, 'ServiceRole')), { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' }));
  requests.push(on('iam:PassRole', w.instanceProfileRole(str(input, 'JobFlowRole')), { 'iam:PassedToService': 'ec2.amazonaws.com' }));
  if (typeof input.AutoScalingRole === 'string') {
    requests.push(on('iam:PassRole', roleArn(w, input.AutoScalingRole), { 'iam:PassedToService': 'application-autoscaling.amazonaws.com' }));
  }
  // EMR creates its cleanup service-linked role on an account's first cluster, as the caller.
  requests.push(
    on('iam:CreateServiceLinkedRole', `arn:${w.partition}:iam::${w.account}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup`, {
      'iam:AWSServiceName': 'elasticmapreduce.amazonaws.com',
    }),
  );
  return requests;
};

const putEvents: Mapping = (input, w) =>
  ((input.Entries as Input[] | undefined) ?? []).map((entry) =>
    on('events:PutEvents', arn(w, 'events', `event-bus/${typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default'}`), {
      'events:source': str(entry, 'Source'),
      'events:detail-type': str(entry, 'DetailType'),
    }),
  );

const OPERATIONS: Record<string, Mapping> = {
  'ec2:DescribeInstances': wildcard('ec2:DescribeInstances'),
  'ec2:DescribeSubnets': wildcard('ec2:DescribeSubnets'),
  'ec2:DescribeAvailabilityZones': wildcard('ec2:DescribeAvailabilityZones'),
  'ec2:DescribeInstanceTypeOfferings': wildcard('ec2:DescribeInstanceTypeOfferings'),
  'eks:DescribeCluster': (input, w) => [on('eks:DescribeCluster', arn(w, 'eks', `cluster/${str(input, 'name')}`))],
  'autoscaling:CompleteLifecycleAction': lifecycle('CompleteLifecycleAction'),
  'autoscaling:RecordLifecycleActionHeartbeat': lifecycle('RecordLifecycleActionHeartbeat'),
  'events:PutEvents': putEvents,
  'scheduler:CreateSchedule': schedule('CreateSchedule'),
  'scheduler:UpdateSchedule': schedule('UpdateSchedule'),
  'scheduler:DeleteSchedule': schedule('DeleteSchedule'),
  'lambda:Invoke': (input) => [on('lambda:InvokeFunction', str(input, 'FunctionName'))],
  'sqs:SendMessage': queue('SendMessage'),
  'sqs:ReceiveMessage': queue('ReceiveMessage'),
  // A batch call is authorized by its single-message action (SQS has no DeleteMessageBatch action).
  'sqs:DeleteMessageBatch': queue('DeleteMessage'),
  'sqs:ChangeMessageVisibility': queue('ChangeMessageVisibility'),
  'sqs:GetQueueAttributes': queue('GetQueueAttributes'),
  'states:StartExecution': (input) => [on('states:StartExecution', str(input, 'stateMachineArn'))],
  'dynamodb:PutItem': (input, w) => [on('dynamodb:PutItem', arn(w, 'dynamodb', `table/${str(input, 'TableName')}`))],
  'dynamodb:GetItem': (input, w) => [on('dynamodb:GetItem', arn(w, 'dynamodb', `table/${str(input, 'TableName')}`))],
  'dynamodb:DeleteItem': (input, w) => [on('dynamodb:DeleteItem', arn(w, 'dynamodb', `table/${str(input, 'TableName')}`))],
  'elasticmapreduce:RunJobFlow': runJobFlow,
  'elasticmapreduce:ListClusters': wildcard('elasticmapreduce:ListClusters'),
  ...Object.fromEntries(
    [
      'DescribeCluster',
      'ListInstances',
      'ListInstanceGroups',
      'ModifyInstanceGroups',
      'ListInstanceFleets',
      'ModifyInstanceFleet',
      'ListBootstrapActions',
      'GetAutoTerminationPolicy',
      'GetManagedScalingPolicy',
      'PutManagedScalingPolicy',
      'SetTerminationProtection',
      'TerminateJobFlows',
      'ListSteps',
      'AddJobFlowSteps',
    ].map((a) => [`elasticmapreduce:${a}`, emrCluster(a)]),
  ),
  'elasticloadbalancing:DescribeTargetGroups': wildcard('elasticloadbalancing:DescribeTargetGroups'),
  'elasticloadbalancing:DescribeTargetHealth': wildcard('elasticloadbalancing:DescribeTargetHealth'),
  'elasticloadbalancing:DescribeLoadBalancers': wildcard('elasticloadbalancing:DescribeLoadBalancers'),
  'elasticloadbalancing:RegisterTargets': targets('RegisterTargets'),
  'elasticloadbalancing:DeregisterTargets': targets('DeregisterTargets'),
  'logs:CreateLogStream': logStream('CreateLogStream'),
  'logs:PutLogEvents': logStream('PutLogEvents'),
  // EventBridge delivering to its targets.
  'sns:Publish': (input) => [on('sns:Publish', str(input, 'TopicArn'))],
  'events:InvokeApiDestination': (input) => [on('events:InvokeApiDestination', str(input, 'ApiDestinationArn'))],
};

export function iamRequests(call: AwsCall, world: RequestWorld): IamRequest[] {
  const mapping = OPERATIONS[`${call.service}:${call.operation}`];
  if (!mapping) throw new Error(`no IAM model for ${call.service}:${call.operation}: add how AWS authorizes it to test/support/iam/requests.ts`);
  return mapping(call.input, world, call);
}
