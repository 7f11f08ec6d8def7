import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang guard only: tests run on virtual clocks, but the simulation-heavy ones (mass reclaims, packaged
    // templates) take tens of seconds of CPU on a 2-core machine that runs two test files at once.
    testTimeout: 120_000,
    pool: 'forks',
    // The JSON report is what .ci/run counts from.
    // docs/reliability.md is written from the run (test/reporters/reliability.ts).
    reporters: ['default', ['json', { outputFile: '.ci/out/vitest.json' }], './test/reporters/reliability.ts'],
  },
});
