import { interruptionRules } from '../lib/events/rules.ts';
import type { LifeguardConfig } from '../lib/config/schema.ts';
import { deadLetterQueue, eventBridgeDeadLetterQueue, getAtt, lambdaRole, ref, sub } from './cfn.ts';
import { scheduleResources } from './schedules.ts';

/** The Kubernetes group Lifeguard's role is mapped to; deploy/kubernetes-rbac.yaml binds it. */
export const KUBERNETES_GROUP = 'lifeguard:node-drainer';

/** How long EventBridge keeps retrying delivery of one signal before it goes to the DLQ. */
const maxEventAgeSeconds: Record<string, number> = {
  SpotInterruption: 300,
  StateChange: 300,
};

/**
 * The interruption path: one Lambda, one EventBridge rule per signal (each with a retry policy and
 * an SQS DLQ), an on-failure destination, a role scoped to the configured clusters, and EKS access
 * entries.
 */
export function interruptionStack(config: LifeguardConfig, service: string, stage: string) {
  const functionName = `${service}-${stage}-interruption`;
  const functionArn = getAtt('InterruptionLambdaFunction', 'Arn');
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
            Id: 'interruption',
            Arn: functionArn,
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: maxEventAgeSeconds[rule.name] ?? 3600 },
            DeadLetterConfig: { Arn: getAtt('InterruptionDeadLetterQueue', 'Arn') },
          },
        ],
      },
    };
    resources[`${rule.name}Permission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: functionArn,
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(`${rule.name}Rule`, 'Arn'),
      },
    };
  }

  Object.assign(resources, eventBridgeDeadLetterQueue('InterruptionDeadLetterQueue', interruptionRules.map((r) => `${r.name}Rule`)));
  // Invocations that still fail after Lambda's own retries land here, with the event, for redrive.
  resources.InterruptionFailureQueue = deadLetterQueue();

  const schedules = scheduleResources(functionName);
  Object.assign(resources, schedules.resources);

  const clusterArns = config.eks.map((c) =>
    sub(`arn:\${AWS::Partition}:eks:${c.region ?? config.region}:\${AWS::AccountId}:cluster/${c.name}`),
  );
  resources.InterruptionRole = lambdaRole(functionName, [
    // DescribeInstances supports no resource-level scoping.
    { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' },
    ...(clusterArns.length ? [{ Effect: 'Allow' as const, Action: ['eks:DescribeCluster'], Resource: clusterArns }] : []),
    ...config.eks.map((c) => ({
      Effect: 'Allow' as const,
      Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
      Resource: sub('arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/*'),
      // Only the node groups of a configured cluster (EKS tags them kubernetes.io/cluster/<name>).
      Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${c.name}`]: 'owned' } },
    })),
    {
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'),
    },
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: getAtt('InterruptionFailureQueue', 'Arn') },
    // A drain that runs out of time goes on in a new invocation at once: the function invokes itself
    // (asynchronously, by name; the ARN is built from the name, the role cannot reference the function).
    { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${functionName}`) },
    ...schedules.statements,
  ]);

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

  const functions = {
    interruption: {
      handler: 'functions/interruption.handler',
      description: 'Taints, cordons and drains EKS nodes on Spot, rebalance, Health, state-change and ASG signals',
      role: 'InterruptionRole',
      // A drain that needs longer hands over to a new invocation of itself before this runs out.
      timeout: 900,
      environment: schedules.environment,
      memorySize: 1024,
      maximumRetryAttempts: 2,
      maximumEventAge: 3600,
      destinations: { onFailure: { type: 'sqs', arn: getAtt('InterruptionFailureQueue', 'Arn') } },
      ...(config.interruption.reservedConcurrency ? { reservedConcurrency: config.interruption.reservedConcurrency } : {}),
    },
  };

  // Their URLs (a queue's Ref) are what `lifeguard redrive --queue` takes.
  const outputs = {
    InterruptionDeadLetterQueueUrl: { Description: 'Events EventBridge could not deliver: lifeguard redrive --queue', Value: ref('InterruptionDeadLetterQueue') },
    InterruptionFailureQueueUrl: { Description: 'Invocations that failed after Lambda\'s retries: lifeguard redrive --queue', Value: ref('InterruptionFailureQueue') },
    InterruptionScheduleDeadLetterQueueUrl: { Description: 'Continuations a schedule could not deliver: lifeguard redrive --queue', Value: ref('InterruptionScheduleDeadLetterQueue') },
  };

  return { functions, resources, outputs };
}

function logicalName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
