import { z } from 'zod';
import { UnsupportedEventError, instanceIdSchema, noticeBase, validate } from '../envelope.ts';
import type { Envelope, EventParser } from '../envelope.ts';
import type { StateChangeNotice } from '../notice.ts';

/** Every state EC2 reports; only the ones where the instance is going away make a notice. */
export const stateChangeDetailSchema = z.object({
  'instance-id': instanceIdSchema,
  state: z.enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']),
});

const LEAVING_STATES = ['stopping', 'shutting-down', 'stopped', 'terminated'] as const;
type LeavingState = (typeof LEAVING_STATES)[number];

function isLeaving(state: string): state is LeavingState {
  return (LEAVING_STATES as readonly string[]).includes(state);
}

export const stateChangeParser = {
  source: 'aws.ec2',
  detailType: 'EC2 Instance State-change Notification',
  rule: {
    name: 'StateChange',
    description: 'EC2 Instance State-change Notification: an instance is stopping or shutting down',
    detail: { state: ['stopping', 'shutting-down'] },
  },
  parse(envelope: Envelope): StateChangeNotice {
    const detail = validate(stateChangeDetailSchema, envelope.detail, ['detail']);
    if (!isLeaving(detail.state)) {
      throw new UnsupportedEventError(
        `detail.state: ${JSON.stringify(detail.state)} is not an interruption (Lifeguard acts on ${LEAVING_STATES.join(' | ')})`,
        'detail.state',
      );
    }
    const base = noticeBase(envelope);
    return {
      kind: 'state-change',
      ...base,
      instanceIds: [detail['instance-id']],
      state: detail.state,
      // The instance is already on its way down: whatever is left must happen now.
      deadline: base.eventTime,
    };
  },
} satisfies EventParser;
