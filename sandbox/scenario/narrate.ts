import { formatTimelineEntry } from './format.ts';
import type { SimulationResult, TimelineEntry } from './result.ts';

/**
 * The timeline a person reads: one line per meaningful step. What `--verbose` shows in full is
 * condensed here — Lifeguard's echo of what the API already says, lease renewals, the state
 * machine's poll loops (one line per loop, with its count and duration), a refusal retried many
 * times (one line, ×N) — and what the raw timeline leaves implicit is said: each drain's deadline
 * as a marker. Pure: a function of the result.
 */
export function narrate(result: SimulationResult, options: { verbose?: boolean } = {}): string[] {
  const entries = withDeadlines(result, options.verbose ? result.timeline : condense(result.timeline));
  return entries.map((e) => ('marker' in e ? `${e.t.toFixed(3).padStart(9)}s  ${e.marker}` : formatTimelineEntry(e)));
}

type Line = TimelineEntry | { t: number; marker: string };

/** Lifeguard's own log lines that only repeat what the API or the kubelet line beside them says. */
const ECHOES = [/^pod evicted\b/, /^pod gone\b/, /^node tainted/, /^drain finished\b/];

/** Entries that are the same thing happening again: one line, with a count. */
const REPEATABLE = new Set(['evict-refused-pdb', 'evict-refused', 'fault', 'warn']);

function condense(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  const kept = timeline.filter((e, i) => !isEcho(e, timeline[i + 1]));
  return collapseLoops(collapseRepeats(kept.map(shortenPatch)));
}

function isEcho(e: TimelineEntry, next: TimelineEntry | undefined): boolean {
  if (e.actor === 'lifeguard' && e.action === 'log' && ECHOES.some((p) => p.test(e.detail ?? ''))) return true;
  // A lease renewal changes nothing a reader cares about.
  if (e.actor === 'api' && e.action === 'patch' && patchParts(e.detail ?? '').every((p) => p.startsWith('+annotation lifeguard.io/lease='))) return true;
  // The kubelet's "terminating" line right after says the same, with the shutdown time.
  return e.actor === 'api' && (e.action === 'evict' || e.action === 'delete') && next?.actor === 'kubelet' && next.action === 'terminating' && next.pod === e.pod && next.t === e.t;
}

/** Lifeguard's record on the node is JSON: name the annotations, leave their values to --verbose. */
function shortenPatch(e: TimelineEntry): TimelineEntry {
  if (e.actor !== 'api' || e.action !== 'patch' || !e.detail) return e;
  const parts = patchParts(e.detail);
  const visible = parts.filter((p) => !/^[+-]annotation /.test(p));
  const recorded = parts.length - visible.length;
  return { ...e, detail: [...visible, ...(recorded ? [`Lifeguard's record updated (${recorded} annotation${recorded > 1 ? 's' : ''})`] : [])].join(', ') };
}

/** The emulator's patch summary, one change a part ("unschedulable=true", "+taint …", "+annotation k=v"). */
const patchParts = (detail: string) => detail.split(/, (?=[+-](?:annotation|taint|label) |unschedulable=)/);

function collapseRepeats(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const key = (e: TimelineEntry) => `${e.actor}|${e.action}|${e.pod ?? e.node ?? ''}|${(e.detail ?? '').replace(/\d+(\.\d+)?/g, '#')}`;
  const groups = new Map<string, TimelineEntry[]>();
  for (const e of entries) if (REPEATABLE.has(e.action)) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  const out: TimelineEntry[] = [];
  for (const e of entries) {
    const group = REPEATABLE.has(e.action) ? groups.get(key(e))! : [e];
    if (group[0] !== e) continue;
    const last = group.at(-1)!;
    out.push(group.length === 1 ? e : { ...e, detail: `×${group.length} until ${last.t.toFixed(3)}s — ${e.detail ?? ''}` });
  }
  return out;
}

/**
 * A Step Functions execution's states: the first visits at one instant on one line, and every
 * loop (states entered again) on one line with how many times and for how long.
 */
function collapseLoops(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const seen = new Map<string, Set<string>>();
  let open: { line: TimelineEntry; execution: string; states: string[]; firstT: number; lastT: number; laps: number; loop: boolean } | undefined;
  const flush = () => {
    if (!open) return;
    const { line, states, firstT, lastT, laps, loop } = open;
    const path = states.join(' → ');
    out.push({ ...line, detail: loop ? `${open.execution}: ↻ ${path} ×${laps} over ${Math.round(lastT - firstT)} s` : `${open.execution}: ${path}` });
    open = undefined;
  };
  for (const e of entries) {
    const state = e.actor === 'stepfunctions' && e.action === 'state' ? /^(.*): (\S+)$/.exec(e.detail ?? '') : null;
    if (!state) {
      if (!open?.loop) flush();
      out.push(e);
      continue;
    }
    const [, execution, name] = state as unknown as [string, string, string];
    const visited = seen.get(execution) ?? new Set<string>();
    seen.set(execution, visited);
    const again = visited.has(name);
    visited.add(name);
    if (open && (open.execution !== execution || open.loop !== again || (!again && e.t !== open.lastT))) flush();
    if (!open) open = { line: e, execution, states: [], firstT: e.t, lastT: e.t, laps: 0, loop: again };
    if (!open.states.includes(name)) open.states.push(name);
    if (name === open.states[0]) open.laps++;
    open.lastT = e.t;
  }
  flush();
  return out.sort((a, b) => a.t - b.t);
}

/** A marker line at each drain's deadline: when the node's pods had to be gone. */
function withDeadlines(result: SimulationResult, entries: readonly Line[]): Line[] {
  const start = result.start ? Date.parse(result.start) : undefined;
  if (start === undefined) return [...entries];
  const markers = new Map<string, Line>();
  for (const invocation of result.invocations) {
    for (const instance of invocation.report?.instances ?? []) {
      const deadline = instance.drain?.deadline;
      if (deadline === undefined || deadline === null || !instance.nodeName) continue;
      const t = Math.round(deadline - start) / 1000;
      markers.set(`${instance.nodeName}@${t}`, { t, marker: `──── deadline: ${instance.nodeName} must be empty by now (${invocation.report?.kind ?? 'notice'}) ────` });
    }
  }
  // The marker first: what happens at the deadline happens because of it.
  return [...markers.values(), ...entries].sort((a, b) => a.t - b.t);
}
