import { NOTICE_QUEUE_URL_ENV } from '../lib/aws/notice-queue.ts';
import { INTERRUPTION_FUNCTION_TIMEOUT_SECONDS } from '../lib/config/interruption.ts';
import { interruptionRules } from '../lib/events/rules.ts';
import type { LifeguardConfig } from '../lib/config/schema.ts';
import { deadLetterQueue, eventBridgeDeadLetterQueue, getAtt, lambdaRole, ref, sub } from './cfn.ts';
import { NOTICE_DEAD_LETTER_QUEUE_ID, noticeQueueResources, NOTICE_QUEUE_ID } from './notice-queue.ts';
import { scheduleResources } from './schedules.ts';

/** The Kubernetes group Lifeguard's role is mapped to; deploy/kubernetes-rbac.yaml binds it. */
export const KUBERNETES_GROUP = 'lifeguard:node-drainer';

/** How long EventBridge keeps retrying delivery of one signal before it goes to the DLQ. */
const maxEventAgeSeconds: Record<string, number> = {
  SpotInterruption: 300,
  StateChange: 300,
};

/**
 * The interruption path: one EventBridge rule per signal (each with a retry policy and an SQS
 * DLQ), all sending to one notice queue, which the function consumes in batches through Lambda's
 * event source mapping (partial batch responses, a maximum concurrency); the one-time schedules
 * and the drains handed over send to the same queue. A role scoped to the configured clusters and
 * that queue, and EKS access entries.
 */
export function interruptionStack(config: LifeguardConfig, service: string, stage: string) {
  const functionName = `${service}-${stage}-interruption`;
  const ruleIds = interruptionRules.map((r) => `${r.name}Rule`);
  const noticeQueueArn = getAtt(NOTICE_QUEUE_ID, 'Arn');
  const resources: Record<string, unknown> = signalRules(noticeQueueArn);
  Object.assign(resources, noticeQueueResources(config.interruption.queue, ruleIds));
  Object.assign(resources, eventBridgeDeadLetterQueue('InterruptionDeadLetterQueue', ruleIds));
  // Direct invocations (a schedule made by an earlier version, aws lambda invoke) that still fail after Lambda's own retries land here, with the event, for redrive.
  resources.InterruptionFailureQueue = deadLetterQueue();
  const schedules = scheduleResources(functionName, noticeQueueArn);
  Object.assign(resources, schedules.resources);
  resources.InterruptionRole = lambdaRole(functionName, [...rolePolicy(config, noticeQueueArn), ...schedules.statements]);
  Object.assign(resources, accessEntries(config));
  const functions = { interruption: interruptionFunction(config, noticeQueueArn, schedules.environment) };
  return { functions, resources, outputs: queueOutputs() };
}

/** One rule per signal, each sending to the notice queue with its retry policy and the DLQ. */
function signalRules(noticeQueueArn: unknown): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const rule of interruptionRules) {
    resources[`${rule.name}Rule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: rule.description,
        State: 'ENABLED',
        EventPattern: rule.pattern,
        Targets: [
          {
            Id: 'notices',
            Arn: noticeQueueArn,
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: maxEventAgeSeconds[rule.name] ?? 3600 },
            DeadLetterConfig: { Arn: getAtt('InterruptionDeadLetterQueue', 'Arn') },
          },
        ],
      },
    };
  }
  return resources;
}

/** The function's own statements (the schedules add theirs): scoped to the configured clusters, their node groups and the queues. */
function rolePolicy(config: LifeguardConfig, noticeQueueArn: unknown) {
  const clusterArns = config.eks.map((c) =>
    sub(`arn:\${AWS::Partition}:eks:${c.region ?? config.region}:\${AWS::AccountId}:cluster/${c.name}`),
  );
  return [
    // DescribeInstances supports no resource-level scoping.
    { Effect: 'Allow' as const, Action: ['ec2:DescribeInstances'], Resource: '*' },
    ...(clusterArns.length ? [{ Effect: 'Allow' as const, Action: ['eks:DescribeCluster'], Resource: clusterArns }] : []),
    ...config.eks.map((c) => ({
      Effect: 'Allow' as const,
      Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
      Resource: sub('arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/*'),
      // Only the node groups of a configured cluster (EKS tags them kubernetes.io/cluster/<name>).
      Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${c.name}`]: 'owned' } },
    })),
    {
      Effect: 'Allow' as const,
      Action: ['events:PutEvents'],
      Resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'),
    },
    { Effect: 'Allow' as const, Action: ['sqs:SendMessage'], Resource: getAtt('InterruptionFailureQueue', 'Arn') },
    // The event source mapping reads and deletes with the function's role; the function itself
    // delays a failed notice (ChangeMessageVisibility) and sends a drain it hands over (SendMessage).
    {
      Effect: 'Allow' as const,
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
      Resource: noticeQueueArn,
    },
  ];
}

