import type { LifeguardConfig } from '../lib/config/schema.ts';
import { deadLetterQueueIds } from './cfn.ts';
import { lifeguardDashboard } from './dashboard.ts';
import { deadlineMissAlarm } from './deadline-alarm.ts';
import { notificationResources } from './notifications.ts';

/**
 * What operators look at: the dashboard, the deadline-miss alarm and the optional notifications.
 * `stack` holds the rest of the stack's resources: the dashboard shows every queue among them, so a
 * dead-letter queue added anywhere appears there without a list to keep up to date.
 */
export function operatorResources(config: LifeguardConfig, service: string, stage: string, stack: Record<string, unknown>): Record<string, unknown> {
  const notifications = notificationResources(config, service, stage);
  return {
    ...notifications.resources,
    ...deadlineMissAlarm(service, stage, notifications.topicArns),
    ...lifeguardDashboard(config, service, stage, deadLetterQueueIds({ ...stack, ...notifications.resources })),
  };
}
