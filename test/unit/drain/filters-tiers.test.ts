import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { filterPod, skipDaemonSetPods, type PodFilter } from '../../../lib/drain/filters.ts';
import { groupByTier, tierOf } from '../../../lib/drain/tiers.ts';

const pod = (over: { labels?: Record<string, string>; annotations?: Record<string, string>; owner?: string; phase?: string; priorityClassName?: string; deleting?: boolean } = {}): V1Pod => ({
  metadata: {
    name: 'p',
    uid: 'u',
    labels: over.labels ?? {},
    ...(over.annotations ? { annotations: over.annotations } : {}),
    ...(over.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: over.owner, name: 'o', uid: 'o', controller: true }] } : {}),
    ...(over.deleting ? { deletionTimestamp: new Date() } : {}),
  },
  spec: { containers: [], ...(over.priorityClassName ? { priorityClassName: over.priorityClassName } : {}) },
  status: { phase: over.phase ?? 'Running' },
});

describe('filters', () => {
  it('evicts an ordinary pod, skips mirror/finished/DaemonSet pods, waits for terminating ones', () => {
    expect(filterPod(pod({ owner: 'ReplicaSet' }))).toEqual({ verdict: 'evict', reason: 'workload pod' });
    expect(filterPod(pod({ annotations: { 'kubernetes.io/config.mirror': 'x' } })).verdict).toBe('skip');
    expect(filterPod(pod({ phase: 'Succeeded' })).reason).toMatch(/Succeeded/);
    expect(filterPod(pod({ phase: 'Failed' })).verdict).toBe('skip');
    expect(filterPod(pod({ owner: 'DaemonSet' }))).toMatchObject({ verdict: 'skip', reason: 'DaemonSet pod' });
    expect(filterPod(pod({ deleting: true }))).toEqual({ verdict: 'skip', reason: 'already terminating', waitForExit: true });
  });

  it('composes: the first filter with an opinion decides', () => {
    const keepAll: PodFilter = () => ({ verdict: 'skip', reason: 'maintenance window' });
    expect(filterPod(pod({ owner: 'DaemonSet' }), [keepAll, skipDaemonSetPods]).reason).toBe('maintenance window');
    expect(filterPod(pod({ owner: 'DaemonSet' }), [])).toMatchObject({ verdict: 'evict' });
  });
});

describe('tiers', () => {
  it('tells executors, workloads, drivers and system-critical pods apart, listed in that order', () => {
    const pods = [
      pod({ priorityClassName: 'system-node-critical' }),
      pod({ labels: { 'spark-role': 'driver' } }),
      pod({}),
      pod({ labels: { 'spark-role': 'executor' } }),
      pod({ priorityClassName: 'system-cluster-critical' }),
      pod({ priorityClassName: 'high-priority' }),
    ];
    expect(pods.map(tierOf)).toEqual(['system-critical', 'spark-driver', 'workload', 'spark-executor', 'system-critical', 'workload']);
    expect(groupByTier(pods, tierOf).map((g) => [g.tier, g.items.length])).toEqual([
      ['spark-executor', 1],
      ['workload', 2],
      ['spark-driver', 1],
      ['system-critical', 2],
    ]);
  });
});
