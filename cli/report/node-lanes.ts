import type { NodeLane, PodRow } from './model.ts';
import { esc, MARKER_COLOURS, OUTCOME_COLOURS } from './style.ts';
import { tickLabel, type Axis } from './ticks.ts';

export const LEFT = 260;
export const WIDTH = 900;
const ROW = 22;
const HEAD = 34;
const FOOT = 20;
/** Width of a 12 px label character, near enough to keep labels inside the picture. */
const CHAR_WIDTH = 6.5;

/** Lanes look alike when the same kinds of pods ended the same ways with the same marks: one stands for all. */
const MANY_LANES = 12;

/**
 * Every node's lane on one time axis, each a <details> (open while the page is short). Nodes whose
 * lanes look alike are gathered under one <details>, the first lane open and the others behind one
 * more, so 200 reclaimed nodes read as a few groups; the first group, and any where a pod was
 * killed or force-deleted, is open.
 */
export function nodeLanes(lanes: NodeLane[], axis: Axis): string {
  const few = lanes.length <= MANY_LANES;
  const groups = new Map<string, NodeLane[]>();
  for (const lane of lanes) groups.set(alikeKey(lane), [...(groups.get(alikeKey(lane)) ?? []), lane]);
  return [...groups.values()]
    .map((group, index) => {
      // The first group open, so a long page still opens on a picture.
      const open = few || index === 0 || group.some(troubled);
      if (group.length === 1) return laneDetails(group[0]!, axis, open);
      const first = group[0]!;
      const last = group[group.length - 1]!;
      return (
        `<details class="alike" data-alike="${group.length}"${open ? ' open' : ''}><summary><span class="node">${group.length} nodes alike</span> ` +
        `<span class="note">${esc(first.node)} … ${esc(last.node)} · ${range(group, 'warning')}${range(group, 'deadline')}each: ${esc(outcomeCounts(first.rows))}</span></summary>` +
        laneDetails(first, axis, true) +
        // The others, a line each, behind one more click: a hundred alike are a list, not a page.
        `<details class="more" data-more="${group.length - 1}"><summary>the other ${group.length - 1}</summary>${group
          .slice(1)
          .map((lane) => laneDetails(lane, axis, false))
          .join('\n')}</details>` +
        '</details>'
      );
    })
    .join('\n');
}

function laneDetails(lane: NodeLane, axis: Axis, open: boolean): string {
  const marks = (['warning', 'cordon', 'deadline', 'terminated'] as const).filter((m) => lane[m] !== null).map((m) => `${MARK_NAMES[m]} ${lane[m]} s`);
  const note = [...marks, lane.rows.length ? outcomeCounts(lane.rows) : 'no pod to move'].join(' · ');
  return `<details class="lane" data-node="${esc(lane.node)}"${open ? ' open' : ''}><summary><span class="node">${esc(lane.node)}</span> <span class="note">${esc(note)}</span></summary>${laneSvg(lane, axis)}</details>`;
}

const MARK_NAMES = { warning: 'warning', cordon: 'cordon', deadline: 'deadline', terminated: 'instance gone' } as const;

function laneSvg(lane: NodeLane, axis: Axis): string {
  const x = (t: number) => LEFT + (Math.min(t, axis.end) / axis.end) * WIDTH;
  const parts: string[] = [];
  let y = HEAD;
  let group = '';
  for (const row of lane.rows) {
    if (row.group !== group) {
      group = row.group;
      parts.push(`<text class="group" x="4" y="${y + 14}" data-group="${esc(group)}">${esc(group)}</text>`);
      y += ROW;
    }
    parts.push(podRow(row, y, x, axis));
    y += ROW;
  }
  const bottom = y + 4;
  const grid = axis.ticks.map(
    (t) => `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${HEAD - 4}" y2="${bottom}"/><text data-tick="${t}" x="${x(t).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${tickLabel(t, axis.step)}</text>`,
  );
  return (
    `<svg data-chart="lane" width="${LEFT + WIDTH + 40}" height="${bottom + FOOT}" role="img" aria-label="${esc(lane.node)}">` +
    grid.join('') +
    `<line class="axis" x1="${LEFT}" x2="${LEFT + WIDTH}" y1="${bottom}" y2="${bottom}"/>` +
    parts.join('\n') +
    markers(lane, x, bottom) +
    '</svg>'
  );
}

