import { z } from 'zod';
import { instanceIdSchema, noticeBase, validate } from '../envelope.ts';
import type { Envelope, EventParser } from '../envelope.ts';
import type { SpotInterruptionNotice } from '../notice.ts';

/** EC2 gives two minutes' warning before it stops or terminates a Spot Instance. */
export const SPOT_WARNING_MS = 120_000;

export const spotInterruptionDetailSchema = z.object({
  'instance-id': instanceIdSchema,
  'instance-action': z.enum(['terminate', 'stop', 'hibernate']),
});

export const spotInterruptionParser = {
  source: 'aws.ec2',
  detailType: 'EC2 Spot Instance Interruption Warning',
  rule: {
    name: 'SpotInterruption',
    description: 'EC2 Spot Instance Interruption Warning: two minutes before a Spot Instance is reclaimed',
  },
  parse(envelope: Envelope): SpotInterruptionNotice {
    const detail = validate(spotInterruptionDetailSchema, envelope.detail, ['detail']);
    const base = noticeBase(envelope);
    const action = detail['instance-action'];
    return {
      kind: 'spot-interruption',
      ...base,
      instanceIds: [detail['instance-id']],
      action,
      // Hibernation starts as soon as the notice is sent: there is no two-minute window.
      deadline: action === 'hibernate' ? base.eventTime : base.eventTime + SPOT_WARNING_MS,
    };
  },
} satisfies EventParser;
