import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeScheduler, schedulerTargetFromEnvironment } from '../../../lib/aws/scheduler.ts';
import { continuationPayload, scheduleName, trimEvent } from '../../../lib/lifecycle/continuation.ts';
import { InMemoryScheduler } from '../../../sandbox/aws/in-memory-scheduler.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';

const mock = mockClient(SchedulerClient);
beforeEach(() => mock.reset());

const target = {
  groupName: 'lifeguard-prod-interruption-work',
  targetArn: 'arn:aws:sqs:us-east-1:123456789012:lifeguard-prod-interruption-notices',
  roleArn: 'arn:aws:iam::123456789012:role/lifeguard-scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:lifeguard-schedule-dlq',
};
const at = Date.parse('2026-03-16T07:29:00Z');
const schedule = { name: 'lg-scheduled-drain-0123456789abcdef0123456789abcdef', at, payload: { 'lifeguard-continuation': { type: 'scheduled-drain' } }, description: 'scheduled-drain for node n' };
const scheduler = () => new EventBridgeScheduler(new SchedulerClient({ region: 'us-east-1' }), target);
const serviceError = (E: typeof ConflictException | typeof ResourceNotFoundException) => new E({ message: 'x', Message: 'x', $metadata: {} });

describe('EventBridgeScheduler', () => {
  it('creates a one-time schedule in Lifeguard\'s group, delivering to the notice queue: the whole minute asked for (UTC), deleted after it fires, retries and a DLQ', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await scheduler().upsert(schedule);
    expect(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual({
      Name: schedule.name,
      GroupName: target.groupName,
      Description: 'scheduled-drain for node n',
      ScheduleExpression: 'at(2026-03-16T07:29:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: target.targetArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(schedule.payload),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: target.deadLetterArn },
      },
    });
  });

  it('moves an existing schedule of the same name instead of making a second one', async () => {
    mock.on(CreateScheduleCommand).rejects(serviceError(ConflictException));
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await scheduler().upsert(schedule);
    expect(mock.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toEqual(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input);
  });

  it('deletes by name in its group; a schedule already gone is no error; anything else is', async () => {
    mock.on(DeleteScheduleCommand).rejectsOnce(serviceError(ResourceNotFoundException)).rejectsOnce(new Error('AccessDenied'));
    await scheduler().delete('gone');
    expect(mock.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({ Name: 'gone', GroupName: target.groupName });
    await expect(scheduler().delete('x')).rejects.toThrow('AccessDenied');
  });

  it('reads its target from the environment the stack sets, naming what is missing', () => {
    expect(() => schedulerTargetFromEnvironment({})).toThrow(/LIFEGUARD_SCHEDULE_GROUP is not set/);
    expect(
      schedulerTargetFromEnvironment({ LIFEGUARD_SCHEDULE_GROUP: 'g', LIFEGUARD_SCHEDULE_TARGET_ARN: 'q', LIFEGUARD_SCHEDULER_ROLE_ARN: 'r', LIFEGUARD_SCHEDULE_DLQ_ARN: 'd' }),
    ).toEqual({ groupName: 'g', targetArn: 'q', roleArn: 'r', deadLetterArn: 'd' });
    expect(atExpression(Date.parse('2026-01-01T00:00:00.000Z'))).toBe('at(2026-01-01T00:00:00)');
  });

  it('names whole minutes only (Scheduler fires within the minute named), rounding any other time up, never earlier', () => {
    expect(atExpression(Date.parse('2026-03-16T07:30:00.400Z'))).toBe('at(2026-03-16T07:31:00)');
    expect(atExpression(Date.parse('2026-03-16T07:30:59.999Z'))).toBe('at(2026-03-16T07:31:00)');
    expect(atExpression(Date.parse('2026-03-16T07:31:00.000Z'))).toBe('at(2026-03-16T07:31:00)');
  });
});

describe('continuations', () => {
  it('schedule names are stable per node and key, distinct otherwise, and fit Scheduler\'s 64-character limit', () => {
    const a = scheduleName('uncordon-after-maintenance', 'spark-prod', 'ip-10-0-1-10.ec2.internal', 'arn:aws:health:us-east-1::event/EC2/X/' + 'y'.repeat(200));
    expect(a).toBe(scheduleName('uncordon-after-maintenance', 'spark-prod', 'ip-10-0-1-10.ec2.internal', 'arn:aws:health:us-east-1::event/EC2/X/' + 'y'.repeat(200)));
    expect(a).not.toBe(scheduleName('uncordon-after-maintenance', 'spark-prod', 'ip-10-0-1-11.ec2.internal', 'arn:aws:health:us-east-1::event/EC2/X/' + 'y'.repeat(200)));
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).toMatch(/^[0-9a-zA-Z\-_.]+$/);
  });

  it('carries the event trimmed to one instance, without the long description', () => {
    const event = {
      id: 'e',
      resources: ['arn:aws:ec2:us-east-1:1:instance/i-0aaa1111bbbb22220', 'arn:aws:ec2:us-east-1:1:instance/i-0aaa1111bbbb22221'],
      detail: { eventDescription: [{ latestDescription: 'long' }], affectedEntities: [{ entityValue: 'i-0aaa1111bbbb22220' }, { entityValue: 'i-0aaa1111bbbb22221' }] },
    };
    expect(trimEvent(event, 'i-0aaa1111bbbb22221')).toEqual({
      id: 'e',
      resources: ['arn:aws:ec2:us-east-1:1:instance/i-0aaa1111bbbb22221'],
      detail: { affectedEntities: [{ entityValue: 'i-0aaa1111bbbb22221' }] },
    });
    expect(Object.keys(continuationPayload({ type: 'resume-drain', cluster: 'c', nodeName: 'n', instanceId: 'i-0aaa1111bbbb22221', eventId: 'e', event: {}, round: 1 }))).toEqual(['lifeguard-continuation']);
  });
});

