import { describe, expect, it } from 'vitest';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DR_SDK_MAX_ATTEMPTS } from '../../../lib/dr/sdk-retry.ts';
import { SandboxAlarm } from '../../../sandbox/dr/alarm.ts';
import { sandboxElbv2Client } from '../../../sandbox/dr/sdk-clients.ts';
import { CallLog, ServiceError } from '../../../sandbox/dr/service-error.ts';
import { retryDelayMs, withVirtualRetryDelays } from '../../../sandbox/dr/task-retries.ts';

describe('DR sandbox faults', () => {
  it('hits only the aimed caller, inside its window, as many times as asked', () => {
    let now = 0;
    const log = new CallLog(() => now, [{ service: 'emr', action: 'DescribeCluster', caller: 'planner', times: 2, from: 10, until: 20 }]);
    const call = (caller: 'planner' | 'stateMachine') => {
      try {
        log.enter('emr', 'DescribeCluster', {}, caller);
        return 'ok';
      } catch (err) {
        return (err as ServiceError).name;
      }
    };
    expect(call('planner')).toBe('ok'); // before the window
    now = 10;
    expect(call('stateMachine')).toBe('ok'); // another caller
    expect([call('planner'), call('planner'), call('planner')]).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
    expect(log.calls.map((c) => [c.t, c.caller, c.error ?? null])).toEqual([
      [0, 'planner', null],
      [10, 'stateMachine', null],
      [10, 'planner', 'ThrottlingException'],
      [10, 'planner', 'ThrottlingException'],
      [10, 'planner', null],
    ]);
  });
});

describe('DR sandbox Retry back-offs', () => {
  it('follows IntervalSeconds × BackoffRate^n, capped, FULL jitter at its mean', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 20, JitterStrategy: 'FULL' };
    expect([1, 2, 3, 5, 6].map((n) => retryDelayMs(retrier, n))).toEqual([500, 1000, 2000, 8000, 10_000]);
    expect(retryDelayMs({ ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 3 }, 2)).toBe(6000);
  });

  it('sleeps the back-off before a retry of the same input, never before a first attempt or after a catch', async () => {
    const slept: number[] = [];
    let failures = 3;
    const handler = withVirtualRetryDelays(
      async (input) => {
        if (failures-- > 0) throw Object.assign(new Error('slow down'), { name: 'Emr.ThrottlingException' });
        return input;
      },
      [{ ErrorEquals: ['Emr.ThrottlingException'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 }],
      async (ms) => {
        slept.push(ms);
      },
    );
    await expect(handler({ a: 1 })).rejects.toThrow('slow down');
    await expect(handler({ a: 1 })).rejects.toThrow('slow down'); // retry 1, after 1 s
    await expect(handler({ a: 1 })).rejects.toThrow('slow down'); // retry 2, after 2 s: attempts used up, caught
    expect(await handler({ a: 1 })).toEqual({ a: 1 }); // a new entry of the state, no wait
    expect(slept).toEqual([1000, 2000]);
  });
});

describe('DR sandbox SDK clients', () => {
  const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';

  it("retry as the Lambdas' clients do, sleeping each back-off on the given clock", async () => {
    const slept: number[] = [];
    let calls = 0;
    const client = sandboxElbv2Client(
      () => {
        calls++;
        throw new ServiceError('ThrottlingException', 'Rate exceeded');
      },
      { sleep: async (ms) => void slept.push(ms), park: (sleeping) => sleeping },
    );
    await expect(client.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))).rejects.toThrow('Rate exceeded');
    expect(calls).toBe(DR_SDK_MAX_ATTEMPTS);
    expect(slept).toHaveLength(DR_SDK_MAX_ATTEMPTS - 1);
    // Exponential, at the jitter's mean: each wait doubles until the SDK's 20 s cap.
    for (let i = 1; i < slept.length; i++) expect(slept[i]).toBe(Math.min(slept[i - 1]! * 2, 10_000));
  });

  it('do not retry an error that is not transient', async () => {
    let calls = 0;
    const client = sandboxElbv2Client(
      () => {
        calls++;
        throw new ServiceError('TargetGroupNotFound', 'no such group');
      },
      { sleep: async () => undefined, park: (sleeping) => sleeping },
    );
    await expect(client.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))).rejects.toThrow('no such group');
    expect(calls).toBe(1);
  });

  it('name an ELBv2 error as the SDK does: the modeled exception for a code the model declares', async () => {
    const failing = (code: string) =>
      sandboxElbv2Client(
        () => {
          throw new ServiceError(code, 'refused');
        },
        { sleep: async () => undefined, park: (sleeping) => sleeping },
      ).send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }));
    await expect(failing('TargetGroupNotFound')).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    await expect(failing('InvalidTarget')).rejects.toMatchObject({ name: 'InvalidTargetException' });
    await expect(failing('ValidationError')).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('DR sandbox alarm', () => {
  it('goes to ALARM when datapointsToAlarm of the last evaluationPeriods breach, and back to OK', () => {
    const alarm = new SandboxAlarm({ periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 });
    const changes = [false, true, false, false, true, true, true, true, true].map((healthy) => alarm.record(healthy) ?? null);
    // Points 1, 3 and 4 breach → ALARM at the fourth; at the sixth only 2 of the last five do → OK.
    expect(changes).toEqual([null, null, null, 'ALARM', null, 'OK', null, null, null]);
  });

  it('takes the Maximum over a longer period: one healthy probe keeps the period from breaching', () => {
    const alarm = new SandboxAlarm({ periodSeconds: 120, evaluationPeriods: 2, datapointsToAlarm: 2 });
    const changes = [false, true, false, false, false, false].map((healthy) => alarm.record(healthy) ?? null);
    expect(changes).toEqual([null, null, null, null, null, 'ALARM']);
  });
});