/** An EKS access entry per cluster that asks for one, mapping the role to KUBERNETES_GROUP. */
function accessEntries(config: LifeguardConfig): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const cluster of config.eks.filter((c) => c.accessEntry)) {
    resources[`AccessEntry${logicalName(cluster.name)}`] = {
      Type: 'AWS::EKS::AccessEntry',
      Properties: {
        ClusterName: cluster.name,
        PrincipalArn: getAtt('InterruptionRole', 'Arn'),
        KubernetesGroups: [KUBERNETES_GROUP],
        Type: 'STANDARD',
      },
    };
  }
  return resources;
}

/** The Serverless function: batches from the notice queue, and the failure destination of direct invocations. */
function interruptionFunction(config: LifeguardConfig, noticeQueueArn: unknown, environment: Record<string, unknown>) {
  const { queue } = config.interruption;
  return {
    handler: 'functions/interruption.handler',
    description: 'Taints, cordons and drains EKS nodes on Spot, rebalance, Health, state-change and ASG signals',
    role: 'InterruptionRole',
    // A drain that needs longer hands over to the next invocation (through the notice queue) before this runs out.
    timeout: INTERRUPTION_FUNCTION_TIMEOUT_SECONDS,
    environment: { ...environment, [NOTICE_QUEUE_URL_ENV]: ref(NOTICE_QUEUE_ID) },
    memorySize: 1024,
    events: [
      {
        sqs: {
          arn: noticeQueueArn,
          batchSize: queue.batchSize,
          maximumBatchingWindow: queue.batchingWindowSeconds,
          functionResponseType: 'ReportBatchItemFailures',
          ...(queue.maximumConcurrency !== undefined ? { maximumConcurrency: queue.maximumConcurrency } : {}),
        },
      },
    ],
    // Asynchronous invocations only: a schedule an earlier version made still invokes the function directly.
    maximumRetryAttempts: 2,
    maximumEventAge: 3600,
    destinations: { onFailure: { type: 'sqs', arn: getAtt('InterruptionFailureQueue', 'Arn') } },
    ...(config.interruption.reservedConcurrency ? { reservedConcurrency: config.interruption.reservedConcurrency } : {}),
  };
}

// Their URLs (a queue's Ref) are what `lifeguard redrive --queue` takes; the notice queue's is its default `--to`.
function queueOutputs() {
  return {
  InterruptionNoticeQueueUrl: { Description: 'The notice queue: every interruption rule, schedule and hand-over sends here (lifeguard redrive sends dead letters back here)', Value: ref(NOTICE_QUEUE_ID) },
  InterruptionNoticeDeadLetterQueueUrl: { Description: 'Notices received maxReceiveCount times without success: lifeguard redrive --queue', Value: ref(NOTICE_DEAD_LETTER_QUEUE_ID) },
  InterruptionDeadLetterQueueUrl: { Description: 'Events EventBridge could not deliver to the notice queue: lifeguard redrive --queue', Value: ref('InterruptionDeadLetterQueue') },
  InterruptionFailureQueueUrl: { Description: "Direct invocations that failed after Lambda's retries: lifeguard redrive --queue", Value: ref('InterruptionFailureQueue') },
  InterruptionScheduleDeadLetterQueueUrl: { Description: 'Continuations a schedule could not deliver: lifeguard redrive --queue', Value: ref('InterruptionScheduleDeadLetterQueue') },
  };
}

function logicalName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
