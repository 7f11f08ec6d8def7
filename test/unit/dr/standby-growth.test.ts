import type { InstanceGroup, RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import { describe, expect, it } from 'vitest';
import { growth } from '../../../lib/dr/standby.ts';

/** What takes a warm standby to the source's capacity (lib/dr/standby.ts growth). */

const source = (groups: Array<[role: 'MASTER' | 'CORE' | 'TASK', count: number, name?: string]>, extra: Partial<RunJobFlowCommandInput> = {}): RunJobFlowCommandInput => ({
  Name: 'analytics',
  Instances: { InstanceGroups: groups.map(([InstanceRole, InstanceCount, Name]) => ({ InstanceRole, InstanceCount, InstanceType: 'r5.2xlarge', ...(Name ? { Name } : {}) })) },
  ...extra,
});
const standby = (groups: Array<[id: string, type: 'MASTER' | 'CORE' | 'TASK', count: number, name?: string]>): InstanceGroup[] =>
  groups.map(([Id, InstanceGroupType, RequestedInstanceCount, Name]) => ({ Id, InstanceGroupType, RequestedInstanceCount, ...(Name ? { Name } : {}) }));

describe('standby growth', () => {
  it('raises each core and task group to the source\'s count, task groups matched by name before order', () => {
    const grow = growth(
      source([['MASTER', 1], ['CORE', 6], ['TASK', 8, 'spot'], ['TASK', 2, 'on-demand']]),
      standby([['ig-m', 'MASTER', 1], ['ig-c', 'CORE', 1], ['ig-od', 'TASK', 1, 'on-demand'], ['ig-spot', 'TASK', 1, 'spot']]),
    );
    expect(grow).toEqual({
      instanceGroups: [
        { InstanceGroupId: 'ig-c', InstanceCount: 6 },
        { InstanceGroupId: 'ig-spot', InstanceCount: 8 },
        { InstanceGroupId: 'ig-od', InstanceCount: 2 },
      ],
      managedScaling: null,
      notGrown: [],
    });
  });

  it('never lowers a group, and names a source group the standby has no group for', () => {
    const grow = growth(source([['MASTER', 1], ['CORE', 2], ['TASK', 4, 'spot']]), standby([['ig-m', 'MASTER', 1], ['ig-c', 'CORE', 3]]));
    expect(grow.instanceGroups).toEqual([]);
    expect(grow.notGrown).toEqual(['TASK group spot (4 × r5.2xlarge): the standby has no TASK group left to grow']);
  });

  it('a source with managed scaling: its limits, and no instance counts', () => {
    const limits = { UnitType: 'Instances' as const, MinimumCapacityUnits: 3, MaximumCapacityUnits: 20 };
    const grow = growth(source([['MASTER', 1], ['CORE', 6]], { ManagedScalingPolicy: { ComputeLimits: limits } }), standby([['ig-c', 'CORE', 1]]));
    expect(grow).toEqual({ instanceGroups: [], managedScaling: { ComputeLimits: limits }, notGrown: [] });
  });

  it('instance fleets are not grown, and the report says what to do', () => {
    const grow = growth({ Name: 'analytics', Instances: { InstanceFleets: [{ InstanceFleetType: 'CORE', TargetOnDemandCapacity: 6 }] } }, []);
    expect(grow.instanceGroups).toEqual([]);
    expect(grow.notGrown).toEqual(["instance fleets: grow the standby's core and task fleets by hand (ModifyInstanceFleet)"]);
  });
});
