import { z } from 'zod';
import { awsIdFormat, awsIdPattern } from '../util/aws-ids.ts';
import { eksClusterSchema } from './clusters.ts';
import { interruptionConfigSchema } from './interruption.ts';
import { drConfigSchema } from './dr.ts';
import { notificationsConfigSchema } from './notifications.ts';

export const lifeguardConfigSchema = z
  .object({
    /** AWS region the stack is deployed to (defaults for clusters without one). */
    region: z.string().min(1).default('us-east-1'),
    /** EKS clusters whose nodes are protected from interruptions. */
    eks: z.array(eksClusterSchema).default([]),
    interruption: interruptionConfigSchema,
    dr: drConfigSchema,
    /**
     * VPC access for the functions that must reach inside it: the interruption function (a private
     * EKS API endpoint) and the EMR probes (the NLB or master address). The subnets need a route to
     * the AWS APIs Lifeguard calls (NAT or VPC endpoints).
     */
    network: z
      .object({
        subnetIds: z.array(z.string().regex(awsIdPattern('subnet'), awsIdFormat('subnet', 'subnet'))).min(1),
        securityGroupIds: z.array(z.string().regex(awsIdPattern('sg'), awsIdFormat('security group', 'sg'))).min(1),
      })
      .strict()
      .optional(),
    /** Source of Lifeguard's own events on the default event bus. */
    eventSource: z.string().min(1).default('lifeguard'),
    /** Optional notifications of Lifeguard's own events to an SNS topic and/or a webhook. */
    notifications: notificationsConfigSchema,
  })
  .strict()
  // EventBridge rules, EKS access entries and the failover's target groups are regional: the stack
  // only sees and reaches resources in its own region.
  .superRefine((config, ctx) => {
    config.eks.forEach((cluster, i) => {
      if (cluster.region && cluster.region !== config.region) {
        ctx.addIssue({ code: 'custom', path: ['eks', i, 'region'], message: `'${cluster.region}' differs from the stack's region '${config.region}': deploy one stack per region` });
      }
    });
    config.dr.clusters.forEach((cluster, i) => {
      // The confirm Lambda probes the standby's master by its private IP, which only a function in the VPC reaches.
      if (cluster.standby && !config.network) {
        ctx.addIssue({ code: 'custom', path: ['dr', 'clusters', i, 'standby'], message: "a failover probes the standby at its master's private IP: set network (subnetIds, securityGroupIds) so the DR functions run in the cluster's VPC" });
      }
      cluster.targetGroups.forEach((group, j) => {
        const region = group.arn.split(':')[3];
        if (region !== config.region) {
          ctx.addIssue({ code: 'custom', path: ['dr', 'clusters', i, 'targetGroups', j, 'arn'], message: `target group in '${region}', not the stack's region '${config.region}': deploy one stack per region` });
        }
      });
    });
  });

export type LifeguardConfig = z.infer<typeof lifeguardConfigSchema>;
