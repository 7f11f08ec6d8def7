/**
 * Contracts between the DR Lambdas and the failover state machine. Everything here travels
 * through Step Functions as JSON, so it holds only JSON values (times as epoch ms numbers).
 */

export type HadoopService = 'resourceManager' | 'nameNode' | 'livy';

export interface ServiceVerdict {
  healthy: boolean;
  /** Time to answer, or to give up. */
  latencyMs: number;
  /** Why it is unhealthy (timeout, connection refused, HTTP 503, haState STANDBY, ...). */
  reason?: string;
  /** Service-specific facts: RM state/haState, NameNode State and safe mode, Livy session count. */
  detail?: Record<string, string | number | boolean | null>;
  /** What it had running (YARN applications, Livy sessions), when a healthy service could say. */
  work?: WorkSeen;
}

/** Work seen running: how many, and the ids of the first few (WORK_IDS_LISTED). */
export interface WorkSeen {
  count: number;
  ids: string[];
}

export interface HealthVerdict {
  /** Configured cluster name. */
  cluster: string;
  clusterId: string;
  healthy: boolean;
  checkedAt: number;
  /** Address the probe used (NLB DNS name or master address). */
  address: string;
  services: Record<HadoopService, ServiceVerdict>;
}

export interface TargetGroupPlan {
  arn: string;
  port: number;
}

export interface FailoverPlan {
  cluster: string;
  sourceClusterId: string;
  sourceAvailabilityZone: string;
  targetAvailabilityZone: string;
  targetSubnetId: string;
  /** Private IP of the master being replaced (currently registered in the target groups). */
  oldMasterIp: string;
  targetGroups: TargetGroupPlan[];
  /** A complete EMR RunJobFlow request (AWS API shape, PascalCase keys) for the replacement. */
  runJobFlow: Record<string, unknown>;
  /** How the request was obtained. */
  source: 'template' | 'cloned';
  /** Every candidate zone, kept or dropped, and why (lib/dr/placement.ts). */
  zones: Array<{ zone: string; kept: boolean; why: string; subnetIds: string[] }>;
  /** Where the replacement is tried, in order; `runJobFlow` is placed for the first. */
  placements: PlacementAttempt[];
}

/** One place to create the replacement: its zone(s), and what replaces the request's Instances placement. */
export interface PlacementAttempt {
  /** The zone (instance groups), or the fitting zones EMR chooses among (instance fleets), comma-separated. */
  zone: string;
  subnetIds: string[];
  instances: { Ec2SubnetId: string } | { Ec2SubnetIds: string[] };
}

export type { FailoverInput } from './failover-input.ts';
