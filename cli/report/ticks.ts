/** Steps a reader counts in without arithmetic: seconds, then round minutes and hours. */
const STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
const MAX_TICKS = 8;

export interface Axis {
  /** The axis runs from 0 to `end`, a multiple of `step`. */
  end: number;
  step: number;
  ticks: number[];
}

/** A time axis from 0 that holds `latest` seconds, ticked at a round step (0, 30, 60, 90 s — not 34, 67, 101). */
export function timeAxis(latest: number): Axis {
  const span = Math.max(1, latest);
  const step = STEPS.find((s) => span / s <= MAX_TICKS) ?? Math.ceil(span / MAX_TICKS / 3600) * 3600;
  // Room past the last event, so a bar that ends there does not end on the frame.
  const end = Math.ceil((span * 1.02) / step) * step;
  return { end, step, ticks: Array.from({ length: end / step + 1 }, (_, i) => i * step) };
}

/** A tick's label: seconds below ten minutes, minutes above. */
export function tickLabel(t: number, step: number): string {
  return step >= 60 && t % 60 === 0 ? `${t / 60} min` : `${t} s`;
}
