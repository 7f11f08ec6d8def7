import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { neverAllows, tolerates } from '../../../lib/audit/checks/node-group.ts';
import { isSpot, nodeGroupOf } from '../../../lib/audit/node-groups.ts';
import { selects } from '../../../lib/audit/selector.ts';
import { confFromArgs, parseProperties, sparkConfOf } from '../../../lib/audit/spark-conf.ts';

describe('Spark configuration sources', () => {
  it('parses spark.properties as Java writes it', () => {
    const text = [
      '#Spark configuration',
      '! another comment',
      'spark.storage.decommission.fallbackStorage.path=s3a\\://bucket/fallback/',
      'spark.decommission.enabled = true',
      'spark.app.name: etl job',
      'spark.executor.extraJavaOptions=-Da=1 \\',
      '    -Db=2',
      'spark.kubernetes.driver.label.team\\=x=y',
      'spark.unicode=caf\\u00e9',
    ].join('\n');
    expect(parseProperties(text)).toEqual({
      'spark.storage.decommission.fallbackStorage.path': 's3a://bucket/fallback/',
      'spark.decommission.enabled': 'true',
      'spark.app.name': 'etl job',
      'spark.executor.extraJavaOptions': '-Da=1 -Db=2',
      'spark.kubernetes.driver.label.team=x': 'y',
      'spark.unicode': 'café',
    });
  });

  it('reads --conf pairs from arguments', () => {
    expect(confFromArgs(['driver', '--conf', 'a.b=1', '--conf=c=d=e', '-c', 'x=y', '--conf', 'broken', '--class', 'Main'])).toEqual({ 'a.b': '1', c: 'd=e', x: 'y' });
  });

  it('lets the ConfigMap override the annotation and the arguments override both, naming every source', () => {
    const driver: V1Pod = {
      metadata: { namespace: 'spark', annotations: { 'lifeguard.io/spark-conf': 'a=annotation\nb=annotation\nc=annotation' } },
      spec: {
        containers: [{ name: 'spark-kubernetes-driver', args: ['driver', '--conf', 'c=args'] }],
        volumes: [{ name: 'spark-conf-volume-driver', configMap: { name: 'spark-drv-1-conf-map' } }],
      },
    };
    expect(sparkConfOf(driver, 'b=configmap\nc=configmap')).toEqual({
      source: 'annotation lifeguard.io/spark-conf + configmap spark/spark-drv-1-conf-map + driver arguments',
      values: { a: 'annotation', b: 'configmap', c: 'args' },
    });
    expect(sparkConfOf({ metadata: {}, spec: { containers: [{ name: 'x' }] } })).toEqual({ values: {} });
  });
});

describe('PodDisruptionBudgets that can never allow a disruption', () => {
  it.each([
    [{ minAvailable: 1 }, 1, true],
    [{ minAvailable: 1 }, 2, false],
    [{ minAvailable: '100%' }, 5, true],
    [{ minAvailable: '50%' }, 1, true], // ceil(0.5) = 1 of 1
    [{ minAvailable: '50%' }, 3, false],
    [{ maxUnavailable: 0 }, 3, true],
    [{ maxUnavailable: '0%' }, 3, true],
    [{ maxUnavailable: '10%' }, 3, false], // rounds up to 1
    [{ minAvailable: 3 }, 0, false], // no pods: nothing to block
  ])('%j over %i pod(s): %s', (spec, pods, never) => {
    expect(neverAllows({ spec }, pods)).toBe(never);
  });
});

describe('tolerations of Lifeguard\'s taint', () => {
  const taint = { key: 'lifeguard.io/interruption', value: 'spot-interruption', effect: 'NoSchedule' };
  it.each([
    [{ operator: 'Exists' }, true],
    [{ key: 'lifeguard.io/interruption', operator: 'Exists' }, true],
    [{ key: 'lifeguard.io/interruption', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'lifeguard.io/interruption', operator: 'Equal', value: 'spot-interruption' }, true],
    [{ key: 'lifeguard.io/interruption', value: 'rebalance-recommendation' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
    [{ effect: 'NoSchedule' }, false],
  ])('%j tolerates it: %s', (toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});

describe('label selectors', () => {
  it('follows matchLabels and matchExpressions', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selects({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selects({}, labels)).toBe(true);
    expect(selects(undefined, labels)).toBe(false);
  });
});

describe('node groups and capacity', () => {
  const node = (labels: Record<string, string>): V1Node => ({ metadata: { name: 'n', labels } });
  it('recognises Spot from EKS, Karpenter and self-managed labels', () => {
    expect(isSpot(node({ 'eks.amazonaws.com/capacityType': 'SPOT' }))).toBe(true);
    expect(isSpot(node({ 'karpenter.sh/capacity-type': 'spot' }))).toBe(true);
    expect(isSpot(node({ 'node.kubernetes.io/lifecycle': 'spot' }))).toBe(true);
    expect(isSpot(node({ 'eks.amazonaws.com/capacityType': 'ON_DEMAND' }))).toBe(false);
  });
  it('names the group from its label, else by capacity', () => {
    expect(nodeGroupOf(node({ 'eks.amazonaws.com/nodegroup': 'spark-spot' }))).toBe('spark-spot');
    expect(nodeGroupOf(node({ 'karpenter.sh/nodepool': 'spark' }))).toBe('spark');
    expect(nodeGroupOf(node({ 'karpenter.sh/capacity-type': 'spot' }))).toBe('(ungrouped Spot nodes)');
  });
});
