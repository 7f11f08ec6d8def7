import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drConfigSchema, type DrConfig } from '../../../lib/config/dr.ts';
import type { HealthMetricsSink } from '../../../lib/dr/health-report.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { NoServingMasterError } from '../../../lib/dr/serving-master.ts';
import { probeCluster } from '../../../lib/dr/probe.ts';
import { makeProbeHandlers } from '../../../functions/dr-probe.ts';
import { makePlanHandler } from '../../../lib/dr/plan-handler.ts';
import { silentLog } from '../../../lib/observability/log.ts';
import { startHadoopEmulator, type HadoopEmulator } from '../../../sandbox/hadoop/emulator.ts';

/** Collects what would become one EMF document per publishStoredMetrics call. */
class RecordingMetrics implements HealthMetricsSink {
  readonly documents: Array<{ dimensions: Record<string, string>; metrics: Record<string, { unit: string; value: number }> }> = [];
  private dimensions: Record<string, string> = {};
  private metrics: Record<string, { unit: string; value: number }> = {};
  addDimension(name: string, value: string) { this.dimensions[name] = value; }
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number) { this.metrics[name] = { unit, value }; }
  publishStoredMetrics() {
    this.documents.push({ dimensions: this.dimensions, metrics: this.metrics });
    this.dimensions = {};
    this.metrics = {};
  }
}

let healthy: HadoopEmulator;
let broken: HadoopEmulator;
let config: DrConfig;

beforeEach(async () => {
  healthy = await startHadoopEmulator();
  broken = await startHadoopEmulator({ health: { livy: 'down' } });
  const cluster = (name: string, clusterId: string, emulator: HadoopEmulator) => ({
    name,
    clusterId,
    probe: { address: emulator.address, ports: emulator.ports },
    placement: { candidateSubnetIds: ['subnet-0c1c1c1c1c1c1c1c1'] },
    roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
  });
  config = drConfigSchema.parse({ clusters: [cluster('analytics', 'j-2AXXXXXXGAPLF', healthy), cluster('streaming', 'j-3FLEETXXXXXXX', broken)] });
});

afterEach(async () => {
  await Promise.all([healthy.close(), broken.close()]);
});

