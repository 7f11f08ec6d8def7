import { createHash } from 'node:crypto';

/**
 * EventBridge Scheduler allows schedule group names of 1 to 64 characters from [0-9a-zA-Z-_.]
 * (Scheduler API reference, CreateScheduleGroup; AWS::Scheduler::ScheduleGroup Name).
 */
export const SCHEDULE_GROUP_NAME_MAX = 64;

/**
 * The interruption function's own schedule group: `<function>-work`, or, where that exceeds 64
 * characters (stages of 37 characters and more), its first characters and a hash of the whole
 * name, so the name stays valid, stable across deploys and distinct per stage.
 */
export function scheduleGroupName(functionName: string): string {
  const name = `${functionName}-work`;
  if (name.length <= SCHEDULE_GROUP_NAME_MAX) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, SCHEDULE_GROUP_NAME_MAX - hash.length - 1)}-${hash}`;
}
