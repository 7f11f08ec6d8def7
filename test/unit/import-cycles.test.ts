import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, valueImports } from '../support/import-graph.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A cycle among modules is a name in the wrong place: the lower module should hold it. lib/ (what
 * ships), sandbox/ (the emulators) and cli/ have none, counting type imports too (the commands take
 * their context from cli/context.ts; tests run a command through runCli).
 */
describe('import cycles', () => {
  it('none among the value imports of lib/, sandbox/ and cli/', () => {
    expect(importCycles(valueImports(root, ['lib', 'sandbox', 'cli'])).map((c) => c.join(' → '))).toEqual([]);
  });

  it('none among their type imports either', () => {
    expect(importCycles(valueImports(root, ['lib', 'sandbox', 'cli'], { types: true })).map((c) => c.join(' → '))).toEqual([]);
  });
});

describe('the import graph the check reads', () => {
  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'imports-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('finds a cycle through value imports and re-exports, and leaves type-only and dynamic imports out', () => {
    const dir = tree({
      'src/a.ts': "import { b } from './b.ts';\nimport type { C } from './c.ts';\nexport const a = b;",
      'src/b.ts': "export { c as b } from './deep/c.ts';",
      'src/deep/c.ts': "import { a } from '../a.ts';\nexport const c = () => a;",
      'src/c.ts': "import { type A } from './d.ts';\nexport type C = A;\nexport const later = () => import('./a.ts');",
      'src/d.ts': "import type { C } from './c.ts';\nexport type A = C;",
    });
    expect(importCycles(valueImports(dir, ['src']))).toEqual([['src/a.ts', 'src/b.ts', 'src/deep/c.ts', 'src/a.ts']]);
    // With types, c.ts and d.ts form a cycle of their own.
    expect(importCycles(valueImports(dir, ['src'], { types: true }))).toContainEqual(['src/c.ts', 'src/d.ts', 'src/c.ts']);
  });
});
