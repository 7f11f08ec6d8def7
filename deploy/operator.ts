import type { LifeguardConfig } from '../lib/config/schema.ts';
import { lifeguardDashboard } from './dashboard.ts';
import { deadlineMissAlarm } from './deadline-alarm.ts';
import { NOTIFICATION_DLQ_ID, notificationResources } from './notifications.ts';

/** What operators look at: the dashboard, the deadline-miss alarm and the optional notifications. */
export function operatorResources(config: LifeguardConfig, service: string, stage: string): Record<string, unknown> {
  const notifications = notificationResources(config, service, stage);
  return {
    ...notifications.resources,
    ...deadlineMissAlarm(service, stage, notifications.topicArns),
    ...lifeguardDashboard(config, service, stage, config.notifications ? [NOTIFICATION_DLQ_ID] : []),
  };
}
