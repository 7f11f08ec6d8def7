import { describe, expect, it } from 'vitest';
import { criticalCutoff } from '../../../lib/drain/critical-cutoff.ts';
import { isOwnExecutor } from '../../../lib/drain/own-executors.ts';

describe('isOwnExecutor: whose executors a driver waits for', () => {
  const driver = { uid: 'd1', appId: 'app-1' };
  const executor = (over: { appId?: string; driverUid?: string } = {}) => ({ sparkRole: 'executor' as const, ...over });

  it('an executor the driver pod owns, whatever its labels say', () => {
    expect(isOwnExecutor(driver, executor({ driverUid: 'd1' }))).toBe(true);
    expect(isOwnExecutor(driver, executor({ driverUid: 'd1', appId: 'app-2' }))).toBe(true);
  });

  it('else by application: the same one is its own, another one is not', () => {
    expect(isOwnExecutor(driver, executor({ appId: 'app-1', driverUid: 'elsewhere' }))).toBe(true);
    expect(isOwnExecutor(driver, executor({ appId: 'app-2' }))).toBe(false);
  });

  it('one owned by another pod is that pod\'s; one that says nothing is waited for', () => {
    expect(isOwnExecutor({ uid: 'd1' }, executor({ driverUid: 'd2' }))).toBe(false);
    expect(isOwnExecutor({ uid: 'd1' }, executor())).toBe(true);
    expect(isOwnExecutor(driver, executor())).toBe(true);
  });

  it('never a pod that is no executor', () => {
    expect(isOwnExecutor(driver, { sparkRole: 'driver', appId: 'app-1' })).toBe(false);
    expect(isOwnExecutor(driver, {})).toBe(false);
  });
});

describe('criticalCutoff', () => {
  it('half the window, or earlier when their grace needs more of what is left', () => {
    expect(criticalCutoff({ drainStart: 0, budgetEnd: 115_000, longestGraceSeconds: 30 })).toBe(57_500);
    expect(criticalCutoff({ drainStart: 0, budgetEnd: 115_000, longestGraceSeconds: 90 })).toBe(25_000);
    expect(criticalCutoff({ drainStart: 10_000, budgetEnd: 5_000, longestGraceSeconds: 0 })).toBe(5_000);
  });
});
