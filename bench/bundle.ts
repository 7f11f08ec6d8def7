import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../deploy/bundle.ts';

/**
 * Cold start of every packaged function: zip size, and the median time a fresh Node process takes
 * to import the bundle, against the same for an empty module (what a Lambda cold start pays before
 * the handler runs, less the runtime's own start). Targets: every zip under 1 MB, import under
 * 2 × empty + 100 ms. Also the interruption bundle's largest packages, and any package bundled
 * from two places (two copies of one module).
 */
export async function benchBundle(options: { runs?: number } = {}): Promise<Record<string, number | string>> {
  const runs = options.runs ?? 7;
  // Package with the user's configuration, or the committed example when there is none yet.
  const config = process.env.LIFEGUARD_CONFIG ?? (existsSync('lifeguard.config.yaml') ? undefined : 'lifeguard.config.example.yaml');
  execFileSync('npx', ['osls', 'package', '--stage', 'dev'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...(config ? { LIFEGUARD_CONFIG: config } : {}) } });
  const zips = readdirSync('.serverless').filter((f) => f.endsWith('.zip')).sort();
  const scratch = mkdtempSync(join(tmpdir(), 'lifeguard-bundle-'));
  const figures: Record<string, number | string> = { runs };
  try {
    const empty = join(scratch, 'empty.mjs');
    writeFileSync(empty, '');
    const emptyMs = medianImportMs(empty, runs);
    figures.emptyImportMs = emptyMs;
    const budgetMs = round(2 * emptyMs + 100);
    figures.importBudgetMs = budgetMs;
    const environments = functionEnvironments();
    let worstZip = 0;
    let worstImport = 0;
    for (const zip of zips) {
      const name = basename(zip, '.zip');
      const dir = join(scratch, name);
      execFileSync('unzip', ['-q', '-o', join('.serverless', zip), '-d', dir]);
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      const maps = files.filter((e) => e.name.endsWith('.map')).length;
      const entry = files.find((e) => e.name.endsWith('.mjs'));
      if (!entry) throw new Error(`${zip} has no .mjs entry`);
      const zipBytes = statSync(join('.serverless', zip)).size;
      const importMs = medianImportMs(join(entry.parentPath, entry.name), runs, environments.get(name) ?? {});
      figures[`${name}.zipKB`] = round(zipBytes / 1024);
      figures[`${name}.importMs`] = importMs;
      if (maps > 0) figures[`${name}.sourceMaps`] = maps;
      worstZip = Math.max(worstZip, zipBytes);
      worstImport = Math.max(worstImport, importMs);
    }
    figures.largestZipKB = round(worstZip / 1024);
    figures.slowestImportMs = worstImport;
    figures.zipTargetMet = worstZip < 1024 * 1024 ? 'yes' : 'no';
    figures.importTargetMet = worstImport < budgetMs ? 'yes' : 'no';
    Object.assign(figures, await packageBreakdown('functions/interruption.ts'));
    Object.assign(figures, await floorOfParts(scratch, runs));
    return figures;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Each function's environment as the packaged template sets it, so its module-level checks pass:
 * literal values as they are, references (ARNs, names resolved at deploy) as a placeholder.
 */
function functionEnvironments(): Map<string, Record<string, string>> {
  const template = JSON.parse(readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const byFunction = new Map<string, Record<string, string>>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = resource.Properties?.Code?.S3Key;
    const name = typeof key === 'string' ? basename(key, '.zip') : undefined;
    if (!name) continue;
    const variables = resource.Properties?.Environment?.Variables ?? {};
    byFunction.set(name, Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `bench-placeholder-${k.toLowerCase()}`])));
  }
  return byFunction;
}

function medianImportMs(file: string, runs: number, env: Record<string, string> = {}): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const script = `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t);`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (out.status !== 0) throw new Error(`importing ${file} failed: ${out.stderr}`);
    times.push(Number(out.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return round(times[Math.floor(times.length / 2)]!);
}

/** The interruption bundle built as the package builds it, with a metafile: bytes per package, and duplicates. */
async function packageBreakdown(entry: string): Promise<Record<string, number | string>> {
  const result = await build({ ...bundleOptions('{}'), entryPoints: [entry], write: false, metafile: true, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs)[0]!;
  const byPackage = new Map<string, number>();
  const copies = new Map<string, Set<string>>();
  for (const [path, info] of Object.entries(output.inputs)) {
    const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)/.exec(path);
    const pkg = match ? match[2]! : '(lifeguard)';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
    if (match) {
      const places = copies.get(pkg) ?? new Set<string>();
      places.add(match[1]!);
      copies.set(pkg, places);
    }
  }
  const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const duplicated = [...copies.entries()].filter(([, places]) => places.size > 1).map(([pkg]) => pkg);
  return {
    'interruption.bundleKB': round(output.bytes / 1024),
    'interruption.largestPackages': top.map(([pkg, bytes]) => `${pkg} ${round(bytes / 1024)} KB`).join(', '),
    'interruption.bundledTwice': duplicated.length ? duplicated.join(', ') : 'none',
  };
}

/**
 * What the interruption function cannot do without, each bundled alone with the functions' options
 * and imported as its entry is: the floor under its import time while it uses these packages.
 */
const PARTS: Record<string, string> = {
  clientNode: "import { CoreV1Api, EventsV1Api, KubeConfig, Watch } from '@kubernetes/client-node'; globalThis.parts = [CoreV1Api, EventsV1Api, KubeConfig, Watch];",
  ec2Client: "import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2'; globalThis.parts = [new EC2Client({ region: 'us-east-1' }), DescribeInstancesCommand];",
  zod: "import { z } from 'zod'; globalThis.parts = [z.object({ a: z.string() })];",
};

async function floorOfParts(scratch: string, runs: number): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const [name, contents] of Object.entries(PARTS)) {
    const outfile = join(scratch, `part-${name}.mjs`);
    const result = await build({ ...bundleOptions('{}'), stdin: { contents, resolveDir: process.cwd(), loader: 'js' }, outfile, metafile: true, logLevel: 'silent' });
    figures[`part.${name}.KB`] = round(Object.values(result.metafile.outputs)[0]!.bytes / 1024);
    figures[`part.${name}.importMs`] = medianImportMs(outfile, runs);
  }
  return figures;
}

const round = (n: number) => Math.round(n * 10) / 10;
