/**
 * When the node's system-critical pods go even though other pods are still leaving: the earlier of
 * - half the drain's budget, drainStart + (budgetEnd − drainStart) / 2: everything before them
 *   (executors, workloads, drivers) has had its fair share, and one pod stuck behind a disruption
 *   budget must not leave the pods that keep the node working no time for their own budgets, and
 * - their latest start, budgetEnd − their longest grace, so they can still shut down gracefully.
 * Pure; epoch ms.
 */
export function criticalCutoff(input: { drainStart: number; budgetEnd: number; longestGraceSeconds: number }): number {
  const fairShareEnd = input.drainStart + Math.max(0, input.budgetEnd - input.drainStart) / 2;
  const latestStart = input.budgetEnd - input.longestGraceSeconds * 1000;
  return Math.min(fairShareEnd, latestStart);
}
