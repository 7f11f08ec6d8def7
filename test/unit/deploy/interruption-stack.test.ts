import { describe, expect, it } from 'vitest';
import { deadLetterQueueIds } from '../../../deploy/cfn.ts';
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

  it('outputs the URL of each dead-letter queue `lifeguard redrive` reads', () => {
    const { resources, outputs } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev');
    // Every queue of the stack, each named <LogicalId>Url; an SQS queue's Ref is its URL.
    expect(outputs).toEqual(Object.fromEntries(deadLetterQueueIds(resources).map((id) => [`${id}Url`, { Description: expect.stringContaining('lifeguard redrive'), Value: { Ref: id } }])));
  });

  it('creates an EKS access entry only for clusters that want one', () => {
    const { resources } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }, { name: 'legacy', accessEntry: false }] }), 'lifeguard', 'dev');
    expect(Object.keys(resources).filter((k) => k.startsWith('AccessEntry'))).toEqual(['AccessEntryspark']);
  });

  it('names its schedule group within Scheduler\'s 64 characters for every stage a function name allows, the same name wherever it is used', () => {
    // Lambda function names are at most 64 characters: `lifeguard-<stage>-interruption` allows stages up to 41.
    const names = new Set<string>();
    for (const stage of ['dev', 'x'.repeat(36), 'x'.repeat(37), 'a-rather-long-stage-name-for-a-pr-branch', 'y'.repeat(41)]) {
      const { resources, functions } = interruptionStack(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', stage);
      const name = (resources.InterruptionScheduleGroup as { Properties: { Name: string } }).Properties.Name;
      expect(name.length, stage).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[0-9a-zA-Z-_.]+$/);
      names.add(name);
      // The function is told the group by Ref, and may manage schedules only in it.
      expect(functions.interruption.environment).toMatchObject({ LIFEGUARD_SCHEDULE_GROUP: { Ref: 'InterruptionScheduleGroup' } });
      const scheduling = (resources.InterruptionRole as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }> } })
        .Properties.Policies[0]!.PolicyDocument.Statement.find((s) => s.Action.includes('scheduler:CreateSchedule'))!;
      expect(scheduling.Resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${name}/*` });
    }
    expect(names.has('lifeguard-dev-interruption-work')).toBe(true);
    expect(names.size).toBe(5);
  });
});
