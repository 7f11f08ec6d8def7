import type { SimulationResult } from './result.ts';

/**
 * One self-contained HTML page (inline CSS and SVG, nothing fetched) that pictures a run: a bar per
 * pod from the start of its termination to its exit, coloured by outcome, Spark executors grouped
 * by application; each drain's deadline as a line; forced deletions and PDB refusals marked; and
 * the failover's phases with the RTO. Elements carry data-* attributes so a browser test can check
 * what the page shows.
 */
export function renderHtml(result: SimulationResult): string {
  const pods = podRows(result);
  const deadlines = deadlineLines(result);
  const end = Math.max(10, ...pods.map((p) => p.to), ...deadlines.map((d) => d.t)) * 1.05;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifeguard — ${esc(result.scenario)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(result.scenario)}</h1>
<p class="summary">${summaryLine(result)}</p>
${pods.length ? podChart(pods, deadlines, end) : '<p class="empty" data-empty="pods">No pod was drained or terminated in this run.</p>'}
${legend()}
${failoverChart(result)}
</body></html>
`;
}

const OUTCOME_COLOURS: Record<string, string> = {
  evicted: '#2e7d32',
  deleted: '#ef6c00',
  'killed-at-deadline': '#c62828',
  'exited-before-deadline': '#1565c0',
  skipped: '#9e9e9e',
  untouched: '#bdbdbd',
};

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.summary { color: #424242; } .empty { color: #757575; }
svg text { font: 12px system-ui, sans-serif; fill: #212121; }
.group { font-weight: 600; } .axis { stroke: #9e9e9e; } .deadline { stroke: #c62828; stroke-width: 2; stroke-dasharray: 6 3; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0; } .legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 14px; height: 14px; display: inline-block; border-radius: 2px; }
`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface PodRow {
  pod: string;
  group: string;
  outcome: string;
  from: number;
  to: number;
  forced: boolean;
  refusals: number[];
}

/** Pods whose termination started during the run, Spark executors first, grouped by application. */
function podRows(result: SimulationResult): PodRow[] {
  const appOf = new Map<string, string>();
  for (const invocation of result.invocations) {
    for (const instance of invocation.report?.instances ?? []) {
      for (const pod of instance.drain?.pods ?? []) if (pod.appId) appOf.set(`${pod.namespace}/${pod.name}`, pod.appId);
    }
  }
  const refusals = new Map<string, number[]>();
  for (const e of result.timeline) if (e.pod && e.action.startsWith('evict-refused')) refusals.set(e.pod, [...(refusals.get(e.pod) ?? []), e.t]);
  const rows: PodRow[] = [];
  for (const [pod, p] of Object.entries(result.pods)) {
    if (p.terminatingAt === null) continue;
    const group = p.sparkRole === 'executor' ? `Spark ${appOf.get(pod) ?? 'application'}: executors` : p.sparkRole === 'driver' ? 'Spark drivers' : 'Other pods';
    rows.push({ pod, group, outcome: p.outcome, from: p.terminatingAt, to: p.goneAt ?? p.terminatingAt, forced: p.lifeguard?.forced === true, refusals: refusals.get(pod) ?? [] });
  }
  const rank = (g: string) => (g.endsWith('executors') ? 0 : g === 'Other pods' ? 1 : 2);
  return rows.sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group) || a.from - b.from || a.pod.localeCompare(b.pod));
}

function deadlineLines(result: SimulationResult): Array<{ node: string; t: number }> {
  const start = Date.parse(result.start);
  const lines = new Map<string, { node: string; t: number }>();
  for (const invocation of result.invocations) {
    for (const instance of invocation.report?.instances ?? []) {
      const deadline = instance.drain?.deadline;
      if (deadline !== undefined && deadline !== null && instance.nodeName) lines.set(instance.nodeName, { node: instance.nodeName, t: Math.round(deadline - start) / 1000 });
    }
  }
  return [...lines.values()];
}

const LEFT = 260;
const WIDTH = 900;
const ROW = 22;

