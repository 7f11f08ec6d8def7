import { describe, expect, it } from 'vitest';
import { packagedTemplate, resourcesOfType, type CfnResource } from '../support/template.ts';

// The committed example turns on every queue the stack can have: interruption, schedules, DR and notifications.
const template = packagedTemplate();

/** Where a queue's ARN receives what could not be delivered: rule-target and schedule DLQs, Lambda on-failure destinations. */
function deadLetterDestinations(resources: Record<string, CfnResource>): Set<string> {
  const found = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, key));
    if (!value || typeof value !== 'object') return;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt && /deadletter|onfailure|dlq/i.test(key) && resources[getAtt[0]]?.Type === 'AWS::SQS::Queue') found.add(getAtt[0]);
    for (const [k, v] of Object.entries(value)) walk(v, /deadletter|onfailure|dlq/i.test(key) ? key : k);
  };
  for (const resource of Object.values(resources)) walk(resource.Properties, '');
  return found;
}

describe('the packaged stack keeps what it could not deliver', () => {
  // The notice queue is the one queue that is no dead-letter queue: notices flow through it to the function.
  const queues = resourcesOfType(template, 'AWS::SQS::Queue').filter(([id]) => id !== 'InterruptionNoticeQueue');

  it('has, besides the notice queue, only dead-letter queues, each one a destination for undelivered events, work or notices', () => {
    expect(queues.map(([id]) => id).sort()).toEqual([...deadLetterDestinations(template.Resources)].sort());
    expect(queues.map(([id]) => id)).toEqual(
      expect.arrayContaining(['InterruptionDeadLetterQueue', 'InterruptionNoticeDeadLetterQueue', 'InterruptionFailureQueue', 'InterruptionScheduleDeadLetterQueue', 'FailoverTriggerDeadLetterQueue', 'NotificationDeadLetterQueue']),
    );
    // The notice queue's dead letters: its redrive policy names the DLQ.
    expect(template.Resources.InterruptionNoticeQueue!.Properties!.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['InterruptionNoticeDeadLetterQueue', 'Arn'] } });
  });

  it('retains every dead-letter queue and the failover lock table when the stack is deleted or a resource replaced', () => {
    const retained = [...queues, ...resourcesOfType(template, 'AWS::DynamoDB::Table')];
    expect(retained.length).toBe(queues.length + 1);
    for (const [id, resource] of retained) expect(resource, id).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
