import type { Cluster, Command, Configuration, StepSummary } from '@aws-sdk/client-emr';
import type { EmrClusterConfig } from '../../config/dr.ts';
import type { TypeNeeds } from '../../dr/instance-type-offerings.ts';
import type { Severity } from '../types.ts';

/** What `lifeguard audit --emr` reports: what a failover of this EMR cluster cannot save, or cannot do. */
export type DrFindingCheck =
  | 'metastore-on-cluster'
  | 'warehouse-on-hdfs'
  | 'job-data-on-hdfs'
  | 'too-few-fitting-zones'
  | 'single-candidate-subnet'
  | 'role-not-listed'
  | 'health-check-port-mismatch'
  | 'load-balancer-misses-zone'
  | 'names-failed-zone-resource'
  | 'unsafe-step-resubmit'
  | 'serving-cluster-moved'
  | 'standby-unusable'
  | 'standby-differs';

export interface DrFinding {
  check: DrFindingCheck;
  severity: Severity;
  scope: { kind: 'emr-cluster'; name: string };
  message: string;
  why: string;
  fix: string;
  objects: string[];
}

export interface AuditSubnet {
  id: string;
  zone: string;
}

export interface AuditTargetGroup {
  arn: string;
  port: number | undefined;
  /** `traffic-port` or a port number, as ELBv2 gives it. */
  healthCheckPort: string | undefined;
  loadBalancerArns: string[];
}

/** Everything the DR checks look at for one cluster, read-only (lib/audit/dr/read-emr.ts). */
export interface EmrAuditInput {
  /** The configured name, or the cluster id when it is not configured. */
  name: string;
  cluster: Cluster;
  configurations: Configuration[];
  instanceTypes: string[];
  /** What each instance group (one type) or instance fleet (any one of its types) needs offered in a zone. */
  typeNeeds: TypeNeeds;
  bootstrapActions: Command[];
  /** The most recent steps (one ListSteps page). */
  steps: StepSummary[];
  /** Where a replacement may go: the configured candidates (or, unconfigured, every subnet of the VPC but the cluster's). */
  candidateSubnets: AuditSubnet[];
  /** Instance types EC2 offers, by zone, among the cluster's types. */
  offerings: Map<string, Set<string>>;
  targetGroups: AuditTargetGroup[];
  /** Zones each load balancer in front of the master has enabled. */
  loadBalancerZones: Map<string, string[]>;
  configured?: EmrClusterConfig | undefined;
  /** The standby now (lib/dr/standby.ts findStandby), or why there is none; undefined when none is configured. */
  standby?: { cluster: Cluster } | { why: string } | undefined;
}

export interface DrAuditReport {
  source: string;
  summary: Record<Severity, number> & { clusters: number };
  findings: DrFinding[];
}