describe('dr-probe handlers', () => {
  it('probes every cluster, publishes ClusterHealthy and latencies per cluster, logs each verdict', async () => {
    const log = new RecordingLog();
    const metrics = new RecordingMetrics();
    const { scheduled } = makeProbeHandlers({ config, log, metrics, now: () => 1_000 });
    const { verdicts } = await scheduled();

    expect(verdicts.map((v) => [v.cluster, v.healthy])).toEqual([['analytics', true], ['streaming', false]]);
    expect(metrics.documents).toHaveLength(2);
    const byCluster = Object.fromEntries(metrics.documents.map((d) => [d.dimensions.Cluster, d.metrics]));
    expect(byCluster.analytics?.ClusterHealthy).toEqual({ unit: 'Count', value: 1 });
    expect(byCluster.streaming?.ClusterHealthy).toEqual({ unit: 'Count', value: 0 });
    expect(Object.keys(byCluster.streaming ?? {}).sort()).toEqual(['ClusterHealthy', 'LivyLatency', 'NameNodeLatency', 'ResourceManagerLatency']);
    expect(log.records.map((r) => [r.level, r.message])).toEqual(
      expect.arrayContaining([
        ['info', 'EMR cluster healthy'],
        ['warn', 'EMR cluster unhealthy: livy: connection refused (ECONNREFUSED)'],
      ]),
    );
  });

  it('probes every cluster at once: a healthy cluster never waits behind hanging ones and misses its minute', async () => {
    const many = drConfigSchema.parse({
      clusters: Array.from({ length: 20 }, (_, i) => ({
        name: `c${i}`,
        clusterId: `j-C${i}`,
        probe: { address: `c${i}.internal` },
        placement: { candidateSubnetIds: ['subnet-0c1c1c1c1c1c1c1c1'] },
        roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
      })),
    });
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { scheduled } = makeProbeHandlers({
      config: many,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      now: () => 1_000,
      probe: async (cluster) => {
        started.push(cluster.name);
        await gate;
        throw new Error('hung');
      },
    });
    const done = scheduled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(20);
    release();
    expect((await done).verdicts.every((v) => !v.healthy)).toBe(true);
  });

  it('publishes unhealthy when a probe throws, instead of publishing nothing', async () => {
    const metrics = new RecordingMetrics();
    const { scheduled } = makeProbeHandlers({
      config,
      log: new RecordingLog(),
      metrics,
      now: () => 1_000,
      probe: async () => {
        throw new Error('boom');
      },
    });
    const { verdicts } = await scheduled();
    expect(verdicts.every((v) => !v.healthy && v.services.livy.reason === 'probe failed: boom')).toBe(true);
    expect(metrics.documents.map((d) => d.metrics.ClusterHealthy?.value)).toEqual([0, 0]);
  });

  it('probes the address resolved for each cluster (the master the target groups serve), scheduled and confirm alike', async () => {
    const probed: Array<[string, string | undefined]> = [];
    const { scheduled, confirm } = makeProbeHandlers({
      config,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      now: () => 1_000,
      resolveAddress: async (cluster) => (cluster.name === 'analytics' ? '10.0.2.20' : '10.0.3.30'),
      probe: async (cluster, options) => {
        probed.push([cluster.name, options?.address]);
        return { cluster: cluster.name, clusterId: cluster.clusterId, healthy: true, checkedAt: 1_000, address: options?.address ?? '', services: {} as never };
      },
    });
    await scheduled();
    await confirm({ cluster: 'streaming' });
    expect(probed).toEqual([
      ['analytics', '10.0.2.20'],
      ['streaming', '10.0.3.30'],
      ['streaming', '10.0.3.30'],
    ]);
  });

  it('confirm fails (for the state machine to retry) when the serving master cannot be found', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    const { confirm } = makeProbeHandlers({
      config,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      resolveAddress: async () => {
        throw throttled;
      },
    });
    await expect(confirm({ cluster: 'analytics' })).rejects.toBe(throttled);
  });

  it('judges a cluster with no registered target unhealthy (no master serves) rather than failing', async () => {
    const { confirm } = makeProbeHandlers({
      config,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      now: () => 1_000,
      resolveAddress: async () => {
        throw new NoServingMasterError('no target is registered in the target groups of analytics');
      },
    });
    const verdict = await confirm({ cluster: 'analytics' });
    expect(verdict).toMatchObject({ healthy: false, services: { livy: { healthy: false, reason: 'no target is registered in the target groups of analytics' } } });
  });

  it('confirm probes the master it is given (a warm standby), not the one the target groups route to', async () => {
    const probed: string[] = [];
    const { confirm } = makeProbeHandlers({
      config,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      probe: async (cluster, options) => {
        probed.push(String(options?.address));
        return probeCluster(cluster, options);
      },
      resolveAddress: async () => {
        throw new Error('the target groups are not asked for a standby');
      },
    });
    await confirm({ cluster: 'analytics', address: '127.0.0.1' });
    expect(probed).toEqual(['127.0.0.1']);
    await expect(confirm({ cluster: 'analytics', address: '' })).rejects.toThrow(/confirm input is invalid: address: /);
  });

  it('confirm probes one cluster by name or j-ID', async () => {
    const { confirm } = makeProbeHandlers({ config, log: new RecordingLog(), metrics: new RecordingMetrics() });
    expect((await confirm({ cluster: 'analytics' })).healthy).toBe(true);
    const verdict = await confirm({ cluster: 'j-3FLEETXXXXXXX' });
    expect(verdict).toMatchObject({ cluster: 'streaming', healthy: false });
    await expect(confirm({ cluster: 'nope' })).rejects.toThrow(/'nope' is not configured/);
    await expect(confirm({})).rejects.toThrow(/confirm input is invalid: cluster: /);
  });
});

describe('dr-plan handler', () => {
  it('rejects bad input naming the field, before any AWS call', async () => {
    const made: string[] = [];
    const plan = makePlanHandler({ log: silentLog, deps: () => (made.push('clients'), { config, emr: undefined as never, ec2: undefined as never, elbv2: undefined as never }) });
    await expect(plan({ cluster: 'analytics', mode: 'panic' })).rejects.toThrow(/failover input is invalid: mode: /);
    await expect(plan({ mode: 'drill' })).rejects.toThrow(/failover input is invalid: cluster: /);
    await expect(plan({ cluster: 'analytics', mode: 'drill', extra: 1 })).rejects.toThrow(/unknown field "extra"/);
    // Refused before any client was made.
    expect(made).toEqual([]);
  });
});
