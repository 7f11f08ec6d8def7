import type { Notice } from '../../lib/events/notice.ts';

/** When the notices below were sent. */
export const NOTICE_TIME = Date.parse('2026-03-02T17:05:11Z');
export const NOTICE_INSTANCE = 'i-0aaa1111bbbb22220';
export const HEALTH_EVENT_ARN = 'arn:aws:health:us-east-1::event/EC2/X/Y';

type Of<K extends Notice['kind']> = Extract<Notice, { kind: K }>;

const base = { eventId: 'e', source: 's', detailType: 'd', account: '123456789012', region: 'us-east-1', eventTime: NOTICE_TIME, instanceIds: [NOTICE_INSTANCE] };

/** A Spot interruption warning: terminate in two minutes. */
export const spotNotice = (over: Partial<Of<'spot-interruption'>> = {}): Notice => ({ ...base, kind: 'spot-interruption', action: 'terminate', deadline: NOTICE_TIME + 120_000, ...over });

export const rebalanceNotice = (over: Partial<Of<'rebalance-recommendation'>> = {}): Notice => ({ ...base, kind: 'rebalance-recommendation', deadline: null, ...over });

export const stoppingNotice = (over: Partial<Of<'state-change'>> = {}): Notice => ({ ...base, kind: 'state-change', state: 'stopping', deadline: NOTICE_TIME, ...over });

export const asgLifecycleNotice = (over: Partial<Of<'asg-lifecycle'>> = {}): Notice => ({
  ...base,
  kind: 'asg-lifecycle',
  autoScalingGroupName: 'g',
  lifecycleHookName: 'h',
  lifecycleActionToken: 't',
  deadline: null,
  ...over,
});

/** An AWS Health scheduled retirement starting at `startTime`, upcoming. */
export const healthNotice = (startTime: number, over: Partial<Of<'scheduled-change'>> = {}): Notice => ({
  ...base,
  kind: 'scheduled-change',
  eventArn: HEALTH_EVENT_ARN,
  eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
  change: 'retirement',
  status: 'upcoming',
  startTime,
  endTime: null,
  deadline: startTime,
  ...over,
});
