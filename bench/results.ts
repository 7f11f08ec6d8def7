/** A bench's figures as stored in bench/results/NAME.json and shown in docs/performance.md. */
export type Figures = Record<string, number | string>;

export interface BenchResult {
  bench: string;
  title: string;
  /** What it measures and against what; one paragraph of Markdown. */
  about: string;
  /** The command that reproduces it. */
  command: string;
  ranAt: string;
  machine: { cores: number; cpu: string; node: string };
  wallSeconds: number;
  figures: Figures;
  /** The figures of the run before this one, when there was one. */
  previous?: { ranAt: string; figures: Figures };
}

export interface FigureChange {
  key: string;
  before: number | string | undefined;
  after: number | string | undefined;
  /** Relative change in percent, for numbers on both sides with a non-zero `before`. */
  percent?: number;
}

/** Every figure of either run, with its change; numbers get a percentage. */
export function compareFigures(before: Figures | undefined, after: Figures): FigureChange[] {
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before ?? {})])];
  return keys.map((key) => {
    const a = before?.[key];
    const b = after[key];
    const change: FigureChange = { key, before: a, after: b };
    if (typeof a === 'number' && typeof b === 'number' && a !== 0) change.percent = Math.round(((b - a) / Math.abs(a)) * 1000) / 10;
    return change;
  });
}

export function describeChange(change: FigureChange): string {
  if (change.before === undefined) return 'new';
  if (change.after === undefined) return 'gone';
  if (change.before === change.after) return 'same';
  if (change.percent !== undefined) return `${change.percent > 0 ? '+' : ''}${change.percent}%`;
  return `was ${String(change.before)}`;
}

const cell = (value: unknown) => String(value ?? '').replace(/\|/g, '\\|');

/** docs/performance.md: a fixed preamble, then one section per bench result, in the given order. */
export function renderPerformanceDoc(preamble: string, results: BenchResult[]): string {
  const sections = results.map((r) => {
    const rows = compareFigures(r.previous?.figures, r.figures)
      .filter((c) => c.after !== undefined)
      .map((c) => `| ${cell(c.key)} | ${cell(c.after)} | ${r.previous ? cell(describeChange(c)) : ''} |`);
    return [
      `## ${r.title}`,
      '',
      r.about,
      '',
      `Reproduce: \`${r.command}\` — ran ${r.ranAt} on ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, in ${r.wallSeconds} s of wall time.`,
      r.previous ? `The last column compares with the run of ${r.previous.ranAt}.` : '',
      '',
      '| figure | value | vs previous run |',
      '|---|---|---|',
      ...rows,
      '',
    ].join('\n');
  });
  return `${preamble.trim()}\n\n${sections.join('\n')}`;
}
