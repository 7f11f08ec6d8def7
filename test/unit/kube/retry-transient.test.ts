import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { retryTransient } from '../../../lib/kube/retry-transient.ts';
import { RetryLaterError } from '../../../lib/util/errors.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { runToEnd } from '../../support/fake-kube.ts';

const throttled = () => new KubeApiError('Too many requests', 429, 'TooManyRequests');

function failing(failures: Error[]) {
  const calls: number[] = [];
  return { calls, call: (clock: VirtualClock) => async () => {
    calls.push(clock.now());
    const failure = failures.shift();
    if (failure) throw failure;
    return 'ok';
  } };
}

describe('retryTransient', () => {
  it('retries transient failures with doubling, jittered waits until the call succeeds', async () => {
    const clock = new VirtualClock(0);
    const { calls, call } = failing([throttled(), new KubeApiError('unavailable', 503), throttled()]);
    const waits: number[] = [];
    const result = retryTransient(call(clock), { clock, until: 60_000, initialMs: 500, maxMs: 8_000, random: () => 1, onRetry: (_, ms) => waits.push(ms) });
    expect(await runToEnd(clock, result)).toBe('ok');
    expect(waits).toEqual([500, 1_000, 2_000]);
    expect(calls).toEqual([0, 500, 1_500, 3_500]);
  });

  it('a RetryLaterError is tried again exactly when it says the answer can exist, and thrown when that is past `until`', async () => {
    const clock = new VirtualClock(0);
    const { calls, call } = failing([new RetryLaterError('node list too recent', 20_000)]);
    expect(await runToEnd(clock, retryTransient(call(clock), { clock, until: 60_000, initialMs: 500, maxMs: 8_000, random: () => 1 }))).toBe('ok');
    expect(calls).toEqual([0, 20_000]);

    const late = failing([new RetryLaterError('node list too recent', 20_000)]);
    await expect(runToEnd(clock, retryTransient(late.call(clock), { clock, until: clock.now() + 10_000, initialMs: 500, maxMs: 8_000 }))).rejects.toThrow('node list too recent');
    expect(late.calls).toHaveLength(1);
  });

  it('throws a permanent failure at once', async () => {
    const clock = new VirtualClock(0);
    const { calls, call } = failing([new KubeApiError('forbidden', 403)]);
    await expect(runToEnd(clock, retryTransient(call(clock), { clock, until: 60_000, initialMs: 500, maxMs: 8_000 }))).rejects.toThrow('forbidden');
    expect(calls).toEqual([0]);
  });

  it('does not retry a disruption budget refusal: the drain handles that answer', async () => {
    const clock = new VirtualClock(0);
    const { calls, call } = failing([new KubeApiError('Cannot evict pod', 429, 'DisruptionBudget')]);
    await expect(runToEnd(clock, retryTransient(call(clock), { clock, until: 60_000, initialMs: 500, maxMs: 8_000 }))).rejects.toThrow('Cannot evict');
    expect(calls).toHaveLength(1);
  });

  it('gives up with the last failure rather than start a try after `until`', async () => {
    const clock = new VirtualClock(0);
    const { calls, call } = failing(Array.from({ length: 100 }, throttled));
    await expect(runToEnd(clock, retryTransient(call(clock), { clock, until: 10_000, initialMs: 1_000, maxMs: 4_000, random: () => 1 }))).rejects.toThrow('Too many requests');
    expect(calls).toEqual([0, 1_000, 3_000, 7_000]);
    expect(calls.at(-1)!).toBeLessThan(10_000);
  });
});
