import type { LifeguardConfig } from '../lib/config/schema.ts';
import type { LifeguardEventType, SecretRef } from '../lib/config/notifications.ts';
import { eventBridgeDeadLetterQueue, getAtt, ref, serviceRole } from './cfn.ts';
import { NOTIFICATION_MESSAGES, snsTransformer, webhookTransformer } from './notification-messages.ts';

export const NOTIFICATION_DLQ_ID = 'NotificationDeadLetterQueue';
export const NOTIFICATION_TOPIC_ID = 'NotificationTopic';

/** A CloudFormation dynamic reference: resolved at deploy time, never written into the template. */
export const secretReference = (s: SecretRef) => `{{resolve:secretsmanager:${s.secretId}:SecretString${s.jsonKey ? `:${s.jsonKey}` : ''}}}`;

const ruleId = (type: LifeguardEventType) => `Notify${type.replace(/[^A-Za-z]/g, '')}Rule`;

// Notifications may wait out a webhook outage for a while; after a day they are stale.
const retryPolicy = { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 86_400 };

/**
 * Optional, no code: one EventBridge rule per notified event type (source = config.eventSource),
 * each with an SNS target and/or a webhook target (an API destination), each target with an input
 * transformer that writes one readable sentence, a retry policy and the notification DLQ.
 * Returns the SNS topics the deadline alarm can notify too.
 */
export function notificationResources(config: LifeguardConfig, service: string, stage: string): { resources: Record<string, unknown>; topicArns: unknown[] } {
  const n = config.notifications;
  if (!n) return { resources: {}, topicArns: [] };
  const ruleIds = n.events.map(ruleId);
  const sns = n.sns ? snsTopic(n.sns, ruleIds, service, stage) : undefined;
  const resources: Record<string, unknown> = { ...sns?.resources, ...(n.webhook ? webhookResources(n.webhook, config.eventSource, stage) : {}) };
  for (const type of n.events) resources[ruleId(type)] = notificationRule(type, config.eventSource, sns?.topicArn, n.webhook);
  Object.assign(resources, eventBridgeDeadLetterQueue(NOTIFICATION_DLQ_ID, ruleIds));
  return { resources, topicArns: sns ? [sns.topicArn] : [] };
}

type Notifications = NonNullable<LifeguardConfig['notifications']>;

/** The topic given, or one made here with a policy that lets the rules and the alarms publish, and its email subscriptions. */
function snsTopic(sns: NonNullable<Notifications['sns']>, ruleIds: string[], service: string, stage: string): { topicArn: unknown; resources: Record<string, unknown> } {
  if (sns.topicArn) return { topicArn: sns.topicArn, resources: {} };
  const topicArn = ref(NOTIFICATION_TOPIC_ID);
  const resources: Record<string, unknown> = {};
  // No SSE with the AWS-managed key: its key policy does not let EventBridge publish.
  resources[NOTIFICATION_TOPIC_ID] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${service}-${stage}-notifications` } };
  resources.NotificationTopicPolicy = {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [topicArn],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'LifeguardNotificationRules',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicArn,
            Condition: { ArnEquals: { 'aws:SourceArn': ruleIds.map((id) => getAtt(id, 'Arn')) } },
          },
          {
            Sid: 'CloudWatchAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicArn,
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ],
      },
    },
  };
  sns.emails.forEach((email, i) => {
    resources[`NotificationEmail${i}`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topicArn, Protocol: 'email', Endpoint: email } };
  });
  return { topicArn, resources };
}

/** The webhook as an API destination: its connection (with the credential), the destination, the role that invokes it. */
function webhookResources(webhook: NonNullable<Notifications['webhook']>, eventSource: string, stage: string): Record<string, unknown> {
  return {
    NotificationConnection: {
      Type: 'AWS::Events::Connection',
      Properties: {
        Description: `Credential sent with Lifeguard notifications (${stage})`,
        // EventBridge connections always send one credential; a webhook that needs none ignores it.
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: webhook.auth
            ? { ApiKeyName: webhook.auth.header, ApiKeyValue: secretReference(webhook.auth.secret) }
            : { ApiKeyName: 'X-Lifeguard-Source', ApiKeyValue: eventSource },
        },
      },
    },
    NotificationApiDestination: {
      Type: 'AWS::Events::ApiDestination',
      Properties: {
        Description: `Lifeguard notifications webhook (${stage})`,
        ConnectionArn: getAtt('NotificationConnection', 'Arn'),
        HttpMethod: 'POST',
        InvocationEndpoint: webhook.endpoint ?? secretReference(webhook.endpointSecret!),
        InvocationRateLimitPerSecond: webhook.rateLimitPerSecond,
      },
    },
    // Only this account's rules (confused deputy), as for the failover trigger's role.
    NotificationApiDestinationRole: serviceRole(
      'events.amazonaws.com',
      'invoke-webhook',
      [{ Effect: 'Allow', Action: ['events:InvokeApiDestination'], Resource: getAtt('NotificationApiDestination', 'Arn') }],
      { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    ),
  };
}

/** The rule for one event type: an SNS target and/or a webhook target, each with its sentence, retries and the DLQ. */
function notificationRule(type: LifeguardEventType, eventSource: string, topicArn: unknown, webhook: Notifications['webhook']): Record<string, unknown> {
  const message = NOTIFICATION_MESSAGES[type];
  const dlq = { Arn: getAtt(NOTIFICATION_DLQ_ID, 'Arn') };
  const targets: Array<Record<string, unknown>> = [];
  if (topicArn) targets.push({ Id: 'sns', Arn: topicArn, InputTransformer: snsTransformer(message), RetryPolicy: retryPolicy, DeadLetterConfig: dlq });
  if (webhook) {
    targets.push({
      Id: 'webhook',
      Arn: getAtt('NotificationApiDestination', 'Arn'),
      RoleArn: getAtt('NotificationApiDestinationRole', 'Arn'),
      InputTransformer: webhookTransformer(message, type, webhook.format),
      RetryPolicy: retryPolicy,
      DeadLetterConfig: dlq,
    });
  }
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: `Lifeguard notification: ${type}`,
      State: 'ENABLED',
      EventPattern: { source: [eventSource], 'detail-type': [type] },
      Targets: targets,
    },
  };
}
