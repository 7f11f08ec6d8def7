import { z } from 'zod';

/** Go's duration units, as Kubernetes writes durations ("40s", "1m30s", "500ms"). */
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
const DURATION = /^(\d+(?:\.\d+)?(?:ms|h|m|s))+$/;

/** "40s" → 40, "1m30s" → 90; anything else is returned as written, for the schema to refuse. */
export function durationToSeconds(value: unknown): unknown {
  if (typeof value !== 'string' || !DURATION.test(value.trim())) return value;
  let seconds = 0;
  for (const [, amount, unit] of value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return Math.round(seconds * 1000) / 1000;
}

/** Simulated seconds: a number, or a duration as Kubernetes writes one. */
export const secondsSchema = z.preprocess(durationToSeconds, z.number({ error: 'expected seconds: a number, or a duration such as "40s", "2m" or "1m30s"' }));
