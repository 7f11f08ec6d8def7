import { afterEach, describe, expect, it } from 'vitest';
import { makeProbeHandlers } from '../../../functions/dr-probe.ts';
import { drConfigSchema } from '../../../lib/config/dr.ts';
import { WORK_IDS_LISTED } from '../../../lib/dr/hadoop-checks.ts';
import { lastSeenFromRead, lastSeenItem, type LastSeen } from '../../../lib/dr/last-seen.ts';
import { probeCluster } from '../../../lib/dr/probe.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { startHadoopEmulator, type HadoopEmulator, type HadoopWork } from '../../../sandbox/hadoop/emulator.ts';

/** What the probe sees running on a master, and what it keeps for a failover's report. */
const emulators: HadoopEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function clusterRunning(work: HadoopWork, health = {}) {
  const emulator = await startHadoopEmulator({ work, health });
  emulators.push(emulator);
  const config = drConfigSchema.parse({
    clusters: [
      {
        name: 'analytics',
        clusterId: 'j-2AXXXXXXGAPLF',
        probe: { address: emulator.address, ports: emulator.ports },
        placement: { candidateSubnetIds: ['subnet-0c1c1c1c1c1c1c1c1'] },
        roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
      },
    ],
  });
  return config;
}

const app = (n: number, state: 'RUNNING' | 'ACCEPTED' = 'RUNNING') => ({ id: `application_1767225600000_${String(n).padStart(4, '0')}`, name: `job ${n}`, state });
const metrics = { addDimension: () => undefined, addMetric: () => undefined, publishStoredMetrics: () => undefined };

describe('what the probe sees running', () => {
  it('counts every running and waiting YARN application and lists the first ids; counts the Livy sessions that hold an interpreter', async () => {
    const apps = Array.from({ length: 25 }, (_, i) => app(i + 1, i === 24 ? 'ACCEPTED' : 'RUNNING'));
    const sessions = [
      { id: 3, kind: 'pyspark', state: 'busy', appId: 'application_1767225600000_0001' },
      { id: 4, kind: 'sql', state: 'idle' },
      { id: 5, kind: 'spark', state: 'dead' },
    ];
    const config = await clusterRunning({ yarnApplications: apps, livySessions: sessions });
    const verdict = await probeCluster(config.clusters[0]!);
    expect(verdict.healthy).toBe(true);
    expect(verdict.services.resourceManager.work).toEqual({ count: 25, ids: apps.slice(0, WORK_IDS_LISTED).map((a) => a.id) });
    expect(verdict.services.livy.work).toEqual({ count: 2, ids: ['session 3 (application_1767225600000_0001)', 'session 4'] });
  });

  it('the scheduled probe keeps what a healthy cluster runs, and nothing of an unhealthy one', async () => {
    const recorded: Array<[string, LastSeen]> = [];
    const lastSeen = { record: async (cluster: string, seen: LastSeen) => void recorded.push([cluster, seen]) };
    const up = await clusterRunning({ yarnApplications: [app(7)], livySessions: [] });
    await makeProbeHandlers({ config: up, log: new RecordingLog(), metrics, now: () => Date.parse('2026-03-01T12:00:00Z'), lastSeen }).scheduled();
    expect(recorded).toEqual([['analytics', { at: '2026-03-01T12:00:00.000Z', yarnApplications: { count: 1, ids: [app(7).id] }, livySessions: { count: 0, ids: [] } }]]);
    const down = await clusterRunning({ yarnApplications: [app(8)], livySessions: [] }, { livy: 'down' });
    await makeProbeHandlers({ config: down, log: new RecordingLog(), metrics, lastSeen }).scheduled();
    expect(recorded).toHaveLength(1);
  });

  it('a store that fails is a warning: the probe still answers with its verdicts', async () => {
    const config = await clusterRunning({ yarnApplications: [], livySessions: [] });
    const log = new RecordingLog();
    const lastSeen = { record: async () => Promise.reject(new Error('AccessDeniedException: not authorized')) };
    const { verdicts } = await makeProbeHandlers({ config, log, metrics, lastSeen }).scheduled();
    expect(verdicts[0]!.healthy).toBe(true);
    expect(log.records.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual(['could not record what analytics runs: AccessDeniedException: not authorized']);
  });

  it('the stored item reads back as the report gives it; no item is no work known', () => {
    const seen: LastSeen = { at: '2026-03-01T12:00:00.000Z', yarnApplications: { count: 1, ids: ['application_1_0001'] }, livySessions: null };
    const item = lastSeenItem('analytics', seen);
    expect(item.lockKey).toEqual({ S: 'seen#analytics' });
    expect(item.expiresAt).toEqual({ N: String(Date.parse(seen.at) / 1000 + 86_400) });
    expect(lastSeenFromRead({ Item: item })).toEqual(seen);
    expect(lastSeenFromRead({})).toBeNull();
  });
});
