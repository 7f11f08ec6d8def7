import { formatLostWork, formatStandby, formatStepsReport } from '../../lib/dr/format-failover.ts';
import type { RtoReport } from '../../lib/dr/rto.ts';
import type { SimulationResult, TimelineEntry } from './result.ts';

const ACTOR_WIDTH = 11;

/** A readable timeline and summary for a terminal. */
export function formatTimelineEntry(entry: TimelineEntry): string {
  const t = `${entry.t.toFixed(3).padStart(9)}s`;
  const subject = entry.pod ?? entry.node ?? '';
  const parts = [t, entry.actor.padEnd(ACTOR_WIDTH), entry.action.padEnd(20), subject, entry.detail ? `— ${entry.detail}` : ''];
  return parts.filter(Boolean).join('  ').trimEnd();
}

export function formatSummary(result: SimulationResult): string {
  return [result.invocations.length || Object.keys(result.pods).length ? interruptionSummary(result) : '', result.failover ? failoverSummary(result.failover) : '']
    .filter(Boolean)
    .join('\n');
}

function failoverSummary(failover: NonNullable<SimulationResult['failover']>): string {
  const lines = ['', 'Disaster recovery'];
  for (const e of failover.executions) {
    lines.push(`  ${shortId(e.id)}: ${e.trigger.mode}${e.trigger.dryRun ? ' (dry run)' : ''} of ${e.trigger.cluster} at ${e.trigger.at}s → ${e.outcome}${e.error ? `: ${e.error.cause}` : ''}`);
  }
  lines.push(`  RTO                     ${failover.rtoSeconds === null ? 'no completed failover' : `${failover.rtoSeconds} s`}`);
  if (failover.phases) lines.push(`  phases                  ${Object.entries(failover.phases).map(([k, v]) => `${k} ${v} s`).join(', ')}`);
  for (const [arn, targets] of Object.entries(failover.targets)) {
    lines.push(`  ${arn.split(':').pop()} → ${targets.map((t) => `${t.ip}:${t.port} ${t.state}`).join(', ') || 'EMPTY'}`);
  }
  for (const c of Object.values(failover.clusters)) lines.push(`  ${c.name}: ${c.state} in ${c.zone}${c.replaces ? ` (replaces ${c.replaces})` : ''}`);
  for (const e of failover.executions) {
    const report = (e.output as { report?: Partial<RtoReport> } | undefined)?.report;
    if (report?.standby) lines.push(...formatStandby(report.standby).map((l) => `  ${l}`));
    for (const w of report?.warnings ?? []) lines.push(`  warning                 ${w}`);
    if (report?.steps) lines.push(...formatStepsReport(report.steps).map((l) => `  ${l}`));
    if (report && report.lostWork !== undefined && report.mode) lines.push(...formatLostWork(report.lostWork, report.mode).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

function interruptionSummary(result: SimulationResult): string {
  const s = result.summary;
  const outcomes = new Map<string, number>();
  for (const pod of Object.values(result.pods)) outcomes.set(pod.outcome, (outcomes.get(pod.outcome) ?? 0) + 1);
  const lines = [
    '',
    `Interruptions (${result.scenario})`,
    `  cordon latency          ${s.cordonLatencySeconds === null ? 'no cordon' : `${s.cordonLatencySeconds.toFixed(3)} s after delivery`}`,
    `  deadline met            ${s.deadlineMet === null ? 'n/a (nothing to drain)' : s.deadlineMet ? 'yes' : 'NO'}`,
    `  pods killed at deadline ${s.podsKilledAtDeadline}`,
    `  executors decommissioned ${s.executorsDecommissioned}, killed ${s.executorsKilled}`,
    ...(s.driversBeforeExecutors ? [`  drivers before executors ${s.driversBeforeExecutors} (Spark's order broken)`] : []),
    `  forced deletions        ${s.forcedDeletions}`,
    `  PDB violations          ${s.pdbViolations}`,
    `  pod outcomes            ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  const warnings = result.invocations.flatMap((i) => (i.report?.instances ?? []).flatMap((n) => n.drain?.warnings ?? []));
  for (const w of warnings) lines.push(`  warning                 ${w.message}`);
  for (const e of s.errors) lines.push(`  error                   ${e}`);
  return lines.join('\n');
}

/** `arn:aws:states:...:execution:MACHINE:NAME` → NAME */
const shortId = (executionArn: string) => executionArn.split(':').pop() ?? executionArn;
