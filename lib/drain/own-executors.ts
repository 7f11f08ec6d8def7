import type { PlannedPod } from './plan.ts';

/**
 * Whether `driver` must outlive `executor` on this node: the executor is its own, or nothing tells
 * that it is not. An executor migrating its blocks reports their new locations to its driver, so
 * the driver waits for its own executors and for no one else's.
 *
 * Owned by the driver pod (Spark makes the driver the executors' controlling owner) → its own.
 * Else both name their application (`spark-app-selector`, or EMR on EKS's job id) → the same one.
 * Else an executor owned by another pod belongs to that pod; one that says nothing might be the
 * driver's, and is waited for.
 */
export function isOwnExecutor(driver: Pick<PlannedPod, 'uid' | 'appId'>, executor: Pick<PlannedPod, 'sparkRole' | 'appId' | 'driverUid'>): boolean {
  if (executor.sparkRole !== 'executor') return false;
  if (executor.driverUid !== undefined && executor.driverUid === driver.uid) return true;
  if (executor.appId !== undefined && driver.appId !== undefined) return executor.appId === driver.appId;
  return executor.driverUid === undefined;
}
