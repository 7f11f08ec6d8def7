import { describe, expect, it } from 'vitest';
import { packagedTemplate, resourcesOfType } from '../support/template.ts';

// `npm test` packages the committed example configuration, which turns every notification route on.
const template = packagedTemplate();
const resources = template.Resources;

describe('the packaged operator resources', () => {
  it('has a dashboard whose every substitution names a resource of the stack', () => {
    const body = (resources.LifeguardDashboard!.Properties!.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
    const refs = [...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!.split('.')[0]!);
    expect(refs.length).toBeGreaterThan(3);
    for (const id of refs) expect(id.startsWith('AWS::') || id in resources, id).toBe(true);
    expect(refs).toEqual(expect.arrayContaining(['DeadlineMissesAlarm', 'InterruptionDeadLetterQueue', 'FailoverStateMachine', 'NotificationDeadLetterQueue']));
    expect(resources.FailoverStateMachine!.Type).toBe('AWS::StepFunctions::StateMachine');
  });

  it('shows every dead-letter queue of the stack in the dead-letter widget, the schedule, notice and failover-trigger DLQs among them, and the notice queue in its own', () => {
    const { widgets } = JSON.parse((resources.LifeguardDashboard!.Properties!.DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as {
      widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }>;
    };
    const deadLetters = widgets.find((w) => w.properties.title === 'Dead letters waiting for a redrive')!;
    const shown = deadLetters.properties.metrics!.map((m) => String(m[3]).replace(/^\$\{(\w+)\.QueueName\}$/, '$1'));
    const queues = resourcesOfType(template, 'AWS::SQS::Queue').map(([id]) => id);
    const deadLetterQueues = queues.filter((id) => id !== 'InterruptionNoticeQueue');
    expect(deadLetterQueues).toEqual(expect.arrayContaining(['InterruptionScheduleDeadLetterQueue', 'InterruptionNoticeDeadLetterQueue', 'FailoverTriggerDeadLetterQueue']));
    expect(shown.sort()).toEqual(deadLetterQueues.sort());
    const notices = widgets.find((w) => w.properties.title === 'Notice queue')!;
    expect(new Set(notices.properties.metrics!.map((m) => m[3]))).toEqual(new Set(['${InterruptionNoticeQueue.QueueName}']));
  });

  it('alarms on the first deadline miss and notifies the topic', () => {
    expect(resources.DeadlineMissesAlarm!.Properties).toMatchObject({
      Namespace: 'Lifeguard',
      MetricName: 'DeadlineMisses',
      Dimensions: [{ Name: 'service', Value: 'lifeguard-interruption' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'NotificationTopic' }],
    });
  });

  it('routes Lifeguard events to SNS and the webhook, each target with a retry policy and the DLQ', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('Notify'));
    expect(rules.map(([id]) => id).sort()).toEqual(['NotifyFailoverCompletedRule', 'NotifyFailoverFailedRule', 'NotifyNodeDrainCompletedRule', 'NotifySparkDriverAtRiskRule']);
    for (const [, rule] of rules) {
      const targets = rule.Properties!.Targets as Array<Record<string, unknown>>;
      expect(targets.map((t) => t.Id)).toEqual(['sns', 'webhook']);
      for (const target of targets) {
        expect(target).toMatchObject({
          RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['NotificationDeadLetterQueue', 'Arn'] } },
          InputTransformer: { InputPathsMap: expect.any(Object), InputTemplate: expect.stringContaining('Lifeguard: ') },
        });
      }
    }
    expect(resources.NotificationDeadLetterQueue!.Type).toBe('AWS::SQS::Queue');
    expect(resources.NotificationApiDestination!.Properties!.InvocationEndpoint).toMatch(/^\{\{resolve:secretsmanager:/);
    expect(resources.NotificationConnection!.Type).toBe('AWS::Events::Connection');
  });
});
