import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { ceilMinute } from '../lifecycle/schedule-timing.ts';
import type { OneTimeSchedule, Scheduler } from './ports.ts';
import { ConfigError } from '../config/errors.ts';

export interface SchedulerTarget {
  /** Lifeguard's own schedule group. */
  groupName: string;
  /** Where the schedules deliver: the notice queue the interruption function consumes. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to send there (and to write the DLQ). */
  roleArn: string;
  /** Where a continuation that still fails after the retries lands, for redrive. */
  deadLetterArn: string;
}

/** The environment variables the stack sets on the interruption function (deploy/interruption.ts). */
export const SCHEDULER_ENV = {
  groupName: 'LIFEGUARD_SCHEDULE_GROUP',
  targetArn: 'LIFEGUARD_SCHEDULE_TARGET_ARN',
  roleArn: 'LIFEGUARD_SCHEDULER_ROLE_ARN',
  deadLetterArn: 'LIFEGUARD_SCHEDULE_DLQ_ARN',
} as const satisfies Record<keyof SchedulerTarget, string>;

/** Read once per container; a missing variable is a deployment error, named. */
export function schedulerTargetFromEnvironment(env: NodeJS.ProcessEnv = process.env): SchedulerTarget {
  const read = (key: keyof SchedulerTarget) => {
    const value = env[SCHEDULER_ENV[key]];
    if (!value) throw new ConfigError(`${SCHEDULER_ENV[key]} is not set: the interruption function needs it to schedule work (deploy the stack with serverless.ts)`);
    return value;
  };
  return { groupName: read('groupName'), targetArn: read('targetArn'), roleArn: read('roleArn'), deadLetterArn: read('deadLetterArn') };
}

/**
 * `at(2026-12-01T10:00:00)` in UTC, always a whole minute: Scheduler invokes within the minute named
 * (60 s precision), so seconds would promise what it does not keep. The engine asks for whole
 * minutes already (lib/lifecycle/schedule-timing.ts); any other time is rounded up, never earlier.
 */
export function atExpression(ms: number): string {
  return `at(${new Date(ceilMinute(ms)).toISOString().slice(0, 19)})`;
}

/**
 * Scheduler over EventBridge Scheduler: one-time schedules, deleted once they fire
 * (ActionAfterCompletion DELETE), each with a retry policy and a dead-letter queue. A name that
 * exists already is updated in place, so a redelivered or updated event moves its schedule instead
 * of making a second one.
 */
export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerTarget,
  ) {}

  request(schedule: OneTimeSchedule): CreateScheduleCommandInput {
    return {
      Name: schedule.name,
      GroupName: this.target.groupName,
      Description: schedule.description.slice(0, 512),
      ScheduleExpression: atExpression(schedule.at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        // The continuation is the message body (Scheduler's Input for an SQS target).
        Arn: this.target.targetArn,
        RoleArn: this.target.roleArn,
        Input: JSON.stringify(schedule.payload),
        // A continuation is time-critical but its handler is idempotent: retry for up to an hour.
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: this.target.deadLetterArn },
      },
    };
  }

  async upsert(schedule: OneTimeSchedule): Promise<void> {
    const input = this.request(schedule);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.target.groupName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}
