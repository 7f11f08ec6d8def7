import { parseConfig } from '../../lib/config/load.ts';

/** The roles a replacement passes (the planner refuses any other). */
export const DR_TEST_ROLES = {
  service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2',
  instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole',
  autoScaling: 'arn:aws:iam::123456789012:role/EMR_AutoScaling_DefaultRole',
};

/** One protected EMR cluster behind one Livy target group: the smallest DR configuration. */
export const LIVY_TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/livy/0123456789abcdef';

export const drTestConfig = parseConfig({
  dr: {
    clusters: [
      {
        name: 'analytics',
        clusterId: 'j-2AXXXXXXGAPLF',
        probe: { address: 'livy-nlb.internal' },
        targetGroups: [{ arn: LIVY_TARGET_GROUP, port: 8998 }],
        placement: { candidateSubnetIds: ['subnet-0bbb2222'] },
        roles: DR_TEST_ROLES,
      },
    ],
  },
});
