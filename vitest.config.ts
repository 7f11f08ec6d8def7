import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    // The JSON report is what .ci/run counts from.
    // docs/reliability.md is written from the run (test/reporters/reliability.ts).
    reporters: ['default', ['json', { outputFile: '.ci/out/vitest.json' }], './test/reporters/reliability.ts'],
  },
});
