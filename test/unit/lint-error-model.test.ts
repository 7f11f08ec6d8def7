import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The error model's rules (eslint.config.js) as they fire on code at `filePath`. */
async function errorModelMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const breaksAll = `
export class ReadError extends Error {}
export function read(text: string): unknown {
  if (!text) throw new Error('empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ReadError(\`not JSON: \${(err as Error).message}\`);
  }
}
`;

const keepsAll = `
import { errorMessage, LifeguardError } from './util/errors.ts';
export class ReadError extends LifeguardError {}
export function read(text: string): unknown {
  if (!text) throw new ReadError('empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text === '-') throw err;
    throw new ReadError(\`not JSON: \${errorMessage(err)}\`, { cause: err });
  }
}
`;

describe('the error model, enforced in lib/ by lint', () => {
  it('refuses a bare Error, a throw in a catch without its cause, and (err as Error).message', async () => {
    const messages = await errorModelMessages(breaksAll, 'lib/example.ts');
    expect(messages).toHaveLength(3);
    expect(messages.join('\n')).toMatch(/LifeguardError subclass/);
    expect(messages.join('\n')).toMatch(/pass \{ cause \}/);
    expect(messages.join('\n')).toMatch(/errorMessage\(err\)/);
  });

  it('accepts the same code written to the model', async () => {
    expect(await errorModelMessages(keepsAll, 'lib/example.ts')).toEqual([]);
  });

  it('holds in every part of lib/, lib/dr included, and leaves code outside lib/ alone for now', async () => {
    expect(await errorModelMessages(breaksAll, 'lib/dr/example.ts')).toEqual(await errorModelMessages(breaksAll, 'lib/example.ts'));
    expect(await errorModelMessages(breaksAll, 'lib/dr/example.ts')).not.toEqual([]);
    expect(await errorModelMessages(breaksAll, 'sandbox/example.ts')).toEqual([]);
  });
});
