import { describe, expect, it } from 'vitest';
import { LifecycleActionGoneError } from '../../../lib/aws/ports.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { InMemoryEventPublisher, InMemoryLifecycleActions, ThrottlingError } from '../../../sandbox/aws/in-memory-ports.ts';

const hook = { autoScalingGroupName: 'g', lifecycleHookName: 'h', lifecycleActionToken: 't-1', instanceId: 'i-0aaa1111' };

describe('InMemoryLifecycleActions', () => {
  it('records heartbeats and the completion, then behaves like Auto Scaling for a finished action', async () => {
    const clock = new VirtualClock();
    const actions = new InMemoryLifecycleActions(clock);
    await actions.heartbeat(hook);
    await clock.runUntil(clock.now() + 5_000);
    await actions.complete(hook, 'CONTINUE');
    expect(actions.heartbeats).toHaveLength(1);
    expect(actions.completions).toEqual([{ at: clock.now(), hook, action: 'complete', result: 'CONTINUE' }]);
    await expect(actions.complete(hook, 'CONTINUE')).rejects.toBeInstanceOf(LifecycleActionGoneError);
    await expect(actions.heartbeat(hook)).rejects.toBeInstanceOf(LifecycleActionGoneError);
  });

  it('treats an expired hook as gone', async () => {
    const actions = new InMemoryLifecycleActions();
    actions.expire('t-1');
    await expect(actions.complete(hook, 'ABANDON')).rejects.toBeInstanceOf(LifecycleActionGoneError);
    expect(actions.completions).toHaveLength(0);
  });

  it('refuses the throttled completions without recording them, then completes', async () => {
    const actions = new InMemoryLifecycleActions(new VirtualClock(0));
    actions.throttledCompletions = 2;
    await expect(actions.complete(hook, 'CONTINUE')).rejects.toBeInstanceOf(ThrottlingError);
    await expect(actions.complete(hook, 'CONTINUE')).rejects.toThrow('CompleteLifecycleAction: Rate exceeded');
    expect(actions.completions).toHaveLength(0);
    await actions.complete(hook, 'CONTINUE');
    expect(actions.completions).toHaveLength(1);
  });
});

describe('InMemoryEventPublisher', () => {
  it('keeps events with the source, a JSON copy of the detail, and tells its listener', async () => {
    const seen: string[] = [];
    const publisher = new InMemoryEventPublisher({ source: 'lifeguard', clock: new VirtualClock(0), onPublish: (e) => seen.push(e.detailType) });
    const detail = { node: 'n', when: new Date(0) };
    await publisher.publish('Node Drain Started', detail, ['arn:x']);
    expect(publisher.ofType('Node Drain Started')).toEqual([
      { at: 0, source: 'lifeguard', detailType: 'Node Drain Started', detail: { node: 'n', when: '1970-01-01T00:00:00.000Z' }, resources: ['arn:x'] },
    ]);
    expect(seen).toEqual(['Node Drain Started']);
    await expect(publisher.publish(' ', {})).rejects.toThrow(/detailType/);
  });

  it('refuses every event while throttled, and publishes again after', async () => {
    const publisher = new InMemoryEventPublisher({ source: 'lifeguard', clock: new VirtualClock(0) });
    publisher.throttled = true;
    await expect(publisher.publish('Node Drain Started', {})).rejects.toBeInstanceOf(ThrottlingError);
    expect(publisher.events).toHaveLength(0);
    publisher.throttled = false;
    await publisher.publish('Node Drain Started', {});
    expect(publisher.events).toHaveLength(1);
  });
});
