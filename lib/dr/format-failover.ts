import type { StepsReport } from './carry-steps.ts';
import type { LastSeen } from './last-seen.ts';
import type { StandbyReport } from './rto.ts';

/** How service came back: the warm standby (its growth, the next standby), or why a replacement was created instead. */
export function formatStandby(standby: StandbyReport): string[] {
  if (!standby.used) return [`standby ${standby.clusterId}${standby.zone ? ` in ${standby.zone}` : ''} not used: ${standby.why}`];
  const lines = [`standby ${standby.clusterId} in ${standby.zone} ${standby.why}`];
  const grown = standby.grown;
  if (grown?.instanceGroups.length) lines.push(`  grown: ${grown.instanceGroups.map((g) => `${g.InstanceGroupId} → ${g.InstanceCount}`).join(', ')}`);
  for (const f of grown?.instanceFleets ?? []) lines.push(`  grown: ${f.InstanceFleetId} → ${f.TargetOnDemandCapacity} on-demand, ${f.TargetSpotCapacity} Spot units`);
  if (grown?.managedScalingLimits) lines.push(`  managed scaling limits set: ${JSON.stringify(grown.managedScalingLimits)}`);
  if (standby.rearmed) lines.push(`  next standby: ${standby.rearmed.clusterId} starting in ${standby.rearmed.zone}`);
  return lines;
}

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

/** What the last healthy probe saw running on the old cluster: what to re-run. */
export function formatLostWork(lost: LastSeen | null, mode: 'failover' | 'drill'): string[] {
  if (!lost) return ['work seen running: no healthy probe recorded any in the last day'];
  const verb = mode === 'drill' ? 'running on the old cluster (kept by the drill)' : 'lost with the old cluster (re-run them)';
  const list = (label: string, work: LastSeen['yarnApplications']) => {
    if (!work) return [`  ${label}: unknown (the probe could not read them)`];
    const more = work.count > work.ids.length ? `, and ${work.count - work.ids.length} more` : '';
    return [`  ${label}: ${work.count}${work.ids.length ? ` — ${work.ids.join(', ')}${more}` : ''}`];
  };
  return [
    `work the last healthy probe saw at ${lost.at}, ${verb}:`,
    ...list('YARN applications', lost.yarnApplications),
    ...list('Livy sessions', lost.livySessions),
  ];
}
