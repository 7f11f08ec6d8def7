import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Size of the packaged interruption function and its cold import time: a fresh Node process
 * importing the bundle, median of several runs (what a Lambda cold start pays before the handler).
 */
export async function benchBundle(options: { runs?: number; packageFirst?: boolean } = {}): Promise<Record<string, number | string>> {
  const runs = options.runs ?? 7;
  const zip = '.serverless/interruption.zip';
  if (options.packageFirst !== false || !existsSync(zip)) {
    execFileSync('npx', ['osls', 'package', '--stage', 'dev'], { stdio: 'ignore' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-bundle-'));
  try {
    execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
    const entry = join(dir, 'functions', 'interruption.mjs');
    const unzippedBytes = sumBytes(dir, (f) => !f.endsWith('.map'));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const script = `const t=performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now()-t);`;
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`importing the bundle failed: ${out.stderr}`);
      times.push(Number(out.stdout.trim()));
    }
    times.sort((a, b) => a - b);
    return {
      zipBytes: statSync(zip).size,
      bundleBytes: unzippedBytes,
      coldImportMsMedian: round(times[Math.floor(times.length / 2)] ?? NaN),
      coldImportMsMin: round(times[0] ?? NaN),
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sumBytes(dir: string, keep: (file: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && keep(path)) total += statSync(path).size;
  }
  return total;
}

const round = (n: number) => Math.round(n * 10) / 10;
