import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.ts';
import { LIFEGUARD_EVENT_TYPES, type LifeguardEventType } from '../../../lib/config/notifications.ts';
import { computeRto } from '../../../lib/dr/rto.ts';
import { NODE_EVENTS } from '../../../lib/interruption/publish.ts';
import { LIFEGUARD_EVENTS } from '../../../statemachines/failover/common.ts';
import { handleInterruption } from '../../../lib/interruption/handle.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { InMemoryEventPublisher } from '../../../sandbox/aws/in-memory-ports.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { deadlineMissAlarm } from '../../../deploy/deadline-alarm.ts';
import { NOTIFICATION_MESSAGES, snsTransformer, webhookTransformer } from '../../../deploy/notification-messages.ts';
import { notificationResources } from '../../../deploy/notifications.ts';
import { QUOTABLE_FIELDS } from '../../../deploy/input-transformer.ts';
import { FakeKube, runToEnd, sparkLabels } from '../../support/fake-kube.ts';

const eks = [{ name: 'spark' }];
const stack = (notifications: unknown) => notificationResources(parseConfig({ eks, notifications }), 'lifeguard', 'dev');
// Template fragments are plain JSON: read them loosely, assert on them strictly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Res = Record<string, { Type: string; Properties: Record<string, any> }>;

/**
 * Lifeguard's events as the real emitters produce them: a drain through the engine, an RTO report.
 * `freeText` goes wherever a value is not validated: the AWS event's id, the failover's error.
 */
