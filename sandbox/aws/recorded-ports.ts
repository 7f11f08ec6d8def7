import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { EventPublisher, InstanceDirectory, LifecycleActions, LifecycleHookRef, LifecycleResult, OneTimeSchedule, Scheduler, SelfInvoker } from '../../lib/aws/ports.ts';
import { EventBridgeScheduler, type SchedulerTarget } from '../../lib/aws/scheduler.ts';
import type { AwsCall, AwsCaller, AwsCallLog } from './calls.ts';
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

/** ec2:DescribeInstances for one instance, as lib/aws/ec2-directory.ts asks. */
export class RecordedInstanceDirectory implements InstanceDirectory {
  private readonly record: Recorder;

  constructor(
    private readonly inner: InstanceDirectory,
    log: AwsCallLog,
    caller: AwsCaller,
  ) {
    this.record = recorder(log, caller, 'ec2');
  }

  privateDnsName(instanceId: string): Promise<string | undefined> {
    this.record('DescribeInstances', { InstanceIds: [instanceId] });
    return this.inner.privateDnsName(instanceId);
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

/** lambda:InvokeFunction of the function itself (InvocationType Event), as lib/aws/self-invoker.ts sends it. */
export class RecordedSelfInvoker implements SelfInvoker {
  private readonly record: Recorder;

  constructor(
    private readonly inner: SelfInvoker,
    log: AwsCallLog,
    caller: AwsCaller,
    private readonly functionArn: string,
  ) {
    this.record = recorder(log, caller, 'lambda');
  }

  invoke(payload: Record<string, unknown>): Promise<void> {
    this.record('Invoke', { FunctionName: this.functionArn, InvocationType: 'Event' });
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
