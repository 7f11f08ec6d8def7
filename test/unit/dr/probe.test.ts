import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emrClusterSchema, type EmrClusterConfig } from '../../../lib/config/dr.ts';
import { probeCluster } from '../../../lib/dr/probe.ts';
import { startHadoopEmulator, type HadoopEmulator } from '../../../sandbox/hadoop/emulator.ts';

let emulator: HadoopEmulator;
let cluster: EmrClusterConfig;
const FIXED_NOW = Date.parse('2026-03-01T12:00:00Z');
const now = () => FIXED_NOW;

beforeEach(async () => {
  emulator = await startHadoopEmulator();
  cluster = emrClusterSchema.parse({
    name: 'analytics',
    clusterId: 'j-2AXXXXXXGAPLF',
    probe: { address: 'emr-analytics.example.internal', ports: emulator.ports },
    placement: { candidateSubnetIds: ['subnet-0b2c3d4e5f6a7b8c9'] },
    roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
  });
});

afterEach(async () => {
  await emulator.close();
});

const probe = (extra: Parameters<typeof probeCluster>[1] = {}) =>
  probeCluster(cluster, { address: emulator.address, now, ...extra });

describe('probeCluster against the Hadoop emulators', () => {
  it('reports a healthy cluster with every service healthy', async () => {
    const verdict = await probe();
    expect(verdict).toEqual({
      cluster: 'analytics',
      clusterId: 'j-2AXXXXXXGAPLF',
      healthy: true,
      checkedAt: FIXED_NOW,
      address: '127.0.0.1',
      services: {
        resourceManager: { healthy: true, latencyMs: 0, detail: { state: 'STARTED', haState: 'ACTIVE', version: '3.3.6-amzn-1' }, work: { count: 0, ids: [] } },
        nameNode: {
          healthy: true,
          latencyMs: 0,
          detail: { state: 'active', hostAndPort: 'ip-10-0-1-25.ec2.internal:8020', safeMode: false },
        },
        livy: { healthy: true, latencyMs: 0, detail: { sessions: 0 }, work: { count: 0, ids: [] } },
      },
    });
  });

  it('uses the configured address when none is given', async () => {
    const verdict = await probeCluster(
      { ...cluster, probe: { ...cluster.probe, address: '127.0.0.1' } },
      { now },
    );
    expect(verdict.address).toBe('127.0.0.1');
    expect(verdict.healthy).toBe(true);
  });

  it('marks a standby ResourceManager unhealthy with the reason', async () => {
    await emulator.setHealth({ resourceManager: 'standby' });
    const verdict = await probe();
    expect(verdict.healthy).toBe(false);
    expect(verdict.services.resourceManager).toMatchObject({ healthy: false, reason: 'haState STANDBY' });
    expect(verdict.services.nameNode.healthy).toBe(true);
    expect(verdict.services.livy.healthy).toBe(true);
  });

  it('marks a stopped ResourceManager unhealthy', async () => {
    await emulator.setHealth({ resourceManager: 'stopped' });
    expect((await probe()).services.resourceManager).toMatchObject({ healthy: false, reason: 'state STOPPED' });
  });

  it('marks a NameNode in safe mode unhealthy and reports safe mode', async () => {
    await emulator.setHealth({ nameNode: 'safemode' });
    const verdict = await probe();
    expect(verdict.healthy).toBe(false);
    expect(verdict.services.nameNode.healthy).toBe(false);
    expect(verdict.services.nameNode.reason).toMatch(/^safe mode: Safe mode is ON\./);
    expect(verdict.services.nameNode.detail).toMatchObject({ state: 'active', safeMode: true });
  });

  it('marks a standby NameNode unhealthy', async () => {
    await emulator.setHealth({ nameNode: 'standby' });
    expect((await probe()).services.nameNode).toMatchObject({ healthy: false, reason: 'State standby' });
  });

  it('reports connection refused when Livy is down, and recovers on the same port', async () => {
    await emulator.setHealth({ livy: 'down' });
    const down = await probe();
    expect(down.healthy).toBe(false);
    expect(down.services.livy).toMatchObject({ healthy: false, reason: 'connection refused (ECONNREFUSED)' });
    expect(down.services.resourceManager.healthy).toBe(true);

    await emulator.setHealth({ livy: 'up' });
    expect((await probe()).healthy).toBe(true);
  });

  it('reports the HTTP status when Livy fails', async () => {
    await emulator.setHealth({ livy: 'error' });
    expect((await probe()).services.livy).toMatchObject({ healthy: false, reason: 'HTTP 500' });
  });

  it('gives up on a hanging service at the timeout and still judges the others', async () => {
    await emulator.setHealth({ nameNode: 'hang' });
    const verdict = await probe({ connectTimeoutMs: 200, totalTimeoutMs: 400, now: Date.now });
    expect(verdict.healthy).toBe(false);
    expect(verdict.services.nameNode.healthy).toBe(false);
    expect(verdict.services.nameNode.reason).toBe('timeout: no response within 200 ms');
    expect(verdict.services.resourceManager.healthy).toBe(true);
    expect(verdict.services.livy.healthy).toBe(true);
  });
});

