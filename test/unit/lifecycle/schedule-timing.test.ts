import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACT_NOW_WITHIN_MS, scheduleMinute, SCHEDULE_LEAD_MS, SCHEDULER_PRECISION_MS } from '../../../lib/lifecycle/schedule-timing.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const MINUTE = SCHEDULER_PRECISION_MS;

describe('scheduleMinute', () => {
  it('`by` (a Health drain): the minute that ends before the time, so Scheduler fires 0–2 min early, never late', () => {
    const now = at('2026-03-02T17:05:11Z');
    expect(iso(scheduleMinute('by', at('2026-03-16T07:30:00Z'), now))).toBe('2026-03-16T07:29:00.000Z');
    expect(iso(scheduleMinute('by', at('2026-03-16T07:30:40Z'), now))).toBe('2026-03-16T07:29:00.000Z');
  });

  it('`not-before` (a revert after its TTL, a look after a maintenance window): the minute at or after the time, so it fires 0–2 min late, never early', () => {
    const now = at('2026-03-02T17:05:11Z');
    expect(iso(scheduleMinute('not-before', at('2026-03-02T17:35:11Z'), now))).toBe('2026-03-02T17:36:00.000Z');
    expect(iso(scheduleMinute('not-before', at('2026-03-02T17:36:00Z'), now))).toBe('2026-03-02T17:36:00.000Z');
  });

  it('never a minute already begun or about to: "now" (or the past) is the first whole minute at least a minute ahead', () => {
    const now = at('2026-03-02T17:05:11Z');
    expect(iso(scheduleMinute('not-before', now, now))).toBe('2026-03-02T17:07:00.000Z');
    expect(iso(scheduleMinute('not-before', now - 3_600_000, now))).toBe('2026-03-02T17:07:00.000Z');
    expect(iso(scheduleMinute('by', now + 30_000, now))).toBe('2026-03-02T17:07:00.000Z');
  });

  it('for any time and any moment of asking: a whole minute, at least a minute ahead, and inside the promise of its timing', () => {
    const base = at('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: -86_400_000, max: 30 * 86_400_000 }), (offset, ahead) => {
        const now = base + offset;
        const wanted = now + ahead;
        for (const timing of ['by', 'not-before'] as const) {
          const minute = scheduleMinute(timing, wanted, now);
          expect(minute % MINUTE).toBe(0);
          expect(minute).toBeGreaterThanOrEqual(now + SCHEDULE_LEAD_MS);
          // Scheduler fires anywhere in [minute, minute + 60 s).
          if (timing === 'not-before') expect(minute).toBeGreaterThanOrEqual(wanted);
          if (timing === 'by' && wanted - now > ACT_NOW_WITHIN_MS) {
            expect(minute + MINUTE).toBeLessThanOrEqual(wanted);
            expect(minute).toBeGreaterThanOrEqual(wanted - 2 * MINUTE);
          }
        }
      }),
    );
  });
});
