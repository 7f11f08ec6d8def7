import type { OneTimeSchedule, Scheduler } from '../../lib/aws/ports.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';

export interface ScheduleRecord {
  name: string;
  /** Epoch ms, as last set. */
  at: number;
  description: string;
  createdAt: number;
  updates: number;
  firedAt?: number;
  deletedAt?: number;
}

/**
 * EventBridge Scheduler on the virtual clock: one-time schedules that fire once at their time and
 * are then deleted (ActionAfterCompletion DELETE). Upserting an existing name moves it. `onFire`
 * hands the payload to the simulated Lambda (whose retries model the target's retry policy).
 */
export class InMemoryScheduler implements Scheduler {
  readonly records: ScheduleRecord[] = [];
  private readonly live = new Map<string, { record: ScheduleRecord; cancel: () => void }>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly onFire: (payload: Record<string, unknown>, record: ScheduleRecord) => void,
  ) {}

  async upsert(schedule: OneTimeSchedule): Promise<void> {
    const now = this.clock.now();
    const existing = this.live.get(schedule.name);
    existing?.cancel();
    const record = existing?.record ?? { name: schedule.name, at: schedule.at, description: schedule.description, createdAt: now, updates: 0 };
    if (existing) record.updates++;
    Object.assign(record, { at: schedule.at, description: schedule.description });
    if (!existing) this.records.push(record);
    const payload = structuredClone(schedule.payload);
    const cancel = this.clock.schedule(Math.max(0, schedule.at - now), () => {
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
