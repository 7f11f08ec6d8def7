/**
 * When the drain stops waiting for tier k and moves on to tier k+1: the earlier of
 * - its fair share, tier start + (budgetEnd − tier start) / (non-empty tiers left, this one
 *   included), so one pod stuck behind a disruption budget cannot starve the tiers after it, and
 * - the latest start of tier k+1, budgetEnd − the longest grace in tier k+1, so the next tier can
 *   still shut down gracefully.
 * Pure; epoch ms.
 */
export function tierCutoff(input: { tierStart: number; budgetEnd: number; tiersLeft: number; nextLongestGraceSeconds: number }): number {
  const fairShareEnd = input.tierStart + Math.max(0, input.budgetEnd - input.tierStart) / Math.max(1, input.tiersLeft);
  const nextLatestStart = input.budgetEnd - input.nextLongestGraceSeconds * 1000;
  return Math.min(fairShareEnd, nextLatestStart);
}
