import { describe, expect, it } from 'vitest';
import { compareFigures, describeChange, renderPerformanceDoc, type BenchResult } from '../../bench/results.ts';

describe('bench results', () => {
  it('compares two runs figure by figure', () => {
    const changes = compareFigures({ a: 100, b: 'yes', c: 5, gone: 1 }, { a: 150, b: 'no', c: 5, fresh: 2 });
    expect(changes.map((c) => [c.key, describeChange(c)])).toEqual([
      ['a', '+50%'],
      ['b', 'was yes'],
      ['c', 'same'],
      ['fresh', 'new'],
      ['gone', 'gone'],
    ]);
  });

  it('renders each result with its command, the machine and the comparison', () => {
    const result: BenchResult = {
      bench: 'drain',
      title: 'Single node',
      about: 'One node.',
      command: 'npm run bench -- drain',
      ranAt: '2026-01-02T00:00:00.000Z',
      machine: { cores: 2, cpu: 'cpu', node: 'v20' },
      wallSeconds: 3,
      figures: { cordonMs: 12, note: 'a|b' },
      previous: { ranAt: '2026-01-01T00:00:00.000Z', figures: { cordonMs: 24 } },
    };
    const doc = renderPerformanceDoc('# Performance\n', [result]);
    expect(doc).toContain('## Single node');
    expect(doc).toContain('Reproduce: `npm run bench -- drain` — ran 2026-01-02T00:00:00.000Z on 2 cores');
    expect(doc).toContain('| cordonMs | 12 | -50% |');
    expect(doc).toContain('| note | a\\|b | new |');
  });
});
