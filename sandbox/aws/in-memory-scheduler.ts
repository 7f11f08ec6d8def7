import type { OneTimeSchedule, Scheduler } from '../../lib/aws/ports.ts';
import { ceilMinute, fireWindow } from '../../lib/lifecycle/schedule-timing.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { mulberry32 } from '../kube/random.ts';

export interface ScheduleRecord {
  name: string;
  /** Epoch ms of the minute it names, as last set (it fires within that minute). */
  at: number;
  description: string;
  createdAt: number;
  updates: number;
  firedAt?: number;
  deletedAt?: number;
}

/**
 * EventBridge Scheduler on the virtual clock: one-time schedules that fire once and are then
 * deleted (ActionAfterCompletion DELETE). Upserting an existing name moves it. As Scheduler does, a
 * schedule fires within the minute its at() names ("60 second precision"), not at a second: here at
 * a point of that minute drawn from `random` — seeded, so a run is repeatable, and a test that
 * passes `() => 0.999` sees the latest firing Scheduler allows. A minute that has already begun is
 * refused: Scheduler may never run it, and Lifeguard must never ask for one.
 * `onFire` hands the payload to the simulated Lambda (whose retries model the target's retry policy).
 */
export class InMemoryScheduler implements Scheduler {
  readonly records: ScheduleRecord[] = [];
  private readonly live = new Map<string, { record: ScheduleRecord; cancel: () => void }>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly onFire: (payload: Record<string, unknown>, record: ScheduleRecord) => void,
    private readonly random: () => number = mulberry32(1),
  ) {}

  async upsert(schedule: OneTimeSchedule): Promise<void> {
    const now = this.clock.now();
    // The minute the adapter's at() names (lib/aws/scheduler.ts rounds up the same way).
    const minute = ceilMinute(schedule.at);
    if (minute <= now) {
      throw new Error(`${schedule.name}: at(${new Date(minute).toISOString().slice(0, 19)}) names a minute already begun at ${new Date(now).toISOString()}: Scheduler may never run it`);
    }
    const existing = this.live.get(schedule.name);
    existing?.cancel();
    const record = existing?.record ?? { name: schedule.name, at: minute, description: schedule.description, createdAt: now, updates: 0 };
    if (existing) record.updates++;
    Object.assign(record, { at: minute, description: schedule.description });
    if (!existing) this.records.push(record);
    const payload = structuredClone(schedule.payload);
    const { from, to } = fireWindow(minute);
    const firesAt = from + Math.floor(this.random() * (to - from));
    const cancel = this.clock.schedule(firesAt - now, () => {
      this.live.delete(schedule.name);
      record.firedAt = this.clock.now();
      record.deletedAt = this.clock.now();
      this.onFire(payload, record);
    });
    this.live.set(schedule.name, { record, cancel });
  }

  async delete(name: string): Promise<void> {
    const existing = this.live.get(name);
    if (!existing) return;
    existing.cancel();
    existing.record.deletedAt = this.clock.now();
    this.live.delete(name);
  }

  /** Schedules still waiting to fire. */
  get pending(): ScheduleRecord[] {
    return [...this.live.values()].map((l) => l.record);
  }
}
