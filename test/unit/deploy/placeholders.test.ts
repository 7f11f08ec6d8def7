import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AllowPlaceholdersOption from '../../../deploy/allow-placeholders-option.mjs';
import { deployConfig, deployConfigOrExit, placeholderRefusal } from '../../../deploy/load-config.ts';

const EXAMPLE = 'lifeguard.config.example.yaml';
const example = deployConfig({ LIFEGUARD_CONFIG: EXAMPLE });
const argv = (...rest: string[]) => ['node', 'osls', ...rest];

/** The example with every placeholder replaced by a value of one's own. */
function edited(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-placeholders-'));
  const path = join(dir, 'lifeguard.config.yaml');
  const text = readFileSync(EXAMPLE, 'utf8')
    .replaceAll('123456789012', '210987654321')
    .replaceAll('example.com', 'acme.io')
    .replaceAll('spark-prod', 'etl-eks')
    .replaceAll('analytics-nlb-0123456789abcdef', 'etl-nlb-5a6b7c8d9e0f1a2b')
    .replaceAll('analytics', 'etl')
    .replaceAll('j-2AXXXXXXGAPLF', 'j-1B2C3D4E5F6G7')
    .replaceAll('subnet-0bbb2222', 'subnet-0a1b2c3d4e5f60718')
    .replaceAll('subnet-0ccc3333', 'subnet-0f1e2d3c4b5a69788');
  writeFileSync(path, text);
  return path;
}

describe("package and deploy refuse the example's placeholders", () => {
  afterEach(() => vi.restoreAllMocks());

  it('names each placeholder field: the account, the example.com address, the cluster names', () => {
    const refusal = placeholderRefusal(example, argv('package', '--stage', 'dev'));
    expect(refusal).toContain(`${EXAMPLE} still has the example's placeholders`);
    expect(refusal).toContain('--allow-placeholders');
    expect(refusal).toContain('  - eks.0.name: "spark-prod" (the example\'s EKS cluster name)');
    expect(refusal).toContain('  - dr.clusters.0.name: "analytics" (the example\'s EMR cluster name)');
    expect(refusal).toContain('  - dr.clusters.0.clusterId: "j-2AXXXXXXGAPLF"');
    expect(refusal).toContain('  - dr.clusters.0.roles.service: "arn:aws:iam::123456789012:role/EMR_DefaultRole_V2" (account 123456789012 is AWS\'s documentation account)');
    expect(refusal).toContain('  - notifications.sns.emails.0: "spark-oncall@example.com" (example.com reaches nobody)');
    expect(placeholderRefusal(example, argv('deploy', '--stage', 'prod'))).toBe(refusal);
  });

  it('lets them through with --allow-placeholders, and for commands that ship nothing', () => {
    expect(placeholderRefusal(example, argv('package', '--stage', 'dev', '--allow-placeholders'))).toBeUndefined();
    expect(placeholderRefusal(example, argv('print'))).toBeUndefined();
  });

  it('finds nothing in a copy whose values are the user\'s own', () => {
    const own = deployConfig({ LIFEGUARD_CONFIG: edited() });
    expect(own.config.eks[0]?.name).toBe('etl-eks');
    expect(placeholderRefusal(own, argv('deploy'))).toBeUndefined();
  });

  it('ends serverless.ts with the message and exit 2 before anything is built', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => deployConfigOrExit({ LIFEGUARD_CONFIG: EXAMPLE }, argv('deploy'))).toThrow('exit 2');
    expect(exit).toHaveBeenCalledWith(2);
    expect(String(error.mock.calls[0]?.[0])).toMatch(/^lifeguard: lifeguard\.config\.example\.yaml still has the example's placeholders/);
  });

  it('declares the flag on package and deploy, so the framework accepts it, and the project packages its example with it', () => {
    const plugin = new AllowPlaceholdersOption();
    expect(plugin.commands.package.options['allow-placeholders'].type).toBe('boolean');
    expect(plugin.commands.deploy.options['allow-placeholders'].type).toBe('boolean');
    expect(readFileSync('serverless.ts', 'utf8')).toContain("'./deploy/allow-placeholders-option.mjs'");
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts['package:example']).toMatch(/--allow-placeholders$/);
  });
});
