import { describe, expect, it } from 'vitest';
import { interruptionStack } from '../../../deploy/interruption.ts';
import { parseConfig } from '../../../lib/config/load.ts';

describe('interruption stack options', () => {
  it('caps concurrent invocations only when asked', () => {
    expect(interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev').functions.interruption).not.toHaveProperty('reservedConcurrency');
    const capped = interruptionStack(parseConfig({ eks: [{ name: 'spark' }], interruption: { reservedConcurrency: 40 } }), 'lifeguard', 'dev');
    expect(capped.functions.interruption).toMatchObject({ reservedConcurrency: 40 });
  });

  it('scopes lifecycle completion to the node groups of each configured cluster', () => {
    const { resources } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }, { name: 'batch' }] }), 'lifeguard', 'dev');
    const statements = (resources.InterruptionRole as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Condition?: unknown }> } }> } })
      .Properties.Policies[0]!.PolicyDocument.Statement.filter((s) => s.Action.includes('autoscaling:CompleteLifecycleAction'));
    expect(statements.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/spark': 'owned' } },
      { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/batch': 'owned' } },
    ]);
  });

  it('creates an EKS access entry only for clusters that want one', () => {
    const { resources } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }, { name: 'legacy', accessEntry: false }] }), 'lifeguard', 'dev');
    expect(Object.keys(resources).filter((k) => k.startsWith('AccessEntry'))).toEqual(['AccessEntryspark']);
  });
});
