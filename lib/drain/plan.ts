import type { V1Pod } from '@kubernetes/client-node';
import { graceSeconds, hasDecommissionHook, ownerPodUid, sparkInfo, type SparkRole } from '../spark/pods.ts';
import { defaultFilters, filterPod, type PodFilter } from './filters.ts';
import { TIERS, tierOf, type Tier } from './tiers.ts';

/** Which pod, and where it stands in the drain: shared by the plan and the report. */
export interface DrainPodIdentity {
  namespace: string;
  name: string;
  uid: string;
  tier: Tier;
  sparkRole?: SparkRole;
  appId?: string;
}

export interface PlannedPod extends DrainPodIdentity {
  graceSeconds: number;
  verdict: 'evict' | 'skip';
  reason: string;
  /** Skipped because it is already terminating: not evicted again, but waited for. */
  waitForExit: boolean;
  decommissionHook: boolean;
  /** An executor's driver pod (its controlling owner), when it names one. */
  driverUid?: string;
}

export type DrainWarningCode =
  | 'executor-without-decommission-hook'
  | 'executor-grace-exceeds-deadline'
  | 'spark-driver-on-node'
  | 'eviction-failed'
  | 'pods-remaining';

export interface DrainWarning {
  code: DrainWarningCode;
  message: string;
  pod?: string;
  appId?: string;
}

export interface DrainPlan {
  nodeName: string;
  /** Pods to evict, by tier, in the order of TIERS (empty tiers left out); see tiers.ts for when each goes. */
  tiers: Array<{ tier: Tier; pods: PlannedPod[] }>;
  /** Pods left alone, with the reason (terminating ones are waited for). */
  skipped: PlannedPod[];
  warnings: DrainWarning[];
}

export interface PlanContext {
  nodeName: string;
  now: number;
  deadline: number | null;
  marginSeconds: number;
  filters?: readonly PodFilter[];
}

function plannedPod(pod: V1Pod, filters: readonly PodFilter[]): PlannedPod | undefined {
  const uid = pod.metadata?.uid;
  const name = pod.metadata?.name;
  // A pod without a name or UID cannot be evicted with a precondition; the API never returns one.
  if (!uid || !name) return undefined;
  const spark = sparkInfo(pod);
  const verdict = filterPod(pod, filters);
  const driverUid = spark?.role === 'executor' ? ownerPodUid(pod) : undefined;
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name,
    uid,
    tier: tierOf(pod),
    ...(spark ? { sparkRole: spark.role } : {}),
    ...(spark?.appId ? { appId: spark.appId } : {}),
    graceSeconds: graceSeconds(pod),
    verdict: verdict.verdict,
    reason: verdict.reason,
    waitForExit: verdict.waitForExit === true,
    decommissionHook: hasDecommissionHook(pod),
    ...(driverUid ? { driverUid } : {}),
  };
}

/**
 * Sorts the node's pods into what is evicted (by tier) and what is skipped, and lists what an
 * operator must hear about Spark on this node. Pure: the drain runs it and a dry run shows it.
 */
export function planDrain(pods: readonly V1Pod[], ctx: PlanContext): DrainPlan {
  const filters = ctx.filters ?? defaultFilters;
  const planned = pods.map((pod) => plannedPod(pod, filters)).filter((p): p is PlannedPod => p !== undefined);
  const toEvict = planned.filter((p) => p.verdict === 'evict');
  const warnings: DrainWarning[] = [];
  const leftMs = ctx.deadline === null ? Number.POSITIVE_INFINITY : ctx.deadline - ctx.now - ctx.marginSeconds * 1000;

  for (const pod of toEvict) {
    const ref = `${pod.namespace}/${pod.name}`;
    const app = pod.appId ? { appId: pod.appId } : {};
    if (pod.sparkRole === 'executor') {
      if (!pod.decommissionHook) {
        warnings.push({
          code: 'executor-without-decommission-hook',
          pod: ref,
          ...app,
          message: `executor ${ref} has no decommission preStop hook: its shuffle data will be recomputed (set spark.decommission.enabled=true)`,
        });
      }
      if (pod.graceSeconds * 1000 > leftMs) {
        warnings.push({
          code: 'executor-grace-exceeds-deadline',
          pod: ref,
          ...app,
          message:
            leftMs >= 1000
              ? `executor ${ref} asks for ${pod.graceSeconds}s to decommission but only ${Math.floor(leftMs / 1000)}s are left: its grace is clamped and migration may not finish`
              : `executor ${ref} asks for ${pod.graceSeconds}s to decommission and the instance is going away now: it keeps its own grace, migration may not finish`,
        });
      }
    }
    if (pod.sparkRole === 'driver') {
      warnings.push({
        code: 'spark-driver-on-node',
        pod: ref,
        ...app,
        message: `Spark driver ${ref} runs on interrupted node ${ctx.nodeName}: the application will fail; run drivers on On-Demand capacity`,
      });
    }
  }

  return {
    nodeName: ctx.nodeName,
    tiers: TIERS.map((tier) => ({ tier, pods: toEvict.filter((p) => p.tier === tier) })).filter((t) => t.pods.length > 0),
    skipped: planned.filter((p) => p.verdict === 'skip'),
    warnings,
  };
}
