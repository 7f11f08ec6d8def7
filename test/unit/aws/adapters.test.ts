import { AutoScalingClient, CompleteLifecycleActionCommand, RecordLifecycleActionHeartbeatCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2InstanceDirectory, FILTER_VALUES_PER_CALL } from '../../../lib/aws/ec2-directory.ts';
import { EventBridgePublisher } from '../../../lib/aws/event-publisher.ts';
import { AutoScalingLifecycleActions } from '../../../lib/aws/lifecycle-actions.ts';
import { LifecycleActionGoneError } from '../../../lib/aws/ports.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const ebMock = mockClient(EventBridgeClient);

beforeEach(() => {
  ec2Mock.reset();
  asgMock.reset();
  ebMock.reset();
});

/** An error shaped as the SDK throws service exceptions. */
function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

const hook = {
  autoScalingGroupName: 'spark-workers',
  lifecycleHookName: 'lifeguard-drain',
  lifecycleActionToken: '87654321-4321-4321-4321-210987654321',
  instanceId: 'i-0123456789abcdef0',
};

describe('Ec2InstanceDirectory', () => {
  const directory = () => new Ec2InstanceDirectory(new EC2Client({ region: 'us-east-1' }));

  it('asks DescribeInstances for exactly that instance, by the instance-id filter, and returns its private DNS name', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', PrivateDnsName: 'ip-10-0-1-10.ec2.internal' }] }],
    });
    expect(await directory().privateDnsName('i-0123456789abcdef0')).toBe('ip-10-0-1-10.ec2.internal');
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: 'instance-id', Values: ['i-0123456789abcdef0'] }], MaxResults: 1000 });
  });

  it('asks once for a batch of instances, following pages; unknown, terminated and malformed ones are absent', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaaa', PrivateDnsName: 'ip-10-0-1-1.ec2.internal' }] }], NextToken: 'page-2' })
      // A terminated instance keeps its record for a while, without a name.
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0bbbbbbbbbbbbbbbb', PrivateDnsName: '' }] }] });
    const names = await directory().privateDnsNames(['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'i-0cccccccccccccccc', 'not-an-instance', 'i-0aaaaaaaaaaaaaaaa']);
    expect([...names]).toEqual([['i-0aaaaaaaaaaaaaaaa', 'ip-10-0-1-1.ec2.internal']]);
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Filters: [{ Name: 'instance-id', Values: ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'i-0cccccccccccccccc'] }], MaxResults: 1000 },
      { Filters: [{ Name: 'instance-id', Values: ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'i-0cccccccccccccccc'] }], MaxResults: 1000, NextToken: 'page-2' },
    ]);
    expect(await directory().privateDnsNames(['not-an-instance'])).toEqual(new Map());
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('splits a batch larger than one call allows into calls of FILTER_VALUES_PER_CALL ids', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const ids = Array.from({ length: 450 }, (_, i) => `i-0${i.toString(16).padStart(16, '0')}`);
    await directory().privateDnsNames(ids);
    const sizes = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.Filters![0]!.Values!.length);
    expect(sizes).toEqual([FILTER_VALUES_PER_CALL, FILTER_VALUES_PER_CALL, 450 - 2 * FILTER_VALUES_PER_CALL]);
  });

  it('lets other failures through (throttling, permissions)', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(serviceError('UnauthorizedOperation', 'not authorized'));
    await expect(directory().privateDnsName('i-0123456789abcdef0')).rejects.toThrow(/not authorized/);
  });
});

describe('AutoScalingLifecycleActions', () => {
  const actions = () => new AutoScalingLifecycleActions(new AutoScalingClient({ region: 'us-east-1' }));

  it('completes the lifecycle action with every identifying field and the result', async () => {
    asgMock.on(CompleteLifecycleActionCommand).resolves({});
    await actions().complete(hook, 'CONTINUE');
    expect(asgMock.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'spark-workers',
      LifecycleHookName: 'lifeguard-drain',
      LifecycleActionToken: '87654321-4321-4321-4321-210987654321',
      InstanceId: 'i-0123456789abcdef0',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('records a heartbeat', async () => {
    asgMock.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    await actions().heartbeat(hook);
    expect(asgMock.commandCalls(RecordLifecycleActionHeartbeatCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'spark-workers',
      LifecycleHookName: 'lifeguard-drain',
      LifecycleActionToken: '87654321-4321-4321-4321-210987654321',
      InstanceId: 'i-0123456789abcdef0',
    });
  });

  it('turns "no active lifecycle action" into LifecycleActionGoneError; other errors pass through', async () => {
    asgMock.on(CompleteLifecycleActionCommand).rejectsOnce(
      serviceError('ValidationError', `No active Lifecycle Action found with token ${hook.lifecycleActionToken}`),
    ).rejects(serviceError('Throttling', 'Rate exceeded'));
    await expect(actions().complete(hook, 'ABANDON')).rejects.toBeInstanceOf(LifecycleActionGoneError);
    await expect(actions().complete(hook, 'ABANDON')).rejects.toThrow(/Rate exceeded/);
  });
});

describe('EventBridgePublisher', () => {
  it('puts one entry with the configured source, detail as JSON, resources, bus and time', async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
    const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), { source: 'lifeguard', eventBusName: 'ops', clock });
    await publisher.publish('Node Drain Started', { node: 'ip-10-0-1-10.ec2.internal', deadline: '2026-01-01T00:02:00Z' }, [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
    ]);
    const input = ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input.Entries).toHaveLength(1);
    const entry = input.Entries![0]!;
    expect(entry).toMatchObject({
      Source: 'lifeguard',
      DetailType: 'Node Drain Started',
      EventBusName: 'ops',
      Resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    });
    expect(JSON.parse(entry.Detail!)).toEqual({ node: 'ip-10-0-1-10.ec2.internal', deadline: '2026-01-01T00:02:00Z' });
    expect(entry.Time?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('fails loudly when EventBridge rejects the entry (FailedEntryCount > 0)', async () => {
    ebMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' }],
    });
    const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), { source: 'lifeguard' });
    await expect(publisher.publish('Node Drain Completed', { node: 'n' })).rejects.toThrow(
      /Node Drain Completed.*InternalFailure.*Internal service error/,
    );
  });

  it('refuses an event over the 256 KB entry limit without calling EventBridge', async () => {
    const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), { source: 'lifeguard' });
    await expect(publisher.publish('Big', { blob: 'x'.repeat(300 * 1024) })).rejects.toThrow(/over the 262144-byte/);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
