import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sandbox/scenario/load.ts';

const withApi = (api: Record<string, unknown>) => ({
  name: 'api fields',
  cluster: { name: 'c', nodes: [{ name: 'ip-10-0-1-10.ec2.internal', instanceId: 'i-0123456789abcdef0', zone: 'us-east-1a' }], api },
  events: [],
});

describe('scenario cluster.api', () => {
  it('defaults to a server with streaming lists and a 20,000-change watch cache', () => {
    expect(parseScenario(withApi({})).cluster!.api).toMatchObject({ watchList: true, watchCacheSize: 20_000 });
  });

  it('takes watchList false (Kubernetes 1.33) and a smaller watch cache', () => {
    expect(parseScenario(withApi({ watchList: false, watchCacheSize: 50 })).cluster!.api).toMatchObject({ watchList: false, watchCacheSize: 50 });
  });

  it('applies Lifeguard’s FlowSchemas only when asked: a cluster administrator may not have applied them', () => {
    expect(parseScenario(withApi({})).cluster!.api.flowControl).toBe('default');
    expect(parseScenario(withApi({ flowControl: 'lifeguard' })).cluster!.api.flowControl).toBe('lifeguard');
    expect(() => parseScenario(withApi({ flowControl: 'lifeguard', limits: false }))).toThrow(/cluster\.api\.flowControl: flowControl: lifeguard needs limits/);
    expect(() => parseScenario(withApi({ flowControl: 'custom' }))).toThrow(/cluster\.api\.flowControl/);
  });

  it('names the bad field', () => {
    expect(() => parseScenario(withApi({ watchList: 'yes' }))).toThrow(/cluster\.api\.watchList/);
    expect(() => parseScenario(withApi({ watchCacheSize: 0 }))).toThrow(/cluster\.api\.watchCacheSize/);
  });
});
