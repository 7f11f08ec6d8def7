import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../../../deploy/bundle.ts';
import { drResources } from '../../../deploy/dr.ts';
import { interruptionStack } from '../../../deploy/interruption.ts';
import { deployConfig } from '../../../deploy/load-config.ts';

describe('function bundles', () => {
  it('the interruption function carries no YAML parser and no whatwg-url (nor its tr46 table)', async () => {
    const result = await build({ ...bundleOptions('{}'), entryPoints: ['functions/interruption.ts'], write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs);
    expect(inputs.filter((path) => /node_modules\/(yaml|whatwg-url|tr46)\//.test(path))).toEqual([]);
    expect(inputs.some((path) => path.endsWith('deploy/shims/whatwg-url.mjs'))).toBe(true);
  }, 60_000);

  it('no code a bundle can reach imports the test-only CloudFormation model or test support', () => {
    const sources = ['functions', 'lib', 'deploy', 'statemachines'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`),
    );
    expect(sources.length).toBeGreaterThan(50);
    const offending = sources.filter((file) => /from '(@aws-cdk\/|[./]*test\/)/.test(readFileSync(file, 'utf8')));
    expect(offending).toEqual([]);
    expect(readFileSync('serverless.ts', 'utf8')).not.toMatch(/@aws-cdk\/|test\/support/);
  });

  it("the shim stands only because node-fetch prefers Node's URL to whatwg-url's: fail here if that changes", () => {
    const require = createRequire(import.meta.url);
    const clientNode = require.resolve('@kubernetes/client-node');
    const nodeFetch = createRequire(clientNode).resolve('node-fetch').replace(/lib\/index\.js$/, 'lib/index.mjs');
    const source = readFileSync(nodeFetch, 'utf8');
    const uses = source.match(/whatwgUrl\.\w+/g) ?? [];
    expect(new Set(uses)).toEqual(new Set(['whatwgUrl.URL']));
    expect(source.match(/= Url\.URL \|\| whatwgUrl\.URL;/g)?.length).toBe(uses.length);
  });

  it('no function bundle carries a development dependency: the IAM simulator (AGPL-3.0-or-later) stays in the tests', async () => {
    const { config } = deployConfig({ LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml' });
    const functions = { ...interruptionStack(config, 'lifeguard', 'dev').functions, ...drResources(config).functions } as Record<string, { handler: string }>;
    const entryPoints = [...new Set(Object.values(functions).map((f) => `${f.handler.slice(0, f.handler.lastIndexOf('.'))}.ts`))];
    expect(entryPoints).toContain('functions/interruption.ts');
    const result = await build({ ...bundleOptions('{}'), entryPoints, outdir: 'out', write: false, metafile: true, logLevel: 'silent' });
    const devDependencies = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(devDependencies).toContain('@cloud-copilot/iam-simulate');
    const bundled = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    const fromDev = bundled.filter((path) => devDependencies.some((dep) => path.includes(`node_modules/${dep}/`)));
    expect([...new Set(fromDev)]).toEqual([]);
  }, 120_000);
});
