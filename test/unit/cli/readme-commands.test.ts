import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every `npx lifeguard …` line the README shows, run as a newcomer would (a real process). The
 * placeholders a reader fills in are filled with the project's own files; commands that need an
 * AWS account or a cluster must get as far as asking for it — never fail on their own usage.
 */
const readme = readFileSync('README.md', 'utf8');
const blocks = [...readme.matchAll(/```(?:sh|console)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
const commands = blocks.flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('npx lifeguard'));

const out = mkdtempSync(join(tmpdir(), 'lifeguard-readme-'));
// "A cluster" and "AWS" that refuse at once, on loopback: the commands get as far as calling them.
const kubeconfig = join(out, 'kubeconfig.yaml');
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: { token: t } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n',
);
const awsNowhere = {
  LIFEGUARD_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-dev-failover',
  AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9',
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
  [/~\/\.kube\/config/g, kubeconfig],
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

/** What a command that needs AWS or a cluster says when it has neither (exit 1 or 3, never 2). */
const NEEDS_OUTSIDE = /--kubeconfig|handle .* --dry-run|drill --cluster analytics (--dry-run|--retire)|redrive /;

describe('the README, command by command', () => {
  it('shows the commands a newcomer runs', () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
  });

  it.each(commands)('%s', async (line) => {
    const filled = FILLED.reduce((l, [from, to]) => l.replace(from, to), line);
    const args = filled.split(/\s+/).slice(2);
    const drillsAws = /drill .*--sandbox/.test(filled) ? {} : awsNowhere;
    const env = { ...process.env, LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml', KUBECONFIG: kubeconfig, ...drillsAws };
    if (args[0] === 'emulator') {
      const served = await runUntilServing(args, env);
      expect(served.kubeconfigWritten, served.said).toBe(true);
      expect(served.status, served.said).toBe(0);
      expect(served.said).toMatch(/^stopped; removed /m);
      return;
    }
    const result = spawnSync(process.execPath, ['bin/lifeguard.mjs', ...args], { encoding: 'utf8', env, timeout: 120_000 });
    const said = `${result.stdout}\n${result.stderr}`;
    if (NEEDS_OUTSIDE.test(filled)) {
      // It parsed, and stopped where it needs a cluster or an AWS account: 1 failed, 3 could not read the cluster.
      expect([1, 3], said).toContain(result.status);
      expect(said).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|connect/i);
      return;
    }
    expect(result.status, said).toBe(0);
  }, 120_000);
});
