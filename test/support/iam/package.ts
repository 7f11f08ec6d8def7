import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Template } from '../deployed-stack.ts';

/** What `osls package` reads: the service definition, the code it bundles, and the dependencies. */
const SERVICE_FILES = ['package.json', 'tsconfig.json', 'deploy', 'lib', 'functions', 'statemachines', 'node_modules'];

/**
 * `osls package` for a configuration of the test's own, in a directory of its own (the service's
 * files linked in), so it neither overwrites the example's .serverless nor shares esbuild's work
 * directory with another packaging running at the same time. Offline, no credentials needed.
 */
export function packageWithConfig(config: Record<string, unknown>, stage = 'dev'): Template {
  const root = resolve(import.meta.dirname, '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-package-'));
  try {
    for (const entry of SERVICE_FILES) symlinkSync(join(root, entry), join(dir, entry));
    // osls finds its service file only as a regular file.
    copyFileSync(join(root, 'serverless.ts'), join(dir, 'serverless.ts'));
    writeFileSync(join(dir, 'lifeguard.config.yaml'), stringify(config));
    // The test's configurations name AWS's documentation account: they are packaged, never deployed.
    execFileSync('npx', ['osls', 'package', '--stage', stage, '--allow-placeholders'], {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, LIFEGUARD_CONFIG: join(dir, 'lifeguard.config.yaml'), LIFEGUARD_STAGE: stage },
    });
    return JSON.parse(readFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
