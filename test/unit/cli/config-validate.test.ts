import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { captureIo } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const validate = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const io = captureIo();
  const code = await runCli(['config', 'validate', ...argv], { ...io.io, env });
  return { code, out: io.stdout(), err: io.stderr() };
};

const broken = `
eks:
  - name: spark-prod
interruption:
  policies:
    spot-interruption: { action: drian }
  drain:
    concurrency: "sixteen"
    marginSeconds: -1
  colour: blue
  polices: {}
`;

describe('lifeguard config validate', () => {
  it('says that the example still has its placeholders, which package and deploy refuse', async () => {
    const { code, err } = await validate(['lifeguard.config.example.yaml']);
    expect(code).toBe(0);
    expect(err).toMatch(/^warning: lifeguard\.config\.example\.yaml still has \d+ of the example's placeholder values \(eks\.0\.name, dr\.clusters\.0\.name, .*\): package and deploy refuse them without --allow-placeholders$/);
  });

  it('accepts the committed example and says what it would deploy', async () => {
    const { code, out } = await validate(['lifeguard.config.example.yaml']);
    expect(code).toBe(0);
    expect(out).toMatch(/^lifeguard\.config\.example\.yaml: valid\n[\s\S]*EKS clusters protected from interruptions: spark-prod/);
  });

  it('lists every problem of a broken file as `path: what is wrong (got …)`, exit 1', async () => {
    const path = file('broken.yaml', broken);
    const { code, err } = await validate([path]);
    expect(code).toBe(1);
    const lines = err.split('\n');
    expect(lines[0]).toBe(`lifeguard config validate: ${path} is invalid:`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - interruption.policies.spot-interruption.action: expected one of "ignore", "taint", "cordon", "drain" (got "drian")',
        '  - interruption.drain.concurrency: expected a number (got "sixteen")',
        '  - interruption.drain.marginSeconds: expected at least 0 (got -1)',
        '  - interruption: unknown field "colour" (check its spelling and place)',
        '  - interruption: unknown field "polices" (did you mean "policies"?)',
      ]),
    );
    // No stutter: each line names its path once, and zod's own "received …" tail is gone.
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^ {2}- [\w.-]+: /);
      expect(line).not.toMatch(/received|Invalid input/);
    }
  });

  it('says what to do where the schema says it, and speaks of integers and true/false as YAML does', async () => {
    const path = file(
      'retired.yaml',
      [
        'eks: [{ name: spark-prod }]',
        'interruption:',
        '  drain: { maxWaitSeconds: 120, concurrency: 1.5 }',
        '  policies: { spot-interruption: { forceDelete: "yes" } }',
        'dr:',
        '  clusters:',
        '    - name: a',
        '      clusterId: j-2AXXXXXXGAPLF',
        '      probe: { address: nlb.example.com, confirm: { unhealthyToFail: 1 } }',
        '      placement: { candidateSubnetIds: [subnet-0bbb2222] }',
        '',
      ].join('\n'),
    );
    const { code, err } = await validate([path]);
    expect(code).toBe(1);
    expect(err.split('\n')).toEqual(
      expect.arrayContaining([
        '  - interruption.drain.maxWaitSeconds: replaced by maxDrainMinutes: drains now continue across invocations, so the 840 s cap is gone (got 120)',
        '  - interruption.drain.concurrency: expected an integer (got 1.5)',
        '  - interruption.policies.spot-interruption.forceDelete: expected true or false (got "yes")',
        '  - dr.clusters.0.probe.confirm.unhealthyToFail: at least 2: a single failed probe must never fail a cluster over (got 1)',
      ]),
    );
    expect(err).not.toMatch(/expected a (never|int)\b/);
  });

  it('suggests the field meant at any depth, through lists and defaults', async () => {
    const path = file(
      'typos.yaml',
      'eks: [{ name: spark, acessEntry: false }]\ndr:\n  clusters:\n    - name: a\n      clusterId: j-2AXXXXXXGAPLF\n      probe: { adress: x }\n      placement: { candidateSubnetIds: [subnet-0bbb2222] }\nregoin: us-east-1\n',
    );
    const { code, err } = await validate([path]);
    expect(code).toBe(1);
    expect(err).toContain('  - eks.0: unknown field "acessEntry" (did you mean "accessEntry"?)');
    expect(err).toContain('  - dr.clusters.0.probe: unknown field "adress" (did you mean "address"?)');
    expect(err).toContain('  - (root): unknown field "regoin" (did you mean "region"?)');
  });

  it('reports broken JSON in JSON terms and broken YAML in YAML terms', async () => {
    const json = await validate([file('broken.json', '{"eks": [}')]);
    expect(json.code).toBe(1);
    expect(json.err).toMatch(/broken\.json is not valid JSON: /);
    const yaml = await validate([file('broken.yaml', 'eks: [\n')]);
    expect(yaml.err).toMatch(/broken\.yaml is not valid YAML: /);
  });

  it('validates $LIFEGUARD_CONFIG when no file is named', async () => {
    const path = file('env.yaml', 'region: 7\n');
    const { code, err } = await validate([], { LIFEGUARD_CONFIG: path });
    expect(code).toBe(1);
    expect(err).toContain('  - region: expected a string (got 7)');
  });

  it('exits 2 when there is no file to validate', async () => {
    const missing = await validate([join(dir, 'absent.yaml')]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toMatch(/cannot read .*absent\.yaml: no such file/);
  });

  it('--quiet prints nothing for a valid file', async () => {
    expect(await validate(['lifeguard.config.example.yaml', '--quiet'])).toEqual({ code: 0, out: '', err: '' });
  });
});
