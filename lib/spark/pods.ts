import type { V1Pod } from '@kubernetes/client-node';

/** Labels Spark on Kubernetes puts on the pods it creates. */
export const SPARK_ROLE_LABEL = 'spark-role';
export const SPARK_APP_LABEL = 'spark-app-selector';
export const SPARK_EXEC_ID_LABEL = 'spark-exec-id';
/** Labels EMR on EKS adds to the job's pods. */
export const EMR_JOB_ID_LABEL = 'emr-containers.amazonaws.com/job.id';
export const EMR_VIRTUAL_CLUSTER_LABEL = 'emr-containers.amazonaws.com/virtual-cluster-id';
export const EMR_COMPONENT_LABEL = 'emr-containers.amazonaws.com/component';

/** Kubernetes' default when a pod does not set terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

export type SparkRole = 'executor' | 'driver';

export interface SparkPodInfo {
  role: SparkRole;
  /** The Spark application id (spark-app-selector), else the EMR on EKS job id. */
  appId?: string;
  executorId?: string;
  emrJobId?: string;
  emrVirtualClusterId?: string;
}

function labels(pod: V1Pod): Record<string, string> {
  return pod.metadata?.labels ?? {};
}

/** Spark's own `spark-role` label wins; EMR on EKS's component label is the fallback. */
export function sparkRole(pod: V1Pod): SparkRole | undefined {
  const l = labels(pod);
  for (const value of [l[SPARK_ROLE_LABEL], l[EMR_COMPONENT_LABEL]]) {
    if (value === 'executor' || value === 'driver') return value;
  }
  return undefined;
}

/** Spark facts about a pod, or undefined when it is not a Spark driver or executor. */
export function sparkInfo(pod: V1Pod): SparkPodInfo | undefined {
  const role = sparkRole(pod);
  if (!role) return undefined;
  const l = labels(pod);
  const info: SparkPodInfo = { role };
  const appId = l[SPARK_APP_LABEL] ?? l[EMR_JOB_ID_LABEL];
  if (appId) info.appId = appId;
  if (role === 'executor' && l[SPARK_EXEC_ID_LABEL]) info.executorId = l[SPARK_EXEC_ID_LABEL];
  if (l[EMR_JOB_ID_LABEL]) info.emrJobId = l[EMR_JOB_ID_LABEL];
  if (l[EMR_VIRTUAL_CLUSTER_LABEL]) info.emrVirtualClusterId = l[EMR_VIRTUAL_CLUSTER_LABEL];
  return info;
}

/**
 * The uid of the pod that controls this one: for an executor, its driver (Spark makes the driver
 * pod the controlling owner of every executor pod, so they are garbage-collected with it).
 */
export function ownerPodUid(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((ref) => ref.kind === 'Pod' && ref.controller === true)?.uid;
}

export const isSparkExecutor = (pod: V1Pod): boolean => sparkRole(pod) === 'executor';
export const isSparkDriver = (pod: V1Pod): boolean => sparkRole(pod) === 'driver';

// Spark's decommission script: /opt/decom.sh in Apache images, /usr/bin/decom.sh on EMR on EKS.
const DECOM_SCRIPT = /(^|[\s/'"=;&|])decom\.sh\b/;

/**
 * True when a container has a preStop exec hook that runs Spark's decommission script, i.e. the
 * application runs with spark.decommission.enabled and evicting the pod migrates its blocks.
 */
export function hasDecommissionHook(pod: V1Pod): boolean {
  return (pod.spec?.containers ?? []).some((container) => {
    const command = container.lifecycle?.preStop?.exec?.command ?? [];
    return command.some((part) => DECOM_SCRIPT.test(part));
  });
}

/** The pod's own shutdown allowance, in seconds. */
export function graceSeconds(pod: V1Pod): number {
  const grace = pod.spec?.terminationGracePeriodSeconds;
  return typeof grace === 'number' && Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_GRACE_SECONDS;
}

/** `namespace/name`, for logs and reports. */
export function podRef(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? '?'}`;
}