function podChart(rows: PodRow[], deadlines: Array<{ node: string; t: number }>, end: number): string {
  const x = (t: number) => LEFT + (t / end) * WIDTH;
  const parts: string[] = [];
  let y = 22;
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      parts.push(`<text class="group" x="4" y="${y + 14}" data-group="${esc(group)}">${esc(group)}</text>`);
      y += ROW;
    }
    const width = Math.max(2, x(row.to) - x(row.from));
    parts.push(
      `<g data-pod="${esc(row.pod)}" data-outcome="${row.outcome}"><text x="16" y="${y + 14}">${esc(row.pod)}</text>` +
        `<rect x="${x(row.from).toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" fill="${OUTCOME_COLOURS[row.outcome] ?? '#616161'}"><title>${esc(row.pod)}: ${row.outcome}, ${row.from}s → ${row.to}s</title></rect>` +
        row.refusals.map((t) => `<line data-refusal="${t}" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${y + 2}" y2="${y + ROW - 2}" stroke="#6a1b9a" stroke-width="1.5"/>`).join('') +
        (row.forced ? `<text data-forced="true" x="${(x(row.from) - 6).toFixed(1)}" y="${y + 15}" style="fill:#ef6c00">◆</text>` : '') +
        '</g>',
    );
    y += ROW;
  }
  const height = y + 30;
  for (const d of deadlines) {
    parts.push(`<line class="deadline" data-deadline="${esc(d.node)}" data-t="${d.t}" x1="${x(d.t).toFixed(1)}" x2="${x(d.t).toFixed(1)}" y1="16" y2="${y}"/><text x="${(x(d.t) - 4).toFixed(1)}" y="12" text-anchor="end" style="fill:#c62828">deadline ${esc(d.node)} (${d.t}s)</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${LEFT + WIDTH}" y1="${y}" y2="${y}"/>`);
  for (let i = 0; i <= 5; i++) parts.push(`<text x="${x((end * i) / 5).toFixed(1)}" y="${height - 2}" text-anchor="middle">${Math.round((end * i) / 5)}s</text>`);
  return `<h2>Pods: termination start → exit</h2><svg data-chart="pods" width="${LEFT + WIDTH + 40}" height="${height}" role="img" aria-label="pod terminations">${parts.join('\n')}</svg>`;
}

function legend(): string {
  const items = Object.entries(OUTCOME_COLOURS).map(([outcome, colour]) => `<span data-legend="${outcome}"><i class="swatch" style="background:${colour}"></i>${outcome}</span>`);
  items.push('<span data-legend="refusal"><i class="swatch" style="background:#6a1b9a;width:3px"></i>PDB refusal</span>');
  items.push('<span data-legend="forced"><b style="color:#ef6c00">◆</b> forced deletion</span>');
  items.push('<span data-legend="deadline"><i class="swatch" style="background:#c62828;height:3px"></i>deadline</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

function summaryLine(result: SimulationResult): string {
  const s = result.summary;
  const met = s.deadlineMet === null ? 'n/a (nothing to drain)' : s.deadlineMet ? 'yes' : 'NO';
  return esc(`deadline met: ${met} · pods killed at deadline: ${s.podsKilledAtDeadline} · executors decommissioned: ${s.executorsDecommissioned}, killed: ${s.executorsKilled} · forced deletions: ${s.forcedDeletions} · PDB violations: ${s.pdbViolations}`);
}

const PHASE_COLOURS = ['#8e24aa', '#5e35b1', '#1e88e5', '#00897b', '#7cb342', '#fdd835', '#fb8c00'];

function failoverChart(result: SimulationResult): string {
  const phases = result.failover?.phases;
  if (!phases || result.failover?.rtoSeconds === null || result.failover?.rtoSeconds === undefined) return '';
  const entries = Object.entries(phases) as Array<[string, number]>;
  const total = Math.max(1, entries.reduce((sum, [, v]) => sum + v, 0));
  let x = LEFT;
  const bars = entries.map(([phase, seconds], i) => {
    const width = (seconds / total) * WIDTH;
    const bar = `<g data-phase="${esc(phase)}" data-seconds="${seconds}"><rect x="${x.toFixed(1)}" y="10" width="${Math.max(0, width).toFixed(1)}" height="26" fill="${PHASE_COLOURS[i % PHASE_COLOURS.length]}"><title>${esc(phase)}: ${seconds}s</title></rect>${width > 40 ? `<text x="${(x + 4).toFixed(1)}" y="28" style="fill:#fff">${esc(phase)} ${seconds}s</text>` : ''}</g>`;
    x += width;
    return bar;
  });
  return `<h2 data-rto="${result.failover.rtoSeconds}">Failover: RTO ${result.failover.rtoSeconds} s</h2><svg data-chart="failover" width="${LEFT + WIDTH + 40}" height="60"><text x="4" y="28">phases</text>${bars.join('')}</svg><p>${entries.map(([p, s]) => `${esc(p)} ${s} s`).join(' · ')}</p>`;
}
