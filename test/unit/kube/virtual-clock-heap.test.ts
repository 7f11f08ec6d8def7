import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { TimerHeap, type HeapTimer } from '../../../sandbox/clock/timer-heap.ts';

const timer = (at: number, seq: number, fired: number[]): HeapTimer => ({ at, seq, fire: () => fired.push(seq), cancelled: false });

describe('TimerHeap (the virtual clock under the emulator)', () => {
  it('pops in (time, scheduling order) and skips cancelled timers', () => {
    const heap = new TimerHeap();
    const fired: number[] = [];
    const times = [50, 10, 30, 10, 70, 0, 30];
    const timers = times.map((at, seq) => timer(at, seq, fired));
    for (const t of timers) heap.push(t);
    heap.cancel(timers[2]!);
    heap.cancel(timers[2]!); // twice is harmless
    expect(heap.size).toBe(6);
    const order: number[] = [];
    for (let t = heap.pop(); t; t = heap.pop()) order.push(t.seq);
    expect(order).toEqual([5, 1, 3, 6, 0, 4]);
    expect(heap.size).toBe(0);
  });

  it('stays ordered under many random pushes and cancels', () => {
    const heap = new TimerHeap();
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    const all: HeapTimer[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = timer(next() % 1000, i, []);
      all.push(t);
      heap.push(t);
      if (i % 3 === 0) heap.cancel(all[next() % all.length]!);
    }
    const live = all.filter((t) => !t.cancelled).length;
    expect(heap.size).toBe(live);
    let previous: HeapTimer | undefined;
    let popped = 0;
    for (let t = heap.pop(); t; t = heap.pop()) {
      if (previous) expect(previous.at < t.at || (previous.at === t.at && previous.seq < t.seq)).toBe(true);
      previous = t;
      popped++;
    }
    expect(popped).toBe(live);
  });
});

describe('VirtualClock with the heap', () => {
  it('fires in time order, honours cancellation, and counts pending timers', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.schedule(30, () => fired.push('c'));
    const cancelB = clock.schedule(20, () => fired.push('b'));
    clock.schedule(10, () => fired.push('a'));
    clock.schedule(10, () => fired.push('a2'));
    expect(clock.pendingTimers).toBe(4);
    cancelB();
    expect(clock.pendingTimers).toBe(3);
    await clock.runUntil(25);
    expect(fired).toEqual(['a', 'a2']);
    expect(clock.now()).toBe(25);
    await clock.runUntil(100);
    expect(fired).toEqual(['a', 'a2', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a cancel after the timer fired changes nothing', async () => {
    const clock = new VirtualClock(0);
    const cancel = clock.schedule(5, () => {});
    clock.schedule(6, () => {});
    await clock.runUntil(5);
    cancel();
    expect(clock.pendingTimers).toBe(1);
  });
});

describe('VirtualClock waiting on tracked I/O', () => {
  it('moves on as soon as the I/O has settled, without a real timer per wait (each would idle the event loop for at least 1 ms)', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    // An exchange that takes a few turns of the event loop, as a loopback HTTP call does.
    const exchange = () => clock.io(() => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve))));
    for (let i = 1; i <= 50; i++) {
      clock.schedule(i, () => {
        fired.push(clock.now());
        void exchange();
      });
    }
    const timers = vi.spyOn(globalThis, 'setTimeout');
    let realTimers: number;
    try {
      await clock.runUntil(100);
    } finally {
      realTimers = timers.mock.calls.length;
      timers.mockRestore();
    }
    expect(fired).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(realTimers).toBe(0);
  });

  it('does not advance while tracked I/O is in flight, however long it takes', async () => {
    const clock = new VirtualClock(0);
    let release!: () => void;
    let done = false;
    void clock.io(() => new Promise<void>((resolve) => (release = resolve))).then(() => (done = true));
    clock.schedule(10, () => expect(done).toBe(true));
    const running = clock.runUntil(20);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(clock.now()).toBe(0);
    release();
    await running;
    expect(clock.now()).toBe(20);
  });
});