describe('probeCluster body validation', () => {
  const answering = (bodies: Record<string, { status?: number; body: string; headers?: Record<string, string> }>): typeof fetch =>
    (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      const match = Object.entries(bodies).find(([prefix]) => (url.pathname + url.search).startsWith(prefix));
      const healthy: Record<string, string> = {
        '/ws/v1/cluster/info': JSON.stringify({ clusterInfo: { state: 'STARTED', haState: 'ACTIVE' } }),
        '/jmx?qry': JSON.stringify({ beans: [{ State: 'active' }] }),
        '/jmx?get': JSON.stringify({ beans: [{ Safemode: '' }] }),
        '/sessions': JSON.stringify({ from: 0, total: 2, sessions: [{}, {}] }),
      };
      if (match) return new Response(match[1].body, { status: match[1].status ?? 200, headers: match[1].headers ?? {} });
      const fallback = Object.entries(healthy).find(([prefix]) => (url.pathname + url.search).startsWith(prefix));
      return new Response(fallback?.[1] ?? 'not found', { status: fallback ? 200 : 404 });
    }) as typeof fetch;

  it('is healthy on well-formed bodies', async () => {
    const verdict = await probe({ fetch: answering({}) });
    expect(verdict.healthy).toBe(true);
    expect(verdict.services.livy.detail).toEqual({ sessions: 2 });
  });

  it('treats a 200 with HTML as unhealthy, naming the problem', async () => {
    const verdict = await probe({ fetch: answering({ '/sessions': { body: '<html><body>Livy</body></html>' } }) });
    expect(verdict.services.livy).toMatchObject({ healthy: false, reason: 'bad body: not JSON ("<html><body>Livy</body></html>")' });
  });

  it('treats a 200 without the expected field as unhealthy, naming the field', async () => {
    const verdict = await probe({
      fetch: answering({ '/ws/v1/cluster/info': { body: JSON.stringify({ clusterInfo: { state: 'STARTED' } }) } }),
    });
    expect(verdict.services.resourceManager.healthy).toBe(false);
    expect(verdict.services.resourceManager.reason).toMatch(/^bad body: clusterInfo\.haState: /);
  });

  it('treats an empty JMX answer as unhealthy', async () => {
    const verdict = await probe({ fetch: answering({ '/jmx?qry': { body: '{"beans":[]}' } }) });
    expect(verdict.services.nameNode).toMatchObject({ healthy: false, reason: 'bad body: beans: no NameNodeStatus bean (got a list of 0)' });
  });

  it('treats a redirect (a standby ResourceManager) as unhealthy, naming where it points', async () => {
    const verdict = await probe({
      fetch: answering({
        '/ws/v1/cluster/info': { status: 307, body: 'This is standby RM.', headers: { location: 'http://ip-10-0-2-9:8088/ws/v1/cluster/info' } },
      }),
    });
    expect(verdict.services.resourceManager.reason).toBe('HTTP 307 (redirect to http://ip-10-0-2-9:8088/ws/v1/cluster/info)');
  });

  it('reports an unknown safe-mode state as unhealthy rather than guessing', async () => {
    const verdict = await probe({ fetch: answering({ '/jmx?get': { status: 500, body: 'oops' } }) });
    expect(verdict.services.nameNode).toMatchObject({ healthy: false, reason: 'safe mode unknown: HTTP 500' });
    expect(verdict.services.nameNode.detail).toMatchObject({ state: 'active', safeMode: null });
  });

  it('turns a thrown fetch error into a reason instead of throwing', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) });
    }) as typeof fetch;
    const verdict = await probe({ fetch: failing });
    expect(verdict.healthy).toBe(false);
    for (const service of Object.values(verdict.services)) expect(service.reason).toBe('DNS lookup failed (ENOTFOUND)');
  });
});
