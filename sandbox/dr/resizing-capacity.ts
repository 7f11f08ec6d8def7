/**
 * An instance group's count or an instance fleet's target, on the simulated clock: a resize sets
 * the target at once; what runs reaches a raised target `resizeMs` later, a lowered one at once.
 * Nothing ticks: what runs is read at a time.
 */
export interface ResizingCapacity {
  target: number;
  /** What ran until the last resize took effect. */
  before: number;
  /** When what runs reaches `target` (epoch ms). */
  reachedAtMs: number;
}

/** Running at `units` from the start. */
export const settled = (units: number): ResizingCapacity => ({ target: units, before: units, reachedAtMs: 0 });

export function running(c: ResizingCapacity, now: number): number {
  return now >= c.reachedAtMs ? c.target : c.before;
}

export function resize(c: ResizingCapacity, units: number, now: number, resizeMs: number): void {
  const current = running(c, now);
  c.target = units;
  // Growth takes the resize time; a shrink (below what runs) takes effect at once.
  c.before = units < current ? units : current;
  c.reachedAtMs = units < current ? now : now + resizeMs;
}
