import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.ts';
import { InvalidFailoverInput, LOCK_TTL_SECONDS, prepareExecution } from '../../lib/dr/execution.ts';
import { computeRto } from '../../lib/dr/rto.ts';

const { dr } = parseConfig({
  dr: {
    clusters: [
      {
        name: 'analytics',
        clusterId: 'j-2AXXXXXXGAPLF',
        probe: { address: 'nlb.internal', confirm: { attempts: 5, intervalSeconds: 20, unhealthyToFail: 3 } },
        placement: { candidateSubnetIds: ['subnet-0bbb2222'] },
        roles: { service: 'arn:aws:iam::123456789012:role/EMR_DefaultRole_V2', instance: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' },
        drill: { dryRun: true },
      },
    ],
  },
});
const at = '2026-03-01T12:00:00.000Z';
const prepare = (request: unknown) => prepareExecution({ request, executionId: 'arn:exec:1', enteredAt: at }, dr);

describe('prepareExecution (ValidateInput)', () => {
  it('resolves the cluster by j-ID and sets up lock, confirm budget and empty slots', () => {
    const state = prepare({ cluster: 'j-2AXXXXXXGAPLF' });
    expect(state.request).toEqual({ cluster: 'analytics', clusterId: 'j-2AXXXXXXGAPLF', mode: 'failover', dryRun: false, retireOldCluster: true, resubmitSteps: 'none', detectedAt: null, alarmWindowSeconds: 0 });
    expect(state.lock).toEqual({ key: 'emr#analytics', now: String(Date.parse(at) / 1000), expiresAt: String(Date.parse(at) / 1000 + LOCK_TTL_SECONDS) });
    // 5 attempts, 3 to fail: after 3 healthy probes 3 failures are out of reach.
    expect(state.confirm).toMatchObject({ attempts: 5, unhealthyToFail: 3, healthyToClear: 3, intervalSeconds: 20, healthy: { n: 0 }, unhealthy: { n: 0 } });
    expect(state).toMatchObject({ plan: null, newCluster: null, newMaster: null, registration: { started: false, switched: false }, rolledBack: false });
  });

  it('takes drill defaults from the configuration, and lets the input override them', () => {
    expect(prepare({ cluster: 'analytics', mode: 'drill' }).request).toMatchObject({ dryRun: true, retireOldCluster: false });
    expect(prepare({ cluster: 'analytics', mode: 'drill', dryRun: false, retireOldCluster: true }).request).toMatchObject({ dryRun: false, retireOldCluster: true });
    // A real failover always retires the broken cluster.
    expect(prepare({ cluster: 'analytics', retireOldCluster: false }).request.retireOldCluster).toBe(true);
  });

  it("carries steps as the cluster's resubmitSteps says in a failover, and none in a drill unless its input asks", () => {
    const { dr: withSteps } = parseConfig({ dr: { clusters: [{ ...dr.clusters[0]!, resubmitSteps: 'pending' }] } });
    const prepareWith = (request: unknown) => prepareExecution({ request, executionId: 'arn:exec:1', enteredAt: at }, withSteps);
    expect(prepareWith({ cluster: 'analytics' }).request.resubmitSteps).toBe('pending');
    expect(prepareWith({ cluster: 'analytics', mode: 'drill' }).request.resubmitSteps).toBe('none');
    expect(prepareWith({ cluster: 'analytics', mode: 'drill', resubmitSteps: 'pending-and-running' }).request.resubmitSteps).toBe('pending-and-running');
    expect(() => prepareWith({ cluster: 'analytics', resubmitSteps: 'all' })).toThrow(/resubmitSteps/);
  });

  it("takes the alarm's state-change time as CloudWatch writes it, and its evaluation window", () => {
    const state = prepare({ cluster: 'analytics', detectedAt: '2026-03-01T11:57:00.000+0000' });
    expect(state.request).toMatchObject({ detectedAt: '2026-03-01T11:57:00.000Z', alarmWindowSeconds: 180 });
    expect(() => prepare({ cluster: 'analytics', detectedAt: 'yesterday' })).toThrow(/detectedAt/);
    expect(state).toMatchObject({ oldCluster: null, retireWarning: null });
  });

  it('rejects bad input naming the field', () => {
    expect(() => prepare({ cluster: 'nope' })).toThrow(InvalidFailoverInput);
    expect(() => prepare({ cluster: 'nope' })).toThrow(/analytics/);
    expect(() => prepare({ cluster: 'analytics', mode: 'panic' })).toThrow(/mode/);
    expect(() => prepare({ cluster: 'analytics', dryRun: 'yes' })).toThrow(/dryRun/);
    expect(() => prepare({ cluster: 'analytics', extra: 1 })).toThrow(/extra/);
    expect(() => prepare({})).toThrow(/cluster/);
  });
});

describe('computeRto (ReportRto)', () => {
  const mark = (s: number) => ({ at: new Date(Date.parse(at) + s * 1000).toISOString() });
  const input = {
    request: { cluster: 'analytics', clusterId: 'j-OLD', mode: 'failover', detectedAt: null as string | null },
    executionId: 'arn:exec:1',
    times: { started: mark(0), confirmed: mark(25), clusterReady: mark(640), registered: mark(642), healthy: mark(680), retired: mark(681), finished: mark(682) },
    plan: { sourceClusterId: 'j-OLD', targetAvailabilityZone: 'us-east-1b', oldMasterIp: '10.0.1.10' },
    newCluster: { ClusterId: 'j-NEW' },
    newMaster: { ip: '10.0.2.20' },
  };

  it('breaks the RTO down per phase', () => {
    expect(computeRto(input)).toMatchObject({
      rtoSeconds: 680,
      totalSeconds: 682,
      phases: { detect: 25, create: 615, register: 2, healthy: 38, retire: 2 },
      oldClusterRetired: true,
      newClusterId: 'j-NEW',
    });
  });

  it('counts detection from the alarm time when the trigger carries it', () => {
    const withAlarm = { ...input, request: { ...input.request, detectedAt: new Date(Date.parse(at) - 180_000).toISOString() } };
    expect(computeRto(withAlarm)).toMatchObject({ rtoSeconds: 860, phases: { detect: 205 } });
  });

  it("adds the alarm's evaluation window before its state change", () => {
    const withAlarm = {
      ...input,
      request: { ...input.request, detectedAt: new Date(Date.parse(at) - 30_000).toISOString(), alarmWindowSeconds: 180 },
    };
    // 180 s evaluating + 30 s until the execution + 680 s to healthy.
    expect(computeRto(withAlarm)).toMatchObject({ rtoSeconds: 890, totalSeconds: 892, phases: { alarm: 180, detect: 55 } });
  });

  it('reports the old cluster state and a retire failure as a warning', () => {
    const { retired: _retired, ...times } = input.times;
    const report = computeRto({
      ...input,
      times,
      oldCluster: { state: 'RUNNING' },
      retireWarning: { Error: 'Emr.InternalServerErrorException', Cause: 'try again' },
    });
    expect(report).toMatchObject({ oldClusterRetired: false, oldClusterState: 'RUNNING' });
    expect(report.warnings).toEqual(['old cluster j-OLD not retired: Emr.InternalServerErrorException: try again']);
    expect(computeRto(input).warnings).toEqual([]);
  });

  it('names a missing phase mark', () => {
    const { healthy: _healthy, ...times } = input.times;
    expect(() => computeRto({ ...input, times })).toThrow(/times\.healthy/);
  });
});
