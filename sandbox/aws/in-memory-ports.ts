import {
  LifecycleActionGoneError,
  type EventPublisher,
  type InstanceDirectory,
  type LifecycleActions,
  type LifecycleHookRef,
  type LifecycleResult,
  type SelfInvoker,
} from '../../lib/aws/ports.ts';
import { FILTER_VALUES_PER_CALL } from '../../lib/aws/ec2-directory.ts';
import type { Clock } from '../../lib/util/clock.ts';

/** A request an AWS service refused above its request rate. */
export class ThrottlingError extends Error {
  override readonly name = 'ThrottlingError';
}

/**
 * EC2's request throttling for DescribeInstances, a non-mutating action: a token bucket per account
 * and Region of 100 requests refilled at 20 per second (the documented defaults), answered with
 * RequestLimitExceeded when empty; the SDK's standard retry mode tries 3 times in all, backing off
 * exponentially (100 ms base, jittered here deterministically at half the step).
 */
export interface Ec2ThrottleOptions {
  clock: Clock;
  /** Each call's round trip, ms. */
  latencyMs?: number;
  bucketSize?: number;
  refillPerSecond?: number;
  maxAttempts?: number;
}

/** EC2 as a table: instance id → private DNS name; optionally with EC2's request throttling. */
export class InMemoryInstanceDirectory implements InstanceDirectory {
  private readonly names = new Map<string, string>();
  /** Every id asked about, in order (tests assert the fallback was or was not used). */
  readonly lookups: string[] = [];
  /** DescribeInstances requests, chunked as the EC2 adapter chunks them (lib/aws/ec2-directory.ts). */
  calls = 0;
  /** Attempts EC2 refused with RequestLimitExceeded. */
  throttled = 0;
  private tokens: number;
  private refilledAt: number;

  constructor(
    entries: Record<string, string> = {},
    private readonly throttle?: Ec2ThrottleOptions,
  ) {
    for (const [id, name] of Object.entries(entries)) this.names.set(id, name);
    this.tokens = throttle?.bucketSize ?? 100;
    this.refilledAt = throttle?.clock.now() ?? 0;
  }

  set(instanceId: string, privateDnsName: string): void {
    this.names.set(instanceId, privateDnsName);
  }

  remove(instanceId: string): void {
    this.names.delete(instanceId);
  }

  async privateDnsNames(instanceIds: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(instanceIds)];
    const found = new Map<string, string>();
    for (let i = 0; i < wanted.length; i += FILTER_VALUES_PER_CALL) {
      const chunk = wanted.slice(i, i + FILTER_VALUES_PER_CALL);
      this.lookups.push(...chunk);
      this.calls++;
      if (this.throttle) await this.admit(this.throttle);
      for (const id of chunk) {
        const name = this.names.get(id);
        if (name) found.set(id, name);
      }
    }
    return found;
  }

  private async admit(throttle: Ec2ThrottleOptions): Promise<void> {
    const { clock, latencyMs = 0, bucketSize = 100, refillPerSecond = 20, maxAttempts = 3 } = throttle;
    for (let attempt = 1; ; attempt++) {
      if (latencyMs > 0) await clock.sleep(latencyMs);
      const now = clock.now();
      this.tokens = Math.min(bucketSize, this.tokens + ((now - this.refilledAt) / 1000) * refillPerSecond);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      this.throttled++;
      if (attempt >= maxAttempts) throw Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
      await clock.sleep(Math.min(20_000, 100 * 2 ** (attempt - 1) * 0.75));
    }
  }
}

export interface LifecycleRecord {
  at: number;
  hook: LifecycleHookRef;
  action: 'complete' | 'heartbeat';
  result?: LifecycleResult;
}

/**
 * Auto Scaling lifecycle actions, behaving as the service does for the cases that matter: once an
 * action is completed (or `expire`d), further calls for its token fail as "no active action".
 */
export class InMemoryLifecycleActions implements LifecycleActions {
  readonly records: LifecycleRecord[] = [];
  private readonly finished = new Set<string>();
  /** The next this many CompleteLifecycleAction calls are refused as Auto Scaling refuses above its request rate; nothing is recorded. */
  throttledCompletions = 0;

  constructor(private readonly clock?: Clock) {}

  async complete(hook: LifecycleHookRef, result: LifecycleResult): Promise<void> {
    if (this.throttledCompletions > 0) {
      this.throttledCompletions -= 1;
      throw new ThrottlingError('CompleteLifecycleAction: Rate exceeded');
    }
    this.ensurePending(hook, 'CompleteLifecycleAction');
    this.finished.add(hook.lifecycleActionToken);
    this.records.push({ at: this.now(), hook: { ...hook }, action: 'complete', result });
  }

  async heartbeat(hook: LifecycleHookRef): Promise<void> {
    this.ensurePending(hook, 'RecordLifecycleActionHeartbeat');
    this.records.push({ at: this.now(), hook: { ...hook }, action: 'heartbeat' });
  }

  /** The hook timed out: Auto Scaling applied its default result on its own. */
  expire(lifecycleActionToken: string): void {
    this.finished.add(lifecycleActionToken);
  }

  get completions(): LifecycleRecord[] {
    return this.records.filter((r) => r.action === 'complete');
  }

  get heartbeats(): LifecycleRecord[] {
    return this.records.filter((r) => r.action === 'heartbeat');
  }

  private ensurePending(hook: LifecycleHookRef, operation: string): void {
    if (this.finished.has(hook.lifecycleActionToken)) {
      throw new LifecycleActionGoneError(
        `${operation}: no pending lifecycle action ${hook.lifecycleHookName} for ${hook.instanceId} in ${hook.autoScalingGroupName} (completed or timed out)`,
      );
    }
  }

  private now(): number {
    return this.clock?.now() ?? Date.now();
  }
}

export interface PublishedEvent {
  at: number;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
}

/** Keeps every event Lifeguard publishes; `onPublish` lets the sandbox put them on its timeline. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];
  /** While set, every PutEvents is refused as throttled (ThrottlingException) and nothing is published. */
  throttled = false;

  constructor(
    private readonly options: { source: string; clock?: Clock; onPublish?: (event: PublishedEvent) => void },
  ) {}

  async publish(detailType: string, detail: Record<string, unknown>, resources: string[] = []): Promise<void> {
    if (!detailType.trim()) throw new Error('publish: detailType is empty');
    if (this.throttled) throw new ThrottlingError('PutEvents: ThrottlingException: Rate exceeded');
    // Round-trip through JSON as EventBridge does, so a non-serialisable detail fails here too.
    const event: PublishedEvent = {
      at: this.options.clock?.now() ?? Date.now(),
      source: this.options.source,
      detailType,
      detail: JSON.parse(JSON.stringify(detail)) as Record<string, unknown>,
      resources: [...resources],
    };
    this.events.push(event);
    this.options.onPublish?.(event);
  }

  ofType(detailType: string): PublishedEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}

/** The function sending work to itself (a drain handed over): each payload is handed to `onInvoke` (the simulated queue or Lambda) at once. */
export class InMemorySelfInvoker implements SelfInvoker {
  /** Every invocation asked for: when, and the payload. */
  readonly invocations: Array<{ at: number; payload: Record<string, unknown> }> = [];

  constructor(
    private readonly clock: Clock,
    private readonly onInvoke: (payload: Record<string, unknown>) => void,
  ) {}

  async invoke(payload: Record<string, unknown>): Promise<void> {
    const copy = structuredClone(payload);
    this.invocations.push({ at: this.clock.now(), payload: copy });
    this.onInvoke(copy);
  }
}
