import type { InterruptionConfig } from '../lib/config/interruption.ts';
import { deadLetterQueue, getAtt, rulesMaySend } from './cfn.ts';

export const NOTICE_QUEUE_ID = 'InterruptionNoticeQueue';
export const NOTICE_DEAD_LETTER_QUEUE_ID = 'InterruptionNoticeDeadLetterQueue';

/**
 * The notice queue: encrypted (SQS-managed keys, which EventBridge and Scheduler can write to with
 * no key policy), notices kept `retentionDays`, hidden for `visibilityTimeoutSeconds` once
 * received, and after `maxReceiveCount` receives without success moved to its dead-letter queue
 * (retained with the stack, like every dead-letter queue). Only the given rules may send to it
 * through EventBridge; the function and the scheduler role send through their own IAM grants.
 */
export function noticeQueueResources(queue: InterruptionConfig['queue'], ruleIds: string[]): Record<string, unknown> {
  return {
    [NOTICE_QUEUE_ID]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: queue.retentionDays * 86_400,
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: getAtt(NOTICE_DEAD_LETTER_QUEUE_ID, 'Arn'), maxReceiveCount: queue.maxReceiveCount },
      },
    },
    [NOTICE_DEAD_LETTER_QUEUE_ID]: deadLetterQueue(),
    [`${NOTICE_QUEUE_ID}Policy`]: rulesMaySend(NOTICE_QUEUE_ID, ruleIds, 'InterruptionRules'),
  };
}
