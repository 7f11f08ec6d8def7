import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every `npx lifeguard …` line the README and the pages of docs/ show in a code block, run as a
 * newcomer would (a real process; a console block's `$ ` prompt is dropped). The placeholders a
 * reader fills in are filled with the project's own files; commands that need an AWS account or a
 * cluster must get as far as asking for it — never fail on their own usage.
 */
const PAGES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
/** The lines of a page's shell and console blocks (a fence opens and closes a block, whatever its language). */
function commandsOf(text: string): string[] {
  const lines: string[] = [];
  let block: string | undefined;
  for (const line of text.split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) block = block === undefined ? fence[1]! : undefined;
    else if (block !== undefined && ['', 'sh', 'console'].includes(block)) lines.push(line);
  }
  return lines.map((l) => l.replace(/^\s*\$ /, '').replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('npx lifeguard'));
}
const shown = PAGES.map((page) => ({ page, commands: commandsOf(readFileSync(page, 'utf8')) }));
const commands = shown.flatMap(({ page, commands }) => commands.map((line) => [page, line] as const));

const out = mkdtempSync(join(tmpdir(), 'lifeguard-readme-'));
// "A cluster" and "AWS" that refuse at once, on loopback: the commands get as far as calling them.
const kubeconfig = join(out, 'kubeconfig.yaml');
writeFileSync(
  kubeconfig,
  // The contexts the pages name (--context staging, prod) are there too, on the same refusing port.
  'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: { token: t } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }, { name: staging, context: { cluster: c, user: u } }, { name: prod, context: { cluster: c, user: u } }]\ncurrent-context: x\n',
);
const awsNowhere = {
  LIFEGUARD_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-dev-failover',
  AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9',
  // Every other service (STS for the reachability check, EMR for audit --emr, Lambda for redrive --to-function).
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  // A queue URL on loopback names no region (SQS calls go to the queue URL's own host).
  AWS_REGION: 'us-east-1',
};
const FILLED: Array<[RegExp, string]> = [
  [/\bmy-cluster\.yaml\b/g, 'sandbox/scenarios/pdb-blocked.yaml'],
  [/\brun\.html\b/g, join(out, 'run.html')],
  [/\b(dead-letter|EVENT)\.json\b/g, 'test/fixtures/events/spot-interruption-terminate.json'],
  [/\[--retire\] \[--json\]/g, '--retire --json'],
  [/~\/\.kube\/(config|prod)\b/g, kubeconfig],
  [/\blifeguard\.config\.yaml\b/g, 'lifeguard.config.example.yaml'],
  // A fixed port could be taken by anything else on the machine: 0 picks a free one.
  [/--port \d+/g, '--port 0'],
  // What a shell would redirect is printed instead.
  [/\s>\s*\S+$/, ''],
  [/\bemulator\.kubeconfig\b/g, join(out, 'emulator.kubeconfig')],
  [/https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\//g, 'http://127.0.0.1:9/'],
];
/**
 * A command that runs until Ctrl-C (`emulator`): it must start serving, write its kubeconfig, and
 * on SIGINT stop with exit 0 and remove the kubeconfig again. Resolves with what it said and its exit code.
 */
function runUntilServing(args: string[], env: NodeJS.ProcessEnv): Promise<{ said: string; status: number | null; kubeconfigWritten: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/lifeguard.mjs', ...args], { env });
    let said = '';
    let kubeconfigWritten = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const listen = (chunk: Buffer) => {
      said += chunk.toString();
      const written = /^kubeconfig: (.+)$/m.exec(said);
      if (written && !kubeconfigWritten) {
        kubeconfigWritten = existsSync(written[1]!);
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', listen);
    child.stderr.on('data', listen);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ said, status, kubeconfigWritten });
    });
  });
}

/**
 * A command that needs AWS or a cluster (exit 1 or 3 here, never 2): anything given a kubeconfig or
 * a context, an audit without a scenario, handle --dry-run, a drill outside the sandbox, redrive.
 */
const needsOutside = (line: string) =>
  /--kubeconfig|--context|handle .* --dry-run|^npx lifeguard redrive /.test(line) ||
  (/^npx lifeguard (audit|drill)\b/.test(line) && !/--scenario|--sandbox/.test(line));
/** A sandboxed command that works on AWS's API runs its own endpoints: the loopback overrides stay out. */
const inSandbox = (line: string) => /--sandbox|--scenario/.test(line);

describe('the README and docs/, command by command', () => {
  it('shows the commands a newcomer runs, in the README and in the pages that document them', () => {
    const count = (page: string) => shown.find((p) => p.page === page)!.commands.length;
    expect(count('README.md')).toBeGreaterThanOrEqual(4);
    for (const page of ['docs/cli.md', 'docs/dr.md', 'docs/operations.md', 'docs/audit.md', 'docs/scenarios.md']) expect(count(page), page).toBeGreaterThan(0);
  });

  it.each(commands)('%s: %s', async (_page, line) => {
    const filled = FILLED.reduce((l, [from, to]) => l.replace(from, to), line);
    const args = filled.split(/\s+/).slice(2);
    const env = { ...process.env, LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml', KUBECONFIG: kubeconfig, ...(inSandbox(filled) ? {} : awsNowhere) };
    if (args[0] === 'emulator') {
      const served = await runUntilServing(args, env);
      expect(served.kubeconfigWritten, served.said).toBe(true);
      expect(served.status, served.said).toBe(0);
      expect(served.said).toMatch(/^stopped; removed /m);
      return;
    }
    const result = spawnSync(process.execPath, ['bin/lifeguard.mjs', ...args], { encoding: 'utf8', env, timeout: 120_000 });
    const said = `${result.stdout}\n${result.stderr}`;
    if (needsOutside(filled)) {
      // It parsed, and stopped where it needs a cluster or an AWS account: 1 failed, 3 could not read the cluster.
      expect([1, 3], said).toContain(result.status);
      expect(said).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|connect/i);
      return;
    }
    if (args[0] === 'audit') {
      // A report: 0, or 1 when the rehearsed cluster has a finding at the --fail-on level.
      expect([0, 1], said).toContain(result.status);
      expect(said).toMatch(/finding|severe|warning|no problem/i);
      return;
    }
    expect(result.status, said).toBe(0);
  }, 120_000);
});
