import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { systemClock, whenAborted } from '../../../lib/util/clock.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('whenAborted: many waits, one listener on the signal', () => {
  it('fans one listener out to every wait, and the last wait to stop removes it', () => {
    const halt = new AbortController();
    const woken: number[] = [];
    const stops = Array.from({ length: 16 }, (_, i) => whenAborted(halt.signal, () => woken.push(i)));
    expect(listeners(halt.signal)).toBe(1);
    for (const stop of stops) stop();
    expect(listeners(halt.signal)).toBe(0);
    // Waits after that get a listener of their own again.
    const later = whenAborted(halt.signal, () => woken.push(99));
    expect(listeners(halt.signal)).toBe(1);
    halt.abort();
    expect(woken).toEqual([99]);
    later(); // stopping after the abort is harmless
  });

  it('wakes each wait still on when the signal aborts, once, in the order they began', () => {
    const halt = new AbortController();
    const woken: string[] = [];
    const wake = (name: string) => () => woken.push(name);
    whenAborted(halt.signal, wake('a'));
    const stopB = whenAborted(halt.signal, wake('b'));
    const same = wake('c');
    whenAborted(halt.signal, same);
    whenAborted(halt.signal, same);
    stopB();
    halt.abort();
    halt.abort();
    expect(woken).toEqual(['a', 'c', 'c']);
    expect(listeners(halt.signal)).toBe(0);
  });

  it('calls back at once for a signal already aborted, without adding a listener', () => {
    const halt = new AbortController();
    halt.abort();
    let woken = 0;
    whenAborted(halt.signal, () => woken++);
    expect(woken).toBe(1);
    expect(listeners(halt.signal)).toBe(0);
  });
});

describe('sleeps on one signal', () => {
  it('the system clock: sixteen sleeps, one listener; the abort ends them all and leaves none', async () => {
    const halt = new AbortController();
    const sleeps = Array.from({ length: 16 }, () => systemClock.sleep(3_600_000, halt.signal));
    expect(listeners(halt.signal)).toBe(1);
    halt.abort();
    await Promise.all(sleeps);
    expect(listeners(halt.signal)).toBe(0);
  });

  it('the virtual clock: sleeps that end on time take their wait off the signal; the last removes the listener', async () => {
    const clock = new VirtualClock(0);
    const halt = new AbortController();
    const ended: number[] = [];
    for (let i = 1; i <= 16; i++) void clock.sleep(i * 1000, halt.signal).then(() => ended.push(clock.now()));
    expect(listeners(halt.signal)).toBe(1);
    await clock.runUntil(8_000);
    expect(ended).toHaveLength(8);
    expect(listeners(halt.signal)).toBe(1);
    halt.abort();
    await clock.runUntil(8_001);
    expect(ended).toHaveLength(16);
    expect(ended.slice(8).every((t) => t === 8_000)).toBe(true);
    expect(listeners(halt.signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
