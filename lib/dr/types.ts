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
  /** The first fitting zone, and its best subnet (no zone fitting a replacement: the usable standby's). */
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
  /** Where the replacement is tried, in order; `runJobFlow` is placed for the first. Empty when no zone fits one but the standby can take over. */
  placements: PlacementAttempt[];
  /** The warm standby (lib/dr/standby.ts), when one is configured. */
  standby: StandbyPlan | null;
}

/** A warm standby: whether the failover switches to it, and what it does after. */
export interface StandbyPlan {
  clusterId: string;
  zone: string | null;
  subnetId: string | null;
  masterIp: string | null;
  /** The failover switches to it (after a healthy probe); otherwise it creates a replacement. */
  usable: boolean;
  /** Why it can or cannot take over. */
  why: string;
  grow: StandbyGrowth;
  /** The next standby's RunJobFlow request and zone (standby.rearm). */
  rearm: { zone: string; runJobFlow: Record<string, unknown> } | null;
  /** Why no rearm is planned although one is configured. */
  rearmSkipped?: string;
}

/** What takes a standby to the source's capacity once it serves. */
export interface StandbyGrowth {
  /** ModifyInstanceGroups entries: its core and task groups raised to the source's counts. */
  instanceGroups: Array<{ InstanceGroupId: string; InstanceCount: number }>;
  /** ModifyInstanceFleet's `InstanceFleet`, one call each: its core and task fleets raised to the source's targets. */
  instanceFleets: Array<{ InstanceFleetId: string; TargetOnDemandCapacity: number; TargetSpotCapacity: number }>;
  /** PutManagedScalingPolicy's policy: the source's limits. */
  managedScaling: { ComputeLimits: Record<string, unknown> } | null;
  /** What the growth does not reach, and what to do about it. */
  notGrown: string[];
}

/** One place to create the replacement: its zone(s), and what replaces the request's Instances placement. */
export interface PlacementAttempt {
  /** The zone (instance groups), or the fitting zones EMR chooses among (instance fleets), comma-separated. */
  zone: string;
  subnetIds: string[];
  instances: { Ec2SubnetId: string } | { Ec2SubnetIds: string[] };
}

export type { FailoverInput } from './failover-input.ts';
