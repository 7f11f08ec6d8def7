import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { RELIABILITY_CLASSES } from '../reliability-classes.ts';

/**
 * Writes docs/reliability.md after a full run: each fault or input class, the tests that cover it,
 * and their outcome. Nothing is written for a partial run (a filtered `vitest run FILE`).
 */
export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const results = new Map<string, Array<{ name: string; state: string }>>();
    for (const module of testModules) {
      results.set(module.relativeModuleId, [...module.children.allTests()].map((t) => ({ name: t.fullName, state: t.result().state })));
    }
    if (!RELIABILITY_CLASSES.every((c) => c.tests.every((t) => results.has(t.file)))) return;
    const lines = [
      '# Reliability: faults and inputs, and the tests that cover them',
      '',
      'Written by the test run (`npm test`, test/reporters/reliability.ts) from test/reliability-classes.ts: do not edit by hand.',
      '',
      '| area | fault or input | tests | outcome |',
      '|---|---|---|---|',
    ];
    for (const c of RELIABILITY_CLASSES) {
      const covering = c.tests.flatMap((t) => (results.get(t.file) ?? []).filter((r) => t.name.test(r.name)).map((r) => ({ ...r, file: t.file })));
      const failed = covering.filter((r) => r.state !== 'passed');
      const outcome = covering.length === 0 ? '**no test**' : failed.length ? `**${failed.length} of ${covering.length} failed**` : `${covering.length} passed`;
      const names = covering.map((r) => `\`${r.file.replace(/^test\//, '')}\` › ${r.name.replace(/\|/g, '\\|')}`).join('<br>');
      lines.push(`| ${c.area} | ${c.fault} | ${names || '—'} | ${outcome} |`);
    }
    writeFileSync('docs/reliability.md', `${lines.join('\n')}\n`);
  }
}
