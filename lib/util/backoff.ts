/** Equal jitter: half the step fixed, half random, so retries spread out but never hammer. */
export function jitteredBackoff(stepMs: number, random: () => number): number {
  return Math.round(stepMs / 2 + random() * (stepMs / 2));
}
