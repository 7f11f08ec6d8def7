import type { DrView, FailoverView } from './model.ts';
import { LEFT, WIDTH } from './node-lanes.ts';
import { esc, PHASE_COLOURS, TARGET_COLOURS } from './style.ts';
import { tickLabel, timeAxis } from './ticks.ts';

/** Narrower than this, a phase's name does not fit in its segment: the key beside the bar names it. */
const LABEL_MIN_WIDTH = 90;
const BAR_Y = 22;
const BAR_H = 26;

/**
 * The failover's phases as one bar, in proportion to their seconds, each segment named inside it
 * when it fits and beside it when not, and every phase, with its colour and seconds, in the key
 * under the bar (a phase of 0 s has no segment, only its key entry).
 */
export function failoverChart(failover: FailoverView): string {
  const entries = Object.entries(failover.phases);
  const total = Math.max(1, entries.reduce((sum, [, v]) => sum + v, 0));
  let x = LEFT;
  let narrow = 0;
  const bars = entries.map(([phase, seconds], i) => {
    const width = (seconds / total) * WIDTH;
    const colour = PHASE_COLOURS[i % PHASE_COLOURS.length];
    const name = `${esc(phase)} ${seconds}s`;
    // A segment too narrow for its name is named above or below it (alternately, so neighbours do
    // not write over each other), with a tick from the name to the segment.
    const above = narrow++ % 2 === 0;
    const mid = (x + width / 2).toFixed(1);
    const label =
      width >= LABEL_MIN_WIDTH
        ? `<text data-label="${esc(phase)}" x="${(x + 4).toFixed(1)}" y="${BAR_Y + 17}" style="fill:#fff">${name}</text>`
        : `<line x1="${mid}" x2="${mid}" y1="${above ? BAR_Y - 6 : BAR_Y + BAR_H}" y2="${above ? BAR_Y : BAR_Y + BAR_H + 6}" stroke="${colour}" stroke-width="1.5"/><text data-label="${esc(phase)}" x="${mid}" y="${above ? BAR_Y - 9 : BAR_Y + BAR_H + 18}" text-anchor="middle" style="fill:${colour}">${name}</text>`;
    if (width >= LABEL_MIN_WIDTH) narrow = 0;
    const bar = width > 0 ? `<g data-phase="${esc(phase)}" data-seconds="${seconds}"><rect x="${x.toFixed(1)}" y="${BAR_Y}" width="${width.toFixed(1)}" height="${BAR_H}" fill="${colour}"><title>${esc(phase)}: ${seconds}s</title></rect>${label}</g>` : '';
    x += width;
    return bar;
  });
  const key = entries.map(([phase, seconds], i) => `<span data-phase-key="${esc(phase)}"><i class="swatch" style="background:${PHASE_COLOURS[i % PHASE_COLOURS.length]}"></i>${esc(phase)} ${seconds} s</span>`);
  return (
    `<h2 data-rto="${failover.rtoSeconds}">Failover: RTO ${failover.rtoSeconds} s</h2>` +
    `<svg data-chart="failover" width="${LEFT + WIDTH + 40}" height="${BAR_Y + BAR_H + 26}"><text x="4" y="${BAR_Y + 17}">phases (${total} s)</text>${bars.join('')}</svg>` +
    `<div class="phases" style="margin-left:${LEFT}px">${key.join('')}</div>`
  );
}

