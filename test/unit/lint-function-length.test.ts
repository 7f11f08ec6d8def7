import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A function `lines` lines long, its braces included. */
const functionOf = (lines: number) => `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(lines - 4)}  return n;\n}\n`;

/** The severity max-lines-per-function gives code at `filePath` (eslint.config.js): 2 error, 1 warning, 0 none. */
async function severityAt(filePath: string, lines: number): Promise<number> {
  const [result] = await new ESLint({ cwd: root }).lintText(functionOf(lines), { filePath });
  return result!.messages.find((m) => m.ruleId === 'max-lines-per-function')?.severity ?? 0;
}

describe('max-lines-per-function (eslint.config.js)', () => {
  it('is an error for a function over 80 lines everywhere but the tests: what ships, the DR failover, the sandbox, the CLI and the deployment code', async () => {
    for (const path of ['lib/interruption/x.ts', 'lib/dr/x.ts', 'statemachines/failover/x.ts', 'sandbox/dr/x.ts', 'functions/dr-x.ts', 'sandbox/kube/x.ts', 'sandbox/scenario/x.ts', 'cli/commands/x.ts', 'deploy/x.ts', 'functions/interruption-x.ts']) {
      expect({ path, severity: await severityAt(path, 81) }).toEqual({ path, severity: 2 });
    }
  });

  it('lets 80 lines pass', async () => {
    expect(await severityAt('cli/commands/x.ts', 80)).toBe(0);
  });

  it('is off in the tests', async () => {
    expect(await severityAt('test/unit/x.test.ts', 200)).toBe(0);
  });
});
