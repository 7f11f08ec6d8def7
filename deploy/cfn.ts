/** Tiny helpers for CloudFormation intrinsics, so resource fragments read like the template. */
export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (template: string) => ({ 'Fn::Sub': template });

export interface IamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/**
 * A role one AWS service can assume (optionally only under `condition`, e.g. for this account),
 * holding exactly the given statements as one inline policy.
 */
export function serviceRole(service: string, policyName: string, statements: IamStatement[], condition?: Record<string, unknown>) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
      },
      Policies: [{ PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/** A role Lambda can assume, holding exactly the given statements (plus its own log group). */
export function lambdaRole(functionName: string, statements: IamStatement[]) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'least-privilege',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`),
              },
              ...statements,
            ],
          },
        },
      ],
    },
  };
}

/**
 * Kept when the stack is deleted or the resource replaced: what it holds (undelivered events, a
 * failover's lock) would otherwise go with it. Such resources are deleted by hand (docs/deploy.md, Uninstall).
 */
export const RETAINED = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } as const;

/**
 * A queue for work that could not be delivered (a dead-letter queue or an on-failure destination):
 * messages kept 14 days (SQS's maximum), encrypted, and the queue retained with the stack gone.
 */
export const deadLetterQueue = () => ({
  Type: 'AWS::SQS::Queue',
  ...RETAINED,
  Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
});

/**
 * The logical ids of the stack's dead-letter queues (see deadLetterQueue): every queue but the
 * notice queue, the one with a redrive policy of its own (it is a source of dead letters).
 */
export const deadLetterQueueIds = (resources: Record<string, unknown>): string[] =>
  Object.entries(resources)
    .filter(([, r]) => (r as { Type?: string }).Type === 'AWS::SQS::Queue' && (r as { Properties?: { RedrivePolicy?: unknown } }).Properties?.RedrivePolicy === undefined)
    .map(([id]) => id);

/**
 * An SQS dead-letter queue for EventBridge rule targets, with the queue policy EventBridge needs:
 * it may write only on behalf of the given rules.
 */
export function eventBridgeDeadLetterQueue(queueId: string, ruleIds: string[]): Record<string, unknown> {
  return { [queueId]: deadLetterQueue(), [`${queueId}Policy`]: rulesMaySend(queueId, ruleIds, 'EventBridgeRuleDeadLetters') };
}

/** The queue policy that lets EventBridge send to `queueId` on behalf of the given rules, and of nothing else. */
export function rulesMaySend(queueId: string, ruleIds: string[], sid: string) {
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(queueId)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(queueId, 'Arn'),
            Condition: { ArnEquals: { 'aws:SourceArn': ruleIds.map((id) => getAtt(id, 'Arn')) } },
          },
        ],
      },
    },
  };
}

/** An EMR cluster's ARN in this stack's partition, region and account (`*` for any). */
export const emrClusterArn = (id: string) => sub(`arn:\${AWS::Partition}:elasticmapreduce:\${AWS::Region}:\${AWS::AccountId}:cluster/${id}`);