/** What the text output lists of a failover: the executions, the clusters (zone, master) and the target switch over time. */
export function drDetails(dr: DrView): string {
  const executions = dr.executions.map(
    (e) => `<tr data-execution="${esc(e.id)}"><td class="mono">${esc(e.id)}</td><td>${esc(e.mode)} of ${esc(e.cluster)}</td><td>${e.at} s</td><td>${e.endedAt === null ? '—' : `${e.endedAt} s`}</td><td>${esc(e.outcome)}</td></tr>`,
  );
  const clusters = dr.clusters.map(
    (c) =>
      `<tr data-cluster="${esc(c.name)}"><td class="mono">${esc(c.name)}${c.id ? ` (${esc(c.id)})` : ''}</td><td data-field="state">${esc(c.state)}</td><td data-field="zone">${esc(c.zone)}</td><td data-field="master" class="mono">${esc(c.masterIp)}</td><td>${c.replaces ? `replaces ${esc(c.replaces)}` : ''}</td></tr>`,
  );
  return (
    (executions.length ? `<h2>Executions</h2><table><tr><th>execution</th><th>what</th><th>started</th><th>ended</th><th>outcome</th></tr>${executions.join('')}</table>` : '') +
    (clusters.length ? `<h2>Clusters</h2><table data-table="clusters"><tr><th>cluster</th><th>state</th><th>zone</th><th>master</th><th></th></tr>${clusters.join('')}</table>` : '') +
    Object.entries(dr.targets)
      .map(([group, history]) => targetSwitch(group, history, dr.endedAt))
      .join('')
  );
}

/** A target group's targets over time: a lane per ip:port, coloured by its health state. */
function targetSwitch(group: string, history: DrView['targets'][string], endedAt: number): string {
  const addresses = [...new Set(history.flatMap((h) => h.targets.map((t) => `${t.ip}:${t.port}`)))];
  const axis = timeAxis(Math.max(endedAt, ...history.map((h) => h.t)));
  const x = (t: number) => LEFT + (t / axis.end) * WIDTH;
  const ROW = 24;
  const present = new Set<string>();
  const lanes = addresses.map((address, i) => {
    const y = 8 + i * ROW;
    const segments = history.map((h, j) => {
      const state = h.targets.find((t) => `${t.ip}:${t.port}` === address)?.state;
      if (!state) return '';
      present.add(state);
      const to = history[j + 1]?.t ?? axis.end;
      return `<rect data-state="${esc(state)}" data-from="${h.t}" x="${x(h.t).toFixed(1)}" y="${y}" width="${Math.max(1, x(to) - x(h.t)).toFixed(1)}" height="${ROW - 6}" fill="${TARGET_COLOURS[state] ?? '#616161'}"><title>${esc(address)}: ${esc(state)} from ${h.t}s</title></rect>`;
    });
    return `<g data-target="${esc(address)}"><text x="4" y="${y + 13}" class="mono">${esc(address)}</text>${segments.join('')}</g>`;
  });
  const bottom = 8 + addresses.length * ROW;
  const ticks = axis.ticks.map((t) => `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="4" y2="${bottom}"/><text data-tick="${t}" x="${x(t).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${tickLabel(t, axis.step)}</text>`);
  const key = [...present].map((s) => `<span data-target-state="${esc(s)}"><i class="swatch" style="background:${TARGET_COLOURS[s] ?? '#616161'}"></i>${esc(s)}</span>`);
  const switched = switchTime(history);
  return (
    `<h2 data-target-group="${esc(group)}">Target group ${esc(group)}${switched === null ? '' : `: switched at ${switched} s`}</h2>` +
    (addresses.length
      ? `<svg data-chart="targets" width="${LEFT + WIDTH + 40}" height="${bottom + 20}">${ticks.join('')}<line class="axis" x1="${LEFT}" x2="${LEFT + WIDTH}" y1="${bottom}" y2="${bottom}"/>${lanes.join('')}</svg><div class="phases" style="margin-left:${LEFT}px">${key.join('')}</div>`
      : '<p class="empty">No target was ever registered.</p>')
  );
}

/** When a new address first became healthy after the first one stopped being: the switch. */
function switchTime(history: DrView['targets'][string]): number | null {
  const first = history[0]?.targets.map((t) => t.ip) ?? [];
  const t = history.find((h) => h.targets.some((target) => !first.includes(target.ip) && target.state === 'healthy'))?.t;
  return t ?? null;
}