function podRow(row: PodRow, y: number, x: (t: number) => number, axis: Axis): string {
  const to = row.to ?? axis.end;
  const width = Math.max(2, x(to) - x(row.from));
  const fill = row.outcome === 'untouched' ? 'fill="#ffffff" stroke="#9e9e9e" stroke-dasharray="4 3"' : `fill="${OUTCOME_COLOURS[row.outcome] ?? '#616161'}"`;
  const span = row.to === null ? `runs on (${row.outcome})` : `${row.outcome}, ${row.from}s → ${row.to}s`;
  return (
    `<g data-pod="${esc(row.pod)}" data-outcome="${row.outcome}"><text x="16" y="${y + 14}">${esc(row.pod)}</text>` +
    `<rect x="${x(row.from).toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" ${fill}><title>${esc(row.pod)}: ${span}</title></rect>` +
    (row.outcome === 'untouched' ? `<text x="${(x(row.from) + 6).toFixed(1)}" y="${y + 15}" style="fill:#616161">untouched, runs on</text>` : '') +
    row.refusals.map((t) => `<line data-refusal="${t}" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${y + 2}" y2="${y + ROW - 2}" stroke="${MARKER_COLOURS.refusal}" stroke-width="1.5"/>`).join('') +
    (row.forced ? `<text data-forced="true" x="${(x(row.from) - 6).toFixed(1)}" y="${y + 15}" style="fill:${MARKER_COLOURS.forced}">◆</text>` : '') +
    '</g>'
  );
}

/**
 * The node's marks as lines through its lane, labelled in the header: the warning and the deadline
 * on the upper line (text to their left), the cordon and the instance's end on the lower (to their
 * right), so marks a second apart do not write over each other.
 */
function markers(lane: NodeLane, x: (t: number) => number, bottom: number): string {
  const mark = (kind: keyof typeof MARK_NAMES, upper: boolean) => {
    const t = lane[kind];
    if (t === null) return '';
    const at = x(t).toFixed(1);
    const style = kind === 'deadline' ? 'class="deadline"' : `stroke="${MARKER_COLOURS[kind]}" stroke-width="2"`;
    const text = `${MARK_NAMES[kind]} ${kind === 'deadline' ? `${lane.node} ` : ''}(${t}s)`;
    // A label that would run off the lane's right end goes to the left of its line.
    const left = upper || x(t) + 4 + text.length * CHAR_WIDTH > LEFT + WIDTH + 40;
    const label = `<text x="${left ? x(t) - 4 : x(t) + 4}" y="${upper ? 12 : 27}" text-anchor="${left ? 'end' : 'start'}" style="fill:${MARKER_COLOURS[kind]}">${esc(text)}</text>`;
    return `<g data-mark="${kind}" data-t="${t}"${kind === 'deadline' ? ` data-deadline="${esc(lane.node)}"` : ''}><line ${style} x1="${at}" x2="${at}" y1="${upper ? 2 : 17}" y2="${bottom}"/>${label}</g>`;
  };
  return mark('warning', true) + mark('deadline', true) + mark('cordon', false) + mark('terminated', false);
}

function troubled(lane: NodeLane): boolean {
  return lane.rows.some((r) => r.outcome === 'killed-at-deadline' || r.forced);
}

function alikeKey(lane: NodeLane): string {
  const rows = lane.rows.map((r) => `${r.group.endsWith('executors') ? 'executors' : r.group}:${r.outcome}:${r.forced}:${r.refusals.length > 0}`).sort();
  const marks = (['warning', 'cordon', 'deadline', 'terminated'] as const).map((m) => lane[m] !== null);
  return JSON.stringify([rows, marks]);
}

function outcomeCounts(rows: PodRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return `${rows.length} pod(s): ${[...counts].map(([o, n]) => `${o} ${n}`).join(', ')}`;
}

function range(group: NodeLane[], mark: 'warning' | 'deadline'): string {
  const ts = group.map((l) => l[mark]).filter((t): t is number => t !== null);
  if (!ts.length) return '';
  const lo = Math.floor(Math.min(...ts));
  const hi = Math.ceil(Math.max(...ts));
  return `${mark} ${lo === hi ? lo : `${lo}–${hi}`} s · `;
}

/** The legend: only what the lanes show. */
export function legend(lanes: NodeLane[]): string {
  const rows = lanes.flatMap((l) => l.rows);
  const items: string[] = [];
  for (const [outcome, colour] of Object.entries(OUTCOME_COLOURS)) {
    if (!rows.some((r) => r.outcome === outcome)) continue;
    items.push(`<span data-legend="${outcome}"><i class="swatch${outcome === 'untouched' ? ' hollow' : ''}" style="${outcome === 'untouched' ? '' : `background:${colour}`}"></i>${outcome}</span>`);
  }
  if (rows.some((r) => r.refusals.length)) items.push(`<span data-legend="refusal"><i class="swatch" style="background:${MARKER_COLOURS.refusal};width:3px"></i>PDB refusal</span>`);
  if (rows.some((r) => r.forced)) items.push(`<span data-legend="forced"><b style="color:${MARKER_COLOURS.forced}">◆</b> forced deletion</span>`);
  for (const kind of ['warning', 'cordon', 'deadline', 'terminated'] as const) {
    if (lanes.some((l) => l[kind] !== null)) items.push(`<span data-legend="${kind}"><i class="swatch" style="background:${MARKER_COLOURS[kind]};width:3px"></i>${MARK_NAMES[kind]}</span>`);
  }
  return `<div class="legend">${items.join('')}</div>`;
}
