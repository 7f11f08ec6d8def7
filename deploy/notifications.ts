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
  const resources: Record<string, unknown> = {};
  const dlq = { Arn: getAtt(NOTIFICATION_DLQ_ID, 'Arn') };
  const ruleIds = n.events.map(ruleId);

  let topicArn: unknown;
  if (n.sns) {
    if (n.sns.topicArn) {
      topicArn = n.sns.topicArn;
    } else {
      topicArn = ref(NOTIFICATION_TOPIC_ID);
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
      n.sns.emails.forEach((email, i) => {
        resources[`NotificationEmail${i}`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topicArn, Protocol: 'email', Endpoint: email } };
      });
    }
  }

  const webhook = n.webhook;
  if (webhook) {
    resources.NotificationConnection = {
      Type: 'AWS::Events::Connection',
      Properties: {
        Description: `Credential sent with Lifeguard notifications (${stage})`,
        // EventBridge connections always send one credential; a webhook that needs none ignores it.
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: webhook.auth
            ? { ApiKeyName: webhook.auth.header, ApiKeyValue: secretReference(webhook.auth.secret) }
            : { ApiKeyName: 'X-Lifeguard-Source', ApiKeyValue: config.eventSource },
        },
      },
    };
    resources.NotificationApiDestination = {
      Type: 'AWS::Events::ApiDestination',
      Properties: {
        Description: `Lifeguard notifications webhook (${stage})`,
        ConnectionArn: getAtt('NotificationConnection', 'Arn'),
        HttpMethod: 'POST',
        InvocationEndpoint: webhook.endpoint ?? secretReference(webhook.endpointSecret!),
        InvocationRateLimitPerSecond: webhook.rateLimitPerSecond,
      },
    };
    // Only this account's rules (confused deputy), as for the failover trigger's role.
    resources.NotificationApiDestinationRole = serviceRole(
      'events.amazonaws.com',
      'invoke-webhook',
      [{ Effect: 'Allow', Action: ['events:InvokeApiDestination'], Resource: getAtt('NotificationApiDestination', 'Arn') }],
      { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    );
  }

  for (const type of n.events) {
    const message = NOTIFICATION_MESSAGES[type];
    const targets: Array<Record<string, unknown>> = [];
    if (topicArn) {
      targets.push({
        Id: 'sns',
        Arn: topicArn,
        InputTransformer: snsTransformer(message),
        RetryPolicy: retryPolicy,
        DeadLetterConfig: dlq,
      });
    }
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
    resources[ruleId(type)] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Lifeguard notification: ${type}`,
        State: 'ENABLED',
        EventPattern: { source: [config.eventSource], 'detail-type': [type] },
        Targets: targets,
      },
    };
  }
  Object.assign(resources, eventBridgeDeadLetterQueue(NOTIFICATION_DLQ_ID, ruleIds));
  return { resources, topicArns: n.sns ? [topicArn] : [] };
}
