import { z } from 'zod';
import { instanceIdSchema, noticeBase, validate } from '../envelope.ts';
import type { Envelope, EventParser } from '../envelope.ts';
import type { RebalanceNotice } from '../notice.ts';

export const rebalanceDetailSchema = z.object({
  'instance-id': instanceIdSchema,
});

export const rebalanceParser = {
  source: 'aws.ec2',
  detailType: 'EC2 Instance Rebalance Recommendation',
  rule: {
    name: 'RebalanceRecommendation',
    description: 'EC2 Instance Rebalance Recommendation: a Spot Instance is at elevated risk of interruption',
  },
  parse(envelope: Envelope): RebalanceNotice {
    const detail = validate(rebalanceDetailSchema, envelope.detail, ['detail']);
    return {
      kind: 'rebalance-recommendation',
      ...noticeBase(envelope),
      instanceIds: [detail['instance-id']],
      // A recommendation is a risk signal, not a promise: the instance may run for hours yet.
      deadline: null,
    };
  },
} satisfies EventParser;
