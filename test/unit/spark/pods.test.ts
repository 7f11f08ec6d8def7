import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { graceSeconds, hasDecommissionHook, isSparkDriver, isSparkExecutor, sparkInfo } from '../../../lib/spark/pods.ts';

const pod = (labels: Record<string, string>, extra: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name: 'p', namespace: 'spark', labels },
  spec: { containers: [{ name: 'spark-kubernetes-executor' }], ...extra },
});
const withPreStop = (command: string[]): V1Pod =>
  pod({ 'spark-role': 'executor' }, { containers: [{ name: 'c', lifecycle: { preStop: { exec: { command } } } }] });

describe('Spark pod classification', () => {
  it('reads role, app id and executor id from Spark labels', () => {
    const exec = pod({ 'spark-role': 'executor', 'spark-app-selector': 'spark-0001', 'spark-exec-id': '7' });
    expect(sparkInfo(exec)).toEqual({ role: 'executor', appId: 'spark-0001', executorId: '7' });
    expect(isSparkExecutor(exec)).toBe(true);
    expect(isSparkDriver(pod({ 'spark-role': 'driver' }))).toBe(true);
    expect(sparkInfo(pod({ app: 'web' }))).toBeUndefined();
    expect(sparkInfo(pod({ 'spark-role': 'shuffle-service' }))).toBeUndefined();
  });

  it('falls back to EMR on EKS labels for the app id and role', () => {
    const emr = pod({
      'emr-containers.amazonaws.com/component': 'executor',
      'emr-containers.amazonaws.com/job.id': '0000000337okspsc913',
      'emr-containers.amazonaws.com/virtual-cluster-id': 'jk518skp01ys9ka8b0npx9nt0',
    });
    expect(sparkInfo(emr)).toEqual({
      role: 'executor',
      appId: '0000000337okspsc913',
      emrJobId: '0000000337okspsc913',
      emrVirtualClusterId: 'jk518skp01ys9ka8b0npx9nt0',
    });
    // Spark's own app id wins when both are there.
    expect(sparkInfo(pod({ 'spark-role': 'driver', 'spark-app-selector': 'spark-9', 'emr-containers.amazonaws.com/job.id': 'j' }))?.appId).toBe('spark-9');
  });

  it('finds the decommission preStop hook in Apache and EMR on EKS images only', () => {
    expect(hasDecommissionHook(withPreStop(['/opt/decom.sh']))).toBe(true);
    expect(hasDecommissionHook(withPreStop(['/usr/bin/decom.sh']))).toBe(true);
    expect(hasDecommissionHook(withPreStop(['sh', '-c', 'sleep 1; /opt/decom.sh']))).toBe(true);
    expect(hasDecommissionHook(withPreStop(['/opt/notdecom.sh']))).toBe(false);
    expect(hasDecommissionHook(withPreStop(['sleep', '30']))).toBe(false);
    expect(hasDecommissionHook(pod({ 'spark-role': 'executor' }))).toBe(false);
  });

  it('grace defaults to 30 s', () => {
    expect(graceSeconds(pod({}))).toBe(30);
    expect(graceSeconds(pod({}, { terminationGracePeriodSeconds: 120 }))).toBe(120);
    expect(graceSeconds(pod({}, { terminationGracePeriodSeconds: 0 }))).toBe(0);
  });
});
