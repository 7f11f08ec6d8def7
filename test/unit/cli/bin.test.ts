import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_CONFIG_MESSAGE } from '../../../deploy/load-config.ts';

// The installed command, as a user runs it: real processes, real exit codes.
const repo = resolve('.');
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const withoutConfig = () => {
  const env = { ...process.env };
  delete env.LIFEGUARD_CONFIG;
  return env;
};

/** A directory that has the project's code but no lifeguard.config.yaml, as a fresh clone does. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-clone-'));
  for (const entry of ['package.json', 'bin', 'cli', 'lib', 'deploy', 'sandbox', 'node_modules']) symlinkSync(join(repo, entry), join(dir, entry));
  return dir;
}

describe('the lifeguard command', () => {
  it('runs through npx after npm ci and prints its version', () => {
    const result = spawnSync('npx', ['lifeguard', '--version'], { encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' } });
    // npm may warn about its own configuration on stderr; the command itself says nothing there.
    expect(result.stderr).not.toMatch(/lifeguard|error/i);
    expect(result.stdout.trim()).toBe(version);
    expect(result.status).toBe(0);
  });

  it('exits 2 with a suggestion for a mistyped command', () => {
    const result = spawnSync(process.execPath, ['bin/lifeguard.mjs', 'simulat', 'x.yaml'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: unknown command 'simulat'\n(Did you mean simulate?)");
  });

  it('config validate with no file and no configuration refuses, exit 2', () => {
    const cwd = freshCheckout();
    const result = spawnSync(process.execPath, [join(repo, 'bin/lifeguard.mjs'), 'config', 'validate'], { cwd, encoding: 'utf8', env: withoutConfig() });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(NO_CONFIG_MESSAGE);
  });

  it('npm run package refuses without a configuration instead of packaging the example', () => {
    const cwd = freshCheckout();
    const result = spawnSync('npm', ['run', 'package'], { cwd, encoding: 'utf8', env: withoutConfig() });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(NO_CONFIG_MESSAGE);
    expect(existsSync(join(cwd, '.serverless'))).toBe(false);
  });
});
