import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What a fresh clone does on a machine of its own: no package installed unannounced, no secret committed.

/** A PATH of stubs: `id` answers the given uid, `apt-get` only records that it was called. */
function machine(o: { uid: number; aptGet?: boolean; browser?: string }) {
  const bin = mkdtempSync(join(tmpdir(), 'lifeguard-machine-'));
  const calls = join(bin, 'apt-calls');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `echo ${o.uid}`);
  if (o.aptGet) stub('apt-get', `echo "$@" >> ${calls}`);
  if (o.browser) stub(o.browser, 'exit 0');
  return { bin, calls };
}

function ensureChromium(m: { bin: string }, env: Record<string, string> = {}) {
  // bash itself from /bin; every command the script looks up comes from the stubs only.
  const result = spawnSync('/bin/bash', ['scripts/ensure-chromium.sh'], {
    encoding: 'utf8',
    env: { PATH: m.bin, CHROMIUM_PATH: join(m.bin, 'no-chromium-here'), ...env },
  });
  return { code: result.status, said: result.stderr };
}

describe('scripts/ensure-chromium.sh (npm test, .ci/run)', () => {
  it('says what it will run, as root, before it installs, and how to decline', () => {
    const m = machine({ uid: 0, aptGet: true });
    const { code, said } = ensureChromium(m);
    expect(code).toBe(0);
    expect(said).toMatch(/needs a headless Chromium at .*no-chromium-here, and there is none\.\n.*installing Debian's chromium package now, as root: apt-get update, then apt-get install chromium/);
    expect(said).toContain('LIFEGUARD_INSTALL_CHROMIUM=no');
    expect(readFileSync(m.calls, 'utf8')).toBe('update -qq\ninstall -y -qq chromium\n');
  });

  it('installs nothing where a Chromium or Chrome is already on the PATH, and says how to use it', () => {
    const m = machine({ uid: 0, aptGet: true, browser: 'google-chrome' });
    const { code, said } = ensureChromium(m);
    expect(code).toBe(0);
    expect(said).toContain(`${join(m.bin, 'google-chrome')} is installed: nothing is installed; run the tests with CHROMIUM_PATH=${join(m.bin, 'google-chrome')}`);
    expect(existsSync(m.calls)).toBe(false);
  });

  it('installs nothing when declined, or when not root', () => {
    const declined = machine({ uid: 0, aptGet: true });
    expect(ensureChromium(declined, { LIFEGUARD_INSTALL_CHROMIUM: 'no' }).said).toContain('nothing is installed');
    expect(existsSync(declined.calls)).toBe(false);
    const user = machine({ uid: 1000, aptGet: true });
    const { code, said } = ensureChromium(user);
    expect(code).toBe(0);
    expect(said).toContain('sudo apt-get install chromium');
    expect(existsSync(user.calls)).toBe(false);
  });

  it('is silent when the browser is there', () => {
    const m = machine({ uid: 0, aptGet: true, browser: 'chromium' });
    expect(ensureChromium(m, { CHROMIUM_PATH: join(m.bin, 'chromium') })).toEqual({ code: 0, said: '' });
  });
});

describe('.gitignore', () => {
  it('keeps the configuration one deploys out of the repository', () => {
    const ignored = readFileSync('.gitignore', 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toContain('lifeguard.config.yaml');
  });
});
