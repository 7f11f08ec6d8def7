import { describe, expect, it } from 'vitest';
import type { DrainReport } from '../../../lib/drain/drain.ts';
import type { InterruptionReport } from '../../../lib/interruption/handle.ts';
import { DrainFailedError } from '../../../lib/drain/errors.ts';
import { recordFailureMetrics, recordInterruptionMetrics } from '../../../lib/observability/interruption-metrics.ts';

const sink = () => {
  const points: Array<[string, number]> = [];
  return { points, addMetric: (name: string, _unit: string, value: number) => void points.push([name, value]) };
};
const drain = (over: Partial<DrainReport> = {}): DrainReport => ({
  nodeName: 'n',
  eventId: 'e',
  deadline: 1_120_000,
  startedAt: 1_000_000,
  drainedAt: 1_060_000,
  deadlineMet: true,
  allGone: true,
  errors: [],
  transientFailures: 0,
  pods: [
    { namespace: 'spark', name: 'exec-1', uid: 'u1', tier: 'spark-executor', sparkRole: 'executor', outcome: 'evicted', attempts: 1, forced: false, goneAt: 1_050_000 },
    { namespace: 'spark', name: 'exec-2', uid: 'u2', tier: 'spark-executor', sparkRole: 'executor', outcome: 'pending', attempts: 9, forced: false },
    { namespace: 'default', name: 'web', uid: 'u3', tier: 'workload', outcome: 'deleted', attempts: 3, forced: true, goneAt: 1_055_000 },
  ],
  applications: [{ appId: 'a', executors: 2, executorsGone: 1, driverOnNode: true, driver: 'spark/d' }],
  tiers: [],
  warnings: [],
  ...over,
});
const report = (instances: InterruptionReport['instances']): InterruptionReport => ({ ignored: false, eventId: 'e', kind: 'spot-interruption', dryRun: false, receivedAt: 1_000_000, eventAgeMs: 2_500, instances });

describe('interruption metrics', () => {
  it('from a drained node: cordon and drain times, pods by outcome, Spark executors, drivers at risk', () => {
    const s = sink();
    recordInterruptionMetrics(report([{ instanceId: 'i-1', nodeName: 'n', status: 'drained', cordon: { patched: true, cordonedAt: 1_000_040 }, drain: drain() }]), s);
    expect(Object.fromEntries(s.points)).toEqual({
      EventAgeAtReceipt: 2_500,
      TimeToCordon: 40,
      TimeToDrained: 60_000,
      PodsEvicted: 1,
      PodsForceDeleted: 1,
      PodsFailed: 1,
      SparkExecutorsDrained: 1,
      SparkExecutorsNotDrained: 1,
      SparkDriversAtRisk: 1,
    });
  });

  it('a missed deadline, and the lifecycle outcomes: duplicate, scheduled, handed over, reverted, unknown instance', () => {
    const s = sink();
    recordInterruptionMetrics(
      report([
        { instanceId: 'i-1', status: 'drained', drain: drain({ deadlineMet: false, drainedAt: null }) },
        { instanceId: 'i-2', status: 'duplicate' },
        { instanceId: 'i-3', status: 'scheduled' },
        { instanceId: 'i-4', status: 'handed-over' },
        { instanceId: 'i-5', status: 'reverted' },
        { instanceId: 'i-6', status: 'ignored' },
      ]),
      s,
    );
    const names = s.points.map(([n]) => n);
    for (const name of ['DeadlineMisses', 'DuplicateDeliveries', 'WorkScheduled', 'DrainsHandedOver', 'NodesReverted', 'UnknownInstances']) expect(names).toContain(name);
    expect(names).not.toContain('TimeToDrained');
    // "nothing to drain" is no miss
    const quiet = sink();
    recordInterruptionMetrics(report([{ instanceId: 'i-1', status: 'drained', drain: drain({ deadlineMet: null, pods: [] }) }]), quiet);
    expect(quiet.points.map(([n]) => n)).not.toContain('DeadlineMisses');
  });

  it('a Health event type Lifeguard does not recognise is counted, besides what was done for it', () => {
    const s = sink();
    recordInterruptionMetrics({ ...report([{ instanceId: 'i-1', status: 'scheduled' }]), kind: 'scheduled-change', unknownEventType: 'AWS_EC2_SOMETHING_NEW_SCHEDULED' }, s);
    expect(s.points).toContainEqual(['UnknownEventTypes', 1]);
    expect(s.points).toContainEqual(['WorkScheduled', 1]);
    const known = sink();
    recordInterruptionMetrics(report([{ instanceId: 'i-1', status: 'scheduled' }]), known);
    expect(known.points.map(([n]) => n)).not.toContain('UnknownEventTypes');
  });

  it('an ignored event counts once, nothing else', () => {
    const s = sink();
    recordInterruptionMetrics({ ignored: true, reason: 'x', dryRun: false, receivedAt: 0, instances: [] }, s);
    expect(s.points).toEqual([['EventsIgnored', 1]]);
  });

  it('a failed invocation still records what its failed drains know', () => {
    const s = sink();
    const failed = new DrainFailedError('403', drain({ deadlineMet: false, drainedAt: null, errors: ['evict pod default/web: forbidden'] }));
    recordFailureMetrics(new AggregateError([failed, new Error('other')]), 1_000_000, s);
    const names = s.points.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['InvocationsFailed', 'DeadlineMisses', 'PodsFailed', 'SparkExecutorsNotDrained']));
    const plain = sink();
    recordFailureMetrics(new Error('boom'), 0, plain);
    expect(plain.points).toEqual([['InvocationsFailed', 1]]);
    // A notice of a batch is counted as such: the invocation itself did not fail.
    const notice = sink();
    recordFailureMetrics(new Error('boom'), 0, notice, 'NoticesFailed');
    expect(notice.points).toEqual([['NoticesFailed', 1]]);
  });
});
