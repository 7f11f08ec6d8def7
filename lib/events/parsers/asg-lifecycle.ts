import { z } from 'zod';
import { instanceIdSchema, noticeBase, validate } from '../envelope.ts';
import type { Envelope, EventParser } from '../envelope.ts';
import type { LifecycleNotice } from '../notice.ts';

/** Names as CompleteLifecycleAction accepts them: 1-255 characters. */
const nameSchema = z.string().min(1, { error: 'expected a non-empty name' }).max(255, { error: 'expected at most 255 characters' });

export const asgLifecycleDetailSchema = z.object({
  // CompleteLifecycleAction takes exactly 36 characters (a UUID).
  LifecycleActionToken: z.string().length(36, { error: 'expected a 36-character lifecycle action token' }),
  AutoScalingGroupName: nameSchema,
  LifecycleHookName: nameSchema,
  EC2InstanceId: instanceIdSchema,
  LifecycleTransition: z.literal('autoscaling:EC2_INSTANCE_TERMINATING'),
  // Free text the hook's owner attached; Lifeguard does not read it, but it must be text if present.
  NotificationMetadata: z.string().optional(),
});

export const asgLifecycleParser = {
  source: 'aws.autoscaling',
  detailType: 'EC2 Instance-terminate Lifecycle Action',
  rule: {
    name: 'AsgTerminateLifecycle',
    description: 'Auto Scaling terminate lifecycle action: an instance waits in Terminating:Wait for Lifeguard',
  },
  parse(envelope: Envelope): LifecycleNotice {
    const detail = validate(asgLifecycleDetailSchema, envelope.detail, ['detail']);
    return {
      kind: 'asg-lifecycle',
      ...noticeBase(envelope),
      instanceIds: [detail.EC2InstanceId],
      autoScalingGroupName: detail.AutoScalingGroupName,
      lifecycleHookName: detail.LifecycleHookName,
      lifecycleActionToken: detail.LifecycleActionToken,
      // The hook's heartbeat timeout is configured on the hook, not carried by the event.
      deadline: null,
    };
  },
} satisfies EventParser;