describe('InMemoryScheduler', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');

  it('fires within the minute its at() names, at a seeded point of it; an upsert moves it; a delete cancels it', async () => {
    const clock = new VirtualClock(T0);
    const fired: string[] = [];
    const s = new InMemoryScheduler(clock, (_payload, record) => fired.push(`${record.name}@${clock.now() - T0}`), () => 0.5);
    await s.upsert({ name: 'a', at: T0 + 120_000, payload: {}, description: 'a' });
    await s.upsert({ name: 'a', at: T0 + 300_000, payload: {}, description: 'a moved' });
    await s.upsert({ name: 'b', at: T0 + 180_000, payload: {}, description: 'b' });
    await s.delete('b');
    await clock.runUntil(T0 + 600_000);
    expect(fired).toEqual(['a@330000']);
    expect(s.records.map((r) => ({ name: r.name, at: r.at - T0, updates: r.updates, deletedAt: r.deletedAt !== undefined }))).toEqual([
      { name: 'a', at: 300_000, updates: 1, deletedAt: true },
      { name: 'b', at: 180_000, updates: 0, deletedAt: true },
    ]);
    expect(s.pending).toEqual([]);
  });

  it('as late as Scheduler may fire: 59.9 s into the minute; a time inside a minute names the next one, as the adapter does', async () => {
    const clock = new VirtualClock(T0);
    const fired: number[] = [];
    const s = new InMemoryScheduler(clock, () => fired.push(clock.now() - T0), () => 0.999);
    await s.upsert({ name: 'a', at: T0 + 90_500, payload: {}, description: 'a' });
    await clock.runUntil(T0 + 600_000);
    expect(fired).toEqual([120_000 + 59_940]);
    expect(s.records[0]!.at).toBe(T0 + 120_000);
  });

  it('refuses a minute that has already begun: Scheduler may never run it', async () => {
    const clock = new VirtualClock(T0 + 30_000);
    const s = new InMemoryScheduler(clock, () => {});
    await expect(s.upsert({ name: 'late', at: T0, payload: {}, description: 'x' })).rejects.toThrow(/at\(2026-01-01T00:00:00\) names a minute already begun/);
    await expect(s.upsert({ name: 'now', at: T0 + 30_000, payload: {}, description: 'x' })).resolves.toBeUndefined();
  });
});
