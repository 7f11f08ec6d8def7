import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { EventPublisher, InstanceDirectory, LifecycleActions, LifecycleHookRef, LifecycleResult, OneTimeSchedule, Scheduler, SelfInvoker } from '../../lib/aws/ports.ts';
import { EventBridgeScheduler, type SchedulerTarget } from '../../lib/aws/scheduler.ts';
import { sendMessage, type AwsCall, type AwsCaller, type AwsCallLog, type QueueRef } from './calls.ts';
import type { InMemoryScheduler } from './in-memory-scheduler.ts';

/**
 * The in-memory ports of the interruption function, each recording the AWS requests the
 * production adapter (lib/aws/*.ts) sends for the same call, before the in-memory answer. A call
 * that fails is recorded too: AWS authorizes a request before it can refuse it.
 */

type Recorder = (operation: string, input: AwsCall['input'], resourceTags?: AwsCall['resourceTags']) => void;

function recorder(log: AwsCallLog, caller: AwsCaller, service: string): Recorder {
  return (operation, input, resourceTags) => log.record({ caller, service, operation, input, ...(resourceTags ? { resourceTags } : {}) });
}

/** ec2:DescribeInstances of a batch's instances (by the instance-id filter), as lib/aws/ec2-directory.ts asks. */
export class RecordedInstanceDirectory implements InstanceDirectory {
  private readonly record: Recorder;

  constructor(
    private readonly inner: InstanceDirectory,
    log: AwsCallLog,
    caller: AwsCaller,
  ) {
    this.record = recorder(log, caller, 'ec2');
  }

  privateDnsNames(instanceIds: readonly string[]): Promise<Map<string, string>> {
    this.record('DescribeInstances', { Filters: [{ Name: 'instance-id', Values: [...instanceIds] }] });
    return this.inner.privateDnsNames(instanceIds);
  }
}

/** Auto Scaling's lifecycle calls, as lib/aws/lifecycle-actions.ts makes them, with the group's tags. */
export class RecordedLifecycleActions implements LifecycleActions {
  private readonly record: Recorder;

  constructor(
    private readonly inner: LifecycleActions,
    log: AwsCallLog,
    caller: AwsCaller,
    /** The tags of an Auto Scaling group (an EKS node group's carry its cluster's). */
    private readonly groupTags: (groupName: string) => Record<string, string>,
  ) {
    this.record = recorder(log, caller, 'autoscaling');
  }

  complete(hook: LifecycleHookRef, result: LifecycleResult): Promise<void> {
    this.record('CompleteLifecycleAction', { ...request(hook), LifecycleActionResult: result }, this.tagsOf(hook));
    return this.inner.complete(hook, result);
  }

  heartbeat(hook: LifecycleHookRef): Promise<void> {
    this.record('RecordLifecycleActionHeartbeat', request(hook), this.tagsOf(hook));
    return this.inner.heartbeat(hook);
  }

  private tagsOf(hook: LifecycleHookRef) {
    return { [hook.autoScalingGroupName]: this.groupTags(hook.autoScalingGroupName) };
  }
}

const request = (hook: LifecycleHookRef) => ({
  AutoScalingGroupName: hook.autoScalingGroupName,
  LifecycleHookName: hook.lifecycleHookName,
  LifecycleActionToken: hook.lifecycleActionToken,
  InstanceId: hook.instanceId,
});

/** events:PutEvents of one entry on the default bus, as lib/aws/event-publisher.ts sends it. */
export class RecordedEventPublisher implements EventPublisher {
  private readonly record: Recorder;

  constructor(
    private readonly inner: EventPublisher,
    log: AwsCallLog,
    caller: AwsCaller,
    private readonly source: string,
  ) {
    this.record = recorder(log, caller, 'events');
  }

  publish(detailType: string, detail: Record<string, unknown>, resources: string[] = []): Promise<void> {
    this.record('PutEvents', { Entries: [{ Source: this.source, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources }] });
    return this.inner.publish(detailType, detail, resources);
  }
}

/** A drain handed over: SendMessage to the notice queue, as lib/aws/notice-queue.ts sends it. */
export class RecordedNoticeSender implements SelfInvoker {
  constructor(
    private readonly inner: SelfInvoker,
    private readonly log: AwsCallLog,
    private readonly caller: AwsCaller,
    private readonly queue: QueueRef,
  ) {}

  invoke(payload: Record<string, unknown>): Promise<void> {
    this.log.record({ caller: this.caller, ...sendMessage(this.queue) });
    return this.inner.invoke(payload);
  }
}

/** The production adapter builds the requests; it never sends one here. */
const unsent = { send: () => Promise.reject(new Error('the sandbox records Scheduler requests; it sends none')) } as unknown as SchedulerClient;

/**
 * EventBridge Scheduler's calls, with the requests lib/aws/scheduler.ts builds: CreateSchedule,
 * and UpdateSchedule after the ConflictException a live name gets; DeleteSchedule.
 */
export class RecordedScheduler implements Scheduler {
  private readonly requests: EventBridgeScheduler;
  private readonly record: Recorder;

  constructor(
    private readonly inner: InMemoryScheduler,
    log: AwsCallLog,
    caller: AwsCaller,
    private readonly target: SchedulerTarget,
  ) {
    this.requests = new EventBridgeScheduler(unsent, target);
    this.record = recorder(log, caller, 'scheduler');
  }

  upsert(schedule: OneTimeSchedule): Promise<void> {
    const input = { ...this.requests.request(schedule) };
    this.record('CreateSchedule', input);
    if (this.inner.pending.some((s) => s.name === schedule.name)) this.record('UpdateSchedule', input);
    return this.inner.upsert(schedule);
  }

  delete(name: string): Promise<void> {
    this.record('DeleteSchedule', { Name: name, GroupName: this.target.groupName });
    return this.inner.delete(name);
  }
}
