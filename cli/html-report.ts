import type { InterruptionReport } from '../lib/interruption/report.ts';
import type { SimulationResult } from '../sandbox/scenario/result.ts';
import { drDetails, failoverChart } from './report/dr-view.ts';
import { lanesOfReport, lanesOfRun } from './report/lanes.ts';
import type { DrView, FailoverView, PageModel } from './report/model.ts';
import { legend, nodeLanes } from './report/node-lanes.ts';
import { CSS, esc } from './report/style.ts';
import { timeAxis } from './report/ticks.ts';

export type { PageModel } from './report/model.ts';

/**
 * One self-contained HTML page (inline CSS and SVG, nothing fetched) that pictures a run: a lane
 * per node with its warning, cordon, deadline and end marked, a bar per pod from the start of its
 * termination to its exit coloured by outcome (Spark executors first, by application; drivers
 * shown even when nothing touched them); nodes alike collapsed together; the failover's phases with
 * the RTO; and the clusters, their zones and masters and the target switch over time. Elements
 * carry data-* attributes so a browser test can check what the page shows.
 */
export function renderPage(page: PageModel): string {
  const latest = Math.max(10, ...page.lanes.flatMap((l) => [l.warning, l.cordon, l.deadline, l.terminated, ...l.rows.flatMap((r) => [r.from, r.to])].filter((t): t is number => t !== null)));
  const axis = timeAxis(latest);
  const pods = page.lanes.some((l) => l.rows.length);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifeguard — ${esc(page.title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(page.title)}</h1>
<ul class="summary">${page.summary.map((s) => `<li data-summary="${s.key}"${s.key === 'driversBeforeExecutors' ? ' class="bad"' : ''}>${esc(s.text)}</li>`).join('')}</ul>
${page.lanes.length ? `<h2 data-lanes="${page.lanes.length}">Nodes: termination start → exit, per pod</h2>${legend(page.lanes)}${nodeLanes(page.lanes, axis)}` : ''}
${pods || (!page.lanes.length && (page.failover || page.dr)) ? '' : '<p class="empty" data-empty="pods">No pod was drained or terminated.</p>'}
${page.quietNodes ? `<p class="quiet" data-quiet="${page.quietNodes}">${page.quietNodes} other node(s): not warned, nothing on them stopped.</p>` : ''}
${page.failover ? failoverChart(page.failover) : ''}
${page.dr ? drDetails(page.dr) : ''}
</body></html>
`;
}

/** A scenario run (`lifeguard simulate --html`). */
export function renderHtml(result: SimulationResult): string {
  const { lanes, quietNodes } = lanesOfRun(result);
  const failover = result.failover;
  return renderPage({
    title: result.scenario,
    summary: lanes.length || result.invocations.length ? summaryOf(result) : [],
    lanes,
    quietNodes,
    ...(failover?.phases && failover.rtoSeconds !== null ? { failover: { rtoSeconds: failover.rtoSeconds, phases: failover.phases } } : {}),
    ...(failover ? { dr: drViewOf(failover) } : {}),
  });
}

/** One event handled against a real cluster (`lifeguard handle --html`): its drains, from the handler's report. */
export function renderHandleHtml(report: InterruptionReport): string {
  const summary = report.instances.map((i) => `${i.instanceId} → ${i.nodeName ?? 'no node'}: ${i.status}${i.reason ? ` (${i.reason})` : ''}`).join(' · ') || (report.reason ?? '');
  return renderPage({ title: `${report.kind ?? 'event'} ${report.eventId ?? ''}`.trim(), summary: [{ key: 'instances', text: summary }], lanes: lanesOfReport(report), quietNodes: 0 });
}

/** What a drill's report says of the new cluster (the state machine's RTO report). */
export interface DrillReportView extends FailoverView {
  newClusterId: string;
  availabilityZone: string;
  newMasterIp: string;
  oldClusterRetired: boolean;
}

/**
 * A drill (`lifeguard drill --html`): the failover's phases and RTO, the new cluster, its zone and
 * master; in the sandbox also every cluster and the target switch over time.
 */
export function renderDrillHtml(cluster: string, outcome: string, report: DrillReportView | undefined, sandbox?: NonNullable<SimulationResult['failover']>): string {
  const summary = [{ key: 'outcome', text: `outcome: ${outcome}` }];
  if (report) summary.push({ key: 'newCluster', text: `new cluster ${report.newClusterId} in ${report.availabilityZone}, master ${report.newMasterIp}; old cluster ${report.oldClusterRetired ? 'retired' : 'kept'}` });
  return renderPage({
    title: `drill of ${cluster}`,
    summary,
    lanes: [],
    quietNodes: 0,
    ...(report ? { failover: { rtoSeconds: report.rtoSeconds, phases: report.phases } } : {}),
    ...(sandbox ? { dr: drViewOf(sandbox) } : {}),
  });
}

function drViewOf(failover: NonNullable<SimulationResult['failover']>): DrView {
  const ends = [...failover.executions.map((e) => e.endedAt ?? e.startedAt), ...Object.values(failover.targetHealth).flatMap((h) => h.map((c) => c.t))];
  return {
    executions: failover.executions.map((e) => ({ id: e.id.split(':').pop() ?? e.id, mode: `${e.trigger.mode}${e.trigger.dryRun ? ' (dry run)' : ''}`, cluster: e.trigger.cluster, at: e.trigger.at, outcome: e.outcome, endedAt: e.endedAt })),
    clusters: Object.entries(failover.clusters).map(([id, c]) => ({ name: c.name, id, state: c.state, zone: c.zone, masterIp: c.masterIp, replaces: c.replaces })),
    targets: Object.fromEntries(Object.entries(failover.targetHealth).map(([arn, history]) => [arn.split(':').pop() ?? arn, history])),
    endedAt: Math.max(0, ...ends),
  };
}

function summaryOf(result: SimulationResult): PageModel['summary'] {
  const s = result.summary;
  return [
    { key: 'deadlineMet', text: `deadline met: ${s.deadlineMet === null ? 'n/a (nothing to drain)' : s.deadlineMet ? 'yes' : 'NO'}` },
    { key: 'cordonLatency', text: `cordon latency: ${s.cordonLatencySeconds === null ? 'no cordon' : `${s.cordonLatencySeconds} s`}` },
    { key: 'podsKilledAtDeadline', text: `pods killed at deadline: ${s.podsKilledAtDeadline}` },
    { key: 'executors', text: `executors decommissioned: ${s.executorsDecommissioned}, killed: ${s.executorsKilled}` },
    ...(s.driversBeforeExecutors > 0 ? [{ key: 'driversBeforeExecutors', text: `drivers stopped before their executors: ${s.driversBeforeExecutors} (Spark's order broken)` }] : []),
    { key: 'forcedDeletions', text: `forced deletions: ${s.forcedDeletions}` },
    { key: 'pdbViolations', text: `PDB violations: ${s.pdbViolations}` },
    ...s.errors.map((e, i) => ({ key: `error-${i}`, text: `error: ${e}` })),
  ];
}
