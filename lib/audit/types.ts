import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';

/** severe: Lifeguard cannot protect this workload as it stands (the audit exits non-zero). */
export type Severity = 'severe' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['severe', 'warning', 'info'];

export type FindingCheck =
  | 'executor-without-decommission-hook'
  | 'executor-grace-exceeds-spot-window'
  | 'driver-on-spot'
  | 'no-fallback-storage'
  | 'spark-conf-not-visible'
  | 'budget-never-allows-disruption'
  | 'pod-without-controller'
  | 'daemonset-does-not-tolerate-taint'
  | 'karpenter-drains-spark-nodes'
  | 'auto-mode-drains-spark-nodes'
  | 'nth-drains-spark-nodes';

export interface Finding {
  check: FindingCheck;
  severity: Severity;
  /** What the finding is grouped under: a Spark application, a node group, or another interruption handler. */
  scope: { kind: 'spark-application' | 'node-group' | 'handler'; name: string };
  /** One line: what is wrong, naming the objects. */
  message: string;
  /** Why it matters during an interruption. */
  why: string;
  /** The exact change that makes it go away. */
  fix: string;
  /** `namespace/name` (or node names) of the objects concerned. */
  objects: string[];
}

/** Spark configuration of one application, as far as the audit could see it. */
export interface SparkConf {
  /** Where it was read from, e.g. `configmap spark/spark-drv-…-conf-map`; undefined when nothing was visible. */
  source?: string;
  values: Record<string, string>;
}

/** Everything the checks look at, from a cluster or a scenario. */
export interface AuditInput {
  nodes: V1Node[];
  pods: V1Pod[];
  pdbs: V1PodDisruptionBudget[];
  /** Spark configuration by application id (see spark-conf.ts). */
  sparkConf: Map<string, SparkConf>;
  /** Deployments and DaemonSets, as far as the credentials can list them (other interruption handlers). */
  workloads?: Workload[];
}

/** A Deployment or DaemonSet, reduced to what tells an interruption handler and its settings apart. */
export interface Workload {
  kind: 'Deployment' | 'DaemonSet';
  namespace: string;
  name: string;
  containers: Array<{ image: string; env: Record<string, string>; args: string[] }>;
}

export interface AuditOptions {
  /** The shortest window Lifeguard gets: a Spot interruption, 120 s. */
  spotWindowSeconds: number;
  /** Lifeguard's configured margin before the deadline (interruption.drain.marginSeconds). */
  marginSeconds: number;
}

export interface AuditReport {
  source: string;
  summary: Record<Severity, number> & { sparkApplications: number; nodeGroups: number; nodes: number; pods: number };
  findings: Finding[];
}
