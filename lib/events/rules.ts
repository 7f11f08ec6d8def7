/**
 * The EventBridge rules Lifeguard deploys, one per signal, as data: the stack turns each into an
 * AWS::Events::Rule (the name becomes part of its logical id), and the tests prove every sample
 * event matches exactly one of them.
 */
export interface InterruptionRule {
  name: string;
  description: string;
  pattern: Record<string, unknown>;
}

export const interruptionRules: ReadonlyArray<InterruptionRule> = [
  {
    name: 'SpotInterruption',
    description: 'EC2 Spot Instance Interruption Warning: two minutes before a Spot Instance is reclaimed',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Spot Instance Interruption Warning'],
    },
  },
  {
    name: 'RebalanceRecommendation',
    description: 'EC2 Instance Rebalance Recommendation: a Spot Instance is at elevated risk of interruption',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance Rebalance Recommendation'],
    },
  },
  {
    name: 'HealthScheduledChange',
    description: 'AWS Health scheduled changes for EC2: reboots, maintenance and retirements, up to weeks ahead',
    pattern: {
      source: ['aws.health'],
      'detail-type': ['AWS Health Event'],
      detail: {
        service: ['EC2'],
        eventTypeCategory: ['scheduledChange'],
      },
    },
  },
  {
    name: 'StateChange',
    description: 'EC2 Instance State-change Notification: an instance is stopping or shutting down',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: {
        state: ['stopping', 'shutting-down'],
      },
    },
  },
  {
    name: 'AsgTerminateLifecycle',
    description: 'Auto Scaling terminate lifecycle action: an instance waits in Terminating:Wait for Lifeguard',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
    },
  },
];
