/** A timer of the virtual clock: fires at `at`; among equal times, in scheduling order (`seq`). */
export interface HeapTimer {
  at: number;
  seq: number;
  fire: () => void;
  /** Set by cancel: the timer stays in the heap until it reaches the top, then is dropped. */
  cancelled: boolean;
}

const before = (a: HeapTimer, b: HeapTimer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Without a destructuring swap: that allocates an array per step, on the path of every timer. */
function swap(items: HeapTimer[], i: number, j: number): void {
  const held = items[i]!;
  items[i] = items[j]!;
  items[j] = held;
}

/**
 * A binary min-heap of timers ordered by (at, seq). Cancelling is lazy (a flag), so push, cancel
 * and pop are O(log n) / O(1) however many timers are pending, instead of a scan per step.
 */
export class TimerHeap {
  private readonly items: HeapTimer[] = [];
  private live = 0;

  /** Timers scheduled and neither fired nor cancelled. */
  get size(): number {
    return this.live;
  }

  push(timer: HeapTimer): void {
    const items = this.items;
    items.push(timer);
    this.live++;
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      swap(items, i, parent);
      i = parent;
    }
  }

  cancel(timer: HeapTimer): void {
    if (timer.cancelled) return;
    timer.cancelled = true;
    this.live--;
  }

  /** The earliest live timer, without removing it. */
  peek(): HeapTimer | undefined {
    this.dropCancelled();
    return this.items[0];
  }

  /** Removes and returns the earliest live timer. */
  pop(): HeapTimer | undefined {
    this.dropCancelled();
    const top = this.items[0];
    if (!top) return undefined;
    this.removeTop();
    this.live--;
    // A popped timer can no longer be cancelled (cancel after firing is a no-op).
    top.cancelled = true;
    return top;
  }

  private dropCancelled(): void {
    while (this.items.length > 0 && this.items[0]!.cancelled) this.removeTop();
  }

  private removeTop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length === 0) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) return;
      swap(items, i, smallest);
      i = smallest;
    }
  }
}
