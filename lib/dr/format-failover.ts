import type { StepsReport } from './carry-steps.ts';

/** The steps part of a failover report for a terminal: what was carried over, left behind, finished. */
export function formatStepsReport(steps: StepsReport): string[] {
  const lines = [`steps of ${steps.oldClusterId} (resubmitSteps ${steps.resubmitSteps}):`];
  for (const s of steps.carriedOver) lines.push(`  carried over  ${s.oldId} → ${s.newId}  ${s.name} (was ${s.was}; ActionOnFailure ${s.actionOnFailure})`);
  for (const s of steps.leftBehind) lines.push(`  left behind   ${s.id}  ${s.name} (${s.state}): ${s.reason}`);
  for (const s of steps.finished) lines.push(`  finished      ${s.id}  ${s.name} (${s.state})`);
  if (steps.finishedNotListed) lines.push(`  … and ${steps.finishedNotListed} earlier finished step(s)`);
  if (steps.truncated) lines.push('  (only the most recent steps were read)');
  if (lines.length === 1) lines.push('  none');
  return lines;
}
