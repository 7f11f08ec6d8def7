import { describe, expect, it } from 'vitest';
import { deadLetterQueueIds } from '../../../deploy/cfn.ts';
import { interruptionStack } from '../../../deploy/interruption.ts';
import { parseConfig, type ConfigError } from '../../../lib/config/load.ts';

describe('interruption stack options', () => {
  it('caps concurrent invocations only when asked', () => {
    expect(interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev').functions.interruption).not.toHaveProperty('reservedConcurrency');
    const capped = interruptionStack(parseConfig({ eks: [{ name: 'spark' }], interruption: { reservedConcurrency: 40, queue: { maximumConcurrency: 40 } } }), 'lifeguard', 'dev');
    expect(capped.functions.interruption).toMatchObject({ reservedConcurrency: 40 });
  });

  it('scopes lifecycle completion to the node groups of each configured cluster', () => {
    const { resources } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }, { name: 'batch' }] }), 'lifeguard', 'dev');
    const statements = (resources.InterruptionRole as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Condition?: unknown }> } }> } })
      .Properties.Policies[0]!.PolicyDocument.Statement.filter((s) => s.Action.includes('autoscaling:CompleteLifecycleAction'));
    expect(statements.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/spark': 'owned' } },
      { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/batch': 'owned' } },
    ]);
  });

  it('outputs the URL of each dead-letter queue `lifeguard redrive` reads, and of the notice queue it sends to', () => {
    const { resources, outputs } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev');
    // Every queue of the stack, each named <LogicalId>Url; an SQS queue's Ref is its URL.
    const queues = [...deadLetterQueueIds(resources), 'InterruptionNoticeQueue'];
    expect(outputs).toEqual(Object.fromEntries(queues.map((id) => [`${id}Url`, { Description: expect.stringContaining('lifeguard redrive'), Value: { Ref: id } }])));
  });

  it('creates an EKS access entry only for clusters that want one', () => {
    const { resources } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }, { name: 'legacy', accessEntry: false }] }), 'lifeguard', 'dev');
    expect(Object.keys(resources).filter((k) => k.startsWith('AccessEntry'))).toEqual(['AccessEntryspark']);
  });

  it('names its schedule group within Scheduler\'s 64 characters for every stage a function name allows, the same name wherever it is used', () => {
    // Lambda function names are at most 64 characters: `lifeguard-<stage>-interruption` allows stages up to 41.
    const names = new Set<string>();
    for (const stage of ['dev', 'x'.repeat(36), 'x'.repeat(37), 'a-rather-long-stage-name-for-a-pr-branch', 'y'.repeat(41)]) {
      const { resources, functions } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', stage);
      const name = (resources.InterruptionScheduleGroup as { Properties: { Name: string } }).Properties.Name;
      expect(name.length, stage).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[0-9a-zA-Z-_.]+$/);
      names.add(name);
      // The function is told the group by Ref, and may manage schedules only in it.
      expect(functions.interruption.environment).toMatchObject({ LIFEGUARD_SCHEDULE_GROUP: { Ref: 'InterruptionScheduleGroup' } });
      const scheduling = (resources.InterruptionRole as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }> } })
        .Properties.Policies[0]!.PolicyDocument.Statement.find((s) => s.Action.includes('scheduler:CreateSchedule'))!;
      expect(scheduling.Resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${name}/*` });
    }
    expect(names.has('lifeguard-dev-interruption-work')).toBe(true);
    expect(names.size).toBe(5);
  });

  it('builds the notice queue and the event source mapping from interruption.queue', () => {
    const config = parseConfig({ eks: [{ name: 'spark' }], interruption: { queue: { batchSize: 250, batchingWindowSeconds: 3, maximumConcurrency: 40, visibilityTimeoutSeconds: 7200, maxReceiveCount: 6, retentionDays: 7 } } });
    const { resources, functions } = interruptionStack(config, 'lifeguard', 'dev');
    expect((resources.InterruptionNoticeQueue as { Properties: unknown }).Properties).toMatchObject({ VisibilityTimeout: 7200, MessageRetentionPeriod: 7 * 86_400, RedrivePolicy: { maxReceiveCount: 6 } });
    expect(functions.interruption.events).toEqual([
      { sqs: { arn: { 'Fn::GetAtt': ['InterruptionNoticeQueue', 'Arn'] }, batchSize: 250, maximumBatchingWindow: 3, functionResponseType: 'ReportBatchItemFailures', maximumConcurrency: 40 } },
    ]);
    // Unset, the mapping has no ScalingConfig: its own limit applies.
    const unset = interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev');
    expect(unset.functions.interruption.events[0]!.sqs).not.toHaveProperty('maximumConcurrency');
  });

  it('refuses queue settings Lambda would refuse or that would throttle the queue, naming the field', () => {
    const problem = (queue: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      try {
        parseConfig({ eks: [{ name: 'spark' }], interruption: { queue, ...extra } });
        return 'accepted';
      } catch (err) {
        return (err as ConfigError).message;
      }
    };
    expect(problem({ batchSize: 50, batchingWindowSeconds: 0 })).toMatch(/interruption\.queue\.batchingWindowSeconds: a batchSize above 10 needs a batchingWindowSeconds of at least 1/);
    expect(problem({ batchSize: 10, batchingWindowSeconds: 0 })).toBe('accepted');
    expect(problem({ visibilityTimeoutSeconds: 600 })).toMatch(/interruption\.queue\.visibilityTimeoutSeconds/);
    expect(problem({ maximumConcurrency: 1 })).toMatch(/interruption\.queue\.maximumConcurrency/);
    expect(problem({ maximumConcurrency: 20 }, { reservedConcurrency: 10 })).toMatch(/interruption\.reservedConcurrency: a reservedConcurrency needs a queue\.maximumConcurrency no larger than it/);
    expect(problem({}, { reservedConcurrency: 10 })).toMatch(/interruption\.reservedConcurrency: a reservedConcurrency needs a queue\.maximumConcurrency/);
    expect(problem({ maximumConcurrency: 10 }, { reservedConcurrency: 10 })).toBe('accepted');
  });
});
