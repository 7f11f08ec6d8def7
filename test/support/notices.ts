import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../lib/drain/cordon.ts';
import type { Notice } from '../../lib/events/notice.ts';
import { leaseValue } from '../../lib/lifecycle/lease.ts';

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

/** A Ready node `n` as Lifeguard leaves it: the event it works on, its deadline, who holds its lease. */
export function annotatedNode(opts: { current?: string; deadline?: number; lease?: { holder: string; until: number }; ready?: boolean; labels?: Record<string, string> } = {}): V1Node {
  const annotations: Record<string, string> = {};
  if (opts.current) annotations[ANNOTATIONS.eventId] = opts.current;
  if (opts.deadline !== undefined) annotations[ANNOTATIONS.deadline] = new Date(opts.deadline).toISOString();
  if (opts.lease) annotations['lifeguard.io/lease'] = leaseValue(opts.lease.holder, opts.lease.until);
  return { metadata: { name: 'n', annotations, labels: opts.labels ?? {} }, status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'Unknown' : 'True' }] } };
}