async function realEvents(freeText?: string): Promise<Record<LifeguardEventType, Record<string, unknown>>> {
  const spot = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8'));
  if (freeText !== undefined) spot.id = `${spot.id as string}${freeText}`;
  const clock = new VirtualClock(Date.parse(spot.time) + 2_000);
  const kube = new FakeKube(clock);
  kube.addNode('ip-10-0-1-10.ec2.internal', 'i-0aaa1111bbbb22220');
  kube.addPod({ name: 'exec-1', namespace: 'spark', node: 'ip-10-0-1-10.ec2.internal', labels: sparkLabels('executor', 'spark-0001', '1'), grace: 60, preStop: ['/opt/decom.sh'], shutdownSeconds: 20 });
  kube.addPod({ name: 'driver', namespace: 'spark', node: 'ip-10-0-1-10.ec2.internal', labels: sparkLabels('driver', 'spark-0001'), grace: 30, shutdownSeconds: 2 });
  const config = parseConfig({ eks });
  const events = new InMemoryEventPublisher({ source: config.eventSource, clock });
  await runToEnd(
    clock,
    handleInterruption(spot, {
      config,
      clock,
      log: new RecordingLog(),
      kube,
      nodes: { resolve: async () => ({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' }) },
      clusterName: 'spark-prod',
      events,
      random: () => 0.5,
    }),
  );
  const at = (s: number) => ({ at: new Date(Date.parse('2026-03-01T12:00:00Z') + s * 1000).toISOString() });
  const rto = computeRto({
    request: { cluster: 'analytics', clusterId: 'j-OLD', mode: 'drill', detectedAt: null },
    executionId: 'arn:exec:1',
    times: { started: at(0), confirmed: at(1), clusterReady: at(600), registered: at(602), healthy: at(640), finished: at(641) },
    plan: { sourceClusterId: 'j-OLD', targetAvailabilityZone: 'us-east-1b', oldMasterIp: '10.0.1.10' },
    newCluster: { ClusterId: 'j-NEW' },
    newMaster: { ip: '10.0.2.20' },
  });
  const byType = Object.fromEntries(events.events.map((p) => [p.detailType, p.detail]));
  return {
    'Node Drain Started': byType['Node Drain Started']!,
    'Node Drain Completed': byType['Node Drain Completed']!,
    'Spark Driver At Risk': byType['Spark Driver At Risk']!,
    'Failover Completed': rto as unknown as Record<string, unknown>,
    // The state machine's failedDetail: the Catch puts {Error, Cause} in $.error.
    'Failover Failed': {
      cluster: 'analytics',
      clusterId: 'j-OLD',
      mode: 'failover',
      executionId: 'arn:exec:2',
      error: { Error: `ClusterCreationFailed${freeText ?? ''}`, Cause: '{"State":"TERMINATED_WITH_ERRORS"}' },
    },
  };
}

/**
 * EventBridge's input transformer, for the parts Lifeguard uses: dotted paths; a scalar goes in
 * as it is, unescaped (EventBridge user guide, "Common issues with transforming input"), an
 * object as its JSON.
 */
function transform(paths: Record<string, string>, template: string, event: Record<string, unknown>): string {
  const values = Object.fromEntries(
    Object.entries(paths).map(([name, path]) => [name, path.slice(2).split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event)]),
  );
  return template.replace(/<([A-Za-z]+)>/g, (_, name: string) => {
    const value = values[name];
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  });
}

describe('notification messages', () => {
  it('match the event types the handler and the state machine really emit', () => {
    const emitted: readonly string[] = [...Object.values(NODE_EVENTS), ...Object.values(LIFEGUARD_EVENTS)];
    for (const type of LIFEGUARD_EVENT_TYPES) expect(emitted).toContain(type);
  });

  it('read as one sentence per event, every placeholder filled from the real event detail', async () => {
    const events = await realEvents();
    for (const type of LIFEGUARD_EVENT_TYPES) {
      const message = NOTIFICATION_MESSAGES[type];
      const event = { source: 'lifeguard', 'detail-type': type, detail: events[type] };
      for (const [name, path] of Object.entries(message.paths)) {
        const value = path.slice(2).split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
        expect({ type, name, defined: value !== undefined && (value === null || typeof value !== 'object') }).toEqual({ type, name, defined: true });
      }
      const text = transform(message.paths, message.text, event);
      expect(text).not.toMatch(/<\w+>|undefined/);
      for (const format of ['slack', 'json'] as const) {
        const { InputPathsMap, InputTemplate } = webhookTransformer(message, type, format);
        const body = JSON.parse(transform(InputPathsMap, InputTemplate, event)) as { text: string; detail?: unknown };
        expect(body.text).toBe(text);
        if (format === 'json') expect(body.detail).toEqual(events[type]);
      }
    }
    const completed = transform(NOTIFICATION_MESSAGES['Node Drain Completed'].paths, NOTIFICATION_MESSAGES['Node Drain Completed'].text, { detail: events['Node Drain Completed'] });
    expect(completed).toMatch(/^Lifeguard: drain of node ip-10-0-1-10\.ec2\.internal \(instance i-0aaa1111bbbb22220, spot-interruption\) ended after \d+ ms\. Deadline 2026-03-14T09:28:53\.000Z met: true/);
    const failover = transform(NOTIFICATION_MESSAGES['Failover Completed'].paths, NOTIFICATION_MESSAGES['Failover Completed'].text, { detail: events['Failover Completed'] });
    expect(failover).toContain('from j-OLD to j-NEW in us-east-1b, master 10.0.2.20. RTO 640 s: detect 1 s, create 599 s');
  });
});

describe('notification messages with free text in the events', () => {
  // A quote, a backslash, a line break and a tab: each breaks a JSON string it is pasted into.
  const hostile = ' "quoted" back\\slash\nnext line\t';

  it('stay valid JSON for every webhook format, and keep the free text in the json format\'s detail', async () => {
    const events = await realEvents(hostile);
    expect(JSON.stringify(events)).toContain(JSON.stringify(hostile).slice(1, -1));
    for (const type of LIFEGUARD_EVENT_TYPES) {
      const event = { source: 'lifeguard', 'detail-type': type, detail: events[type] };
      const message = NOTIFICATION_MESSAGES[type];
      for (const format of ['slack', 'json'] as const) {
        const { InputPathsMap, InputTemplate } = webhookTransformer(message, type, format);
        const rendered = transform(InputPathsMap, InputTemplate, event);
        let body: { text: string; detail?: unknown } | undefined;
        expect(() => (body = JSON.parse(rendered) as typeof body), `${type} (${format}): ${rendered}`).not.toThrow();
        expect(body!.text).not.toContain('quoted');
        if (format === 'json') expect(body!.detail).toEqual(events[type]);
      }
      // SNS gets the same sentence as plain text: no free text there either.
      const sns = snsTransformer(message);
      expect(transform(sns.InputPathsMap, sns.InputTemplate, event)).not.toMatch(/quoted|[\\\n\t]/);
    }
  });

  it('quote only fields that cannot hold a quote, backslash or line break', () => {
    for (const type of LIFEGUARD_EVENT_TYPES) {
      for (const path of Object.values(NOTIFICATION_MESSAGES[type].paths)) expect({ type, path, quotable: path in QUOTABLE_FIELDS }).toEqual({ type, path, quotable: true });
    }
  });
});

describe('notification resources', () => {
  it('adds nothing without a notifications section', () => {
    expect(stack(undefined)).toEqual({ resources: {}, topicArns: [] });
  });

  it('routes each chosen event to a new SNS topic with email subscriptions, retries and a DLQ', () => {
    const { resources, topicArns } = stack({ events: ['Node Drain Completed', 'Failover Failed'], sns: { emails: ['oncall@example.com'] } }) as { resources: Res; topicArns: unknown[] };
    expect(topicArns).toEqual([{ Ref: 'NotificationTopic' }]);
    expect(resources.NotificationEmail0!.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@example.com' });
    const rules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
    expect(rules.map(([id]) => id)).toEqual(['NotifyNodeDrainCompletedRule', 'NotifyFailoverFailedRule']);
    for (const [, rule] of rules) {
      expect(rule.Properties.EventPattern.source).toEqual(['lifeguard']);
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Id: 'sns',
          Arn: { Ref: 'NotificationTopic' },
          RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['NotificationDeadLetterQueue', 'Arn'] } },
        }),
      ]);
    }
    const policy = resources.NotificationTopicPolicy!.Properties.PolicyDocument.Statement[0];
    expect(policy.Condition.ArnEquals['aws:SourceArn']).toEqual([{ 'Fn::GetAtt': ['NotifyNodeDrainCompletedRule', 'Arn'] }, { 'Fn::GetAtt': ['NotifyFailoverFailedRule', 'Arn'] }]);
    const dlqPolicy = resources.NotificationDeadLetterQueuePolicy!.Properties.PolicyDocument.Statement[0];
    expect(dlqPolicy.Condition.ArnEquals['aws:SourceArn']).toHaveLength(2);
  });

  it('uses an existing topic as given, creating no topic and no policy on it', () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:ops';
    const { resources, topicArns } = stack({ sns: { topicArn: arn } }) as { resources: Res; topicArns: unknown[] };
    expect(topicArns).toEqual([arn]);
    expect(resources).not.toHaveProperty('NotificationTopic');
    expect(resources).not.toHaveProperty('NotificationTopicPolicy');
    expect(resources.NotifyFailoverCompletedRule!.Properties.Targets[0].Arn).toBe(arn);
  });

  it('sends a webhook through an API destination whose secrets stay in Secrets Manager', () => {
    const { resources } = stack({
      webhook: { endpoint: 'https://hooks.example.com/lifeguard', auth: { secret: { secretId: 'lifeguard/webhook', jsonKey: 'token' } }, format: 'json' },
    }) as { resources: Res };
    expect(resources.NotificationConnection!.Properties).toEqual(
      expect.objectContaining({
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'Authorization', ApiKeyValue: '{{resolve:secretsmanager:lifeguard/webhook:SecretString:token}}' } },
      }),
    );
    expect(resources.NotificationApiDestination!.Properties).toMatchObject({ HttpMethod: 'POST', InvocationEndpoint: 'https://hooks.example.com/lifeguard', InvocationRateLimitPerSecond: 1 });
    expect(resources.NotificationApiDestinationRole!.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['events:InvokeApiDestination'], Resource: { 'Fn::GetAtt': ['NotificationApiDestination', 'Arn'] } },
    ]);
    const target = resources.NotifySparkDriverAtRiskRule!.Properties.Targets[0];
    expect(target).toMatchObject({ Id: 'webhook', RoleArn: { 'Fn::GetAtt': ['NotificationApiDestinationRole', 'Arn'] }, DeadLetterConfig: expect.any(Object), RetryPolicy: expect.any(Object) });
    expect(target.InputTransformer.InputTemplate).toContain('"detail": <detail>');
  });

  it('takes a Slack webhook URL from Secrets Manager', () => {
    const { resources } = stack({ webhook: { endpointSecret: { secretId: 'lifeguard/slack' } } }) as { resources: Res };
    expect(resources.NotificationApiDestination!.Properties.InvocationEndpoint).toBe('{{resolve:secretsmanager:lifeguard/slack:SecretString}}');
    expect(resources.NotifyFailoverCompletedRule!.Properties.Targets[0].InputTransformer.InputTemplate).toMatch(/^\{"text": "Lifeguard: EMR cluster <cluster> failed over/);
  });

  it('rejects configurations that cannot work, naming the field', () => {
    expect(() => stack({})).toThrow(/notifications: name at least one destination/);
    expect(() => stack({ webhook: {} })).toThrow(/notifications\.webhook: give exactly one of endpoint and endpointSecret/);
    expect(() => stack({ webhook: { endpoint: 'http://hooks.example.com/x' } })).toThrow(/notifications\.webhook\.endpoint: an https:\/\/ URL \(got "http/);
    expect(() => stack({ sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:ops', emails: ['a@example.com'] } })).toThrow(/notifications\.sns: emails subscribe/);
    expect(() => stack({ sns: {}, events: ['Node Drained'] })).toThrow(/notifications\.events\.0: expected one of "Node Drain Started"/);
  });

  it('lets the deadline alarm notify the topic', () => {
    const alarm = deadlineMissAlarm('lifeguard', 'dev', [{ Ref: 'NotificationTopic' }]) as Res;
    expect(alarm.DeadlineMissesAlarm!.Properties.AlarmActions).toEqual([{ Ref: 'NotificationTopic' }]);
    expect((deadlineMissAlarm('lifeguard', 'dev', []) as Res).DeadlineMissesAlarm!.Properties).not.toHaveProperty('AlarmActions');
  });
});
