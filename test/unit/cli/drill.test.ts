import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { captureIo } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-drill-'));
const example = readFileSync('sandbox/dr/examples/az-outage.yaml', 'utf8');

describe('lifeguard drill --sandbox', () => {
  it('validates the scenario file with the scenario schema: a bad field is named, nothing runs, exit 2 as simulate', async () => {
    const path = join(dir, 'bad-provisioning.yaml');
    writeFileSync(path, example.replace('provisioningSeconds: 612', 'provisioningSeconds: soon'));
    const io = captureIo();
    expect(await runCli(['drill', '--cluster', 'analytics', '--sandbox', path], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toContain(`${path}: not a valid emr scenario`);
    expect(io.stderr()).toMatch(/emr\.provisioningSeconds: .*got "soon"/);
    expect(io.stdout()).not.toContain('drill of analytics');
  });

  it('replaces the file\'s triggers with its own: a file with none is valid for a drill', async () => {
    const path = join(dir, 'no-triggers.yaml');
    const withoutTriggers = example.replace(/\n {2}triggers:\n(?: {4}.*\n)+/, '\n');
    expect(withoutTriggers).not.toContain('triggers:');
    writeFileSync(path, withoutTriggers);
    const io = captureIo();
    expect(await runCli(['drill', '--cluster', 'analytics', '--sandbox', path, '--json'], { ...io.io, env: {} })).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ where: 'sandbox', outcome: 'FailoverCompleted' });
  });

  it('says plainly that a --sandbox file cannot be read, exit 2, as simulate does', async () => {
    const io = captureIo();
    const missing = join(dir, 'nope.yaml');
    expect(await runCli(['drill', '--cluster', 'analytics', '--sandbox', missing], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toBe(`lifeguard drill: cannot read ${missing}: no such file`);
    const simulate = captureIo();
    expect(await runCli(['simulate', missing], { ...simulate.io, env: {} })).toBe(2);
    expect(simulate.stderr()).toBe(`lifeguard simulate: cannot read ${missing}: no such file`);
  });

  it('checks --cluster against the built-in scenario too, instead of renaming its cluster', async () => {
    const io = captureIo();
    expect(await runCli(['drill', '--cluster', 'nope', '--sandbox', 'builtin', '--dry-run'], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toContain("--cluster: 'nope' is not a cluster of the built-in scenario (it has: analytics (j-2AXXXXXXGAPLF))");
    expect(io.stdout()).toBe('');
    const byId = captureIo();
    expect(await runCli(['drill', '--cluster', 'j-2AXXXXXXGAPLF', '--sandbox', 'builtin', '--dry-run', '--json'], { ...byId.io, env: {} })).toBe(0);
    expect(JSON.parse(byId.stdout())).toMatchObject({ where: 'sandbox', outcome: 'DryRun' });
  });
});
