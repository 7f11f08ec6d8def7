import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { closedPort, steppingClock } from '../../support/unreachable.ts';
import { captureIo } from './capture.ts';

// Every command that contacts a cluster or AWS checks first that it answers, and says so in seconds.
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-unreachable-'));
const spotEvent = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8'));
const SENT = Date.parse(spotEvent.time);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-dev-failover';

let port: number;
let kubeconfig: string;
beforeAll(async () => {
  port = await closedPort();
  kubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'prod', cluster: { server: `https://127.0.0.1:${port}` } }],
      users: [{ name: 'me', user: { token: 't' } }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
      'current-context': 'prod',
    }),
  );
});

describe('against a closed loopback port', () => {
  it('handle --dry-run exits 3 at once, naming the context and the endpoint, after saying the deadline passed', async () => {
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify(spotEvent));
    const clock = steppingClock(SENT + 268 * 86_400_000);
    const io = captureIo();
    expect(await runCli(['handle', event, '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {}, clock })).toBe(3);
    expect(clock.elapsed()).toBeLessThan(10_000);
    expect(io.stderr()).toMatch(/warning: the deadline .* passed 268 days ago/);
    expect(io.stderr()).toContain(`cannot reach the Kubernetes API server of context prod (${kubeconfig}) at https://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
    expect(io.stderr()).toMatch(/likely a wrong context/);
    expect(io.stderr()).not.toMatch(/retrying/);
  });

  it('audit exits 3 at once, naming the endpoint', async () => {
    const clock = steppingClock(SENT);
    const io = captureIo();
    expect(await runCli(['audit', '--kubeconfig', kubeconfig], { ...io.io, env: {}, clock })).toBe(3);
    expect(clock.elapsed()).toBeLessThan(10_000);
    expect(io.stderr()).toContain(`lifeguard audit: cannot reach the Kubernetes API server of context prod (${kubeconfig}) at https://127.0.0.1:${port}: connection refused`);
  });

  it('drill exits 3 at once, naming the Step Functions endpoint it would call', async () => {
    const clock = steppingClock(SENT);
    const io = captureIo();
    const env = { AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1' };
    expect(await runCli(['drill', '--cluster', 'analytics', '--state-machine-arn', ARN], { ...io.io, env, clock })).toBe(3);
    expect(clock.elapsed()).toBeLessThan(10_000);
    expect(io.stderr()).toContain(`lifeguard drill: cannot reach AWS Step Functions at http://127.0.0.1:${port}: connection refused`);
    expect(io.stdout()).not.toContain('drill of analytics');
  });

  it('redrive exits 3 before reading, naming the queue\'s endpoint', async () => {
    const io = captureIo();
    const queue = `http://127.0.0.1:${port}/123456789012/lifeguard-dev-InterruptionDeadLetterQueue`;
    expect(await runCli(['redrive', '--queue', queue, '--dry-run'], { ...io.io, env: { AWS_REGION: 'us-east-1' }, clock: steppingClock(SENT) })).toBe(3);
    expect(io.stderr()).toContain(`lifeguard redrive: cannot reach Amazon SQS at http://127.0.0.1:${port}: connection refused`);
  });

  it('a connect that never answers is cut at 3 s and blamed on the network path, not the context', async () => {
    const io = captureIo();
    const timedOut = (_host: string, _port: number, timeoutMs: number) => Promise.reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    let asked = 0;
    const connect = (host: string, p: number, timeoutMs: number) => {
      asked = timeoutMs;
      return timedOut(host, p, timeoutMs);
    };
    expect(await runCli(['audit', '--kubeconfig', kubeconfig], { ...io.io, env: {}, connect, clock: steppingClock(SENT) })).toBe(3);
    expect(asked).toBe(3_000);
    expect(io.stderr()).toMatch(/no answer within 3 s \(ETIMEDOUT\); likely a private endpoint reachable only over a VPN/);
  });
});
