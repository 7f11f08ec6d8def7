import type { InstanceFleet, InstanceFleetConfig, InstanceGroup, RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import { describe, expect, it } from 'vitest';
import { growth } from '../../../lib/dr/standby-growth.ts';

/** What takes a warm standby to the source's capacity (lib/dr/standby-growth.ts). */

const source = (groups: Array<[role: 'MASTER' | 'CORE' | 'TASK', count: number, name?: string]>, extra: Partial<RunJobFlowCommandInput> = {}): RunJobFlowCommandInput => ({
  Name: 'analytics',
  Instances: { InstanceGroups: groups.map(([InstanceRole, InstanceCount, Name]) => ({ InstanceRole, InstanceCount, InstanceType: 'r5.2xlarge', ...(Name ? { Name } : {}) })) },
  ...extra,
});
const standby = (groups: Array<[id: string, type: 'MASTER' | 'CORE' | 'TASK', count: number, name?: string]>): { groups: InstanceGroup[] } => ({
  groups: groups.map(([Id, InstanceGroupType, RequestedInstanceCount, Name]) => ({ Id, InstanceGroupType, RequestedInstanceCount, ...(Name ? { Name } : {}) })),
});

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
      instanceFleets: [],
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
    expect(grow).toEqual({ instanceGroups: [], instanceFleets: [], managedScaling: { ComputeLimits: limits }, notGrown: [] });
  });

  it('raises the core and task fleets\' on-demand and Spot targets apart, never lowering either', () => {
    const grow = growth(
      fleetSource([fleet('MASTER', 1, 0), fleet('CORE', 6, 0), fleet('TASK', 2, 10)]),
      { fleets: [standbyFleet('if-m', 'MASTER', 1, 0), standbyFleet('if-c', 'CORE', 1, 2), standbyFleet('if-t', 'TASK', 4, 0)] },
    );
    expect(grow).toEqual({
      instanceGroups: [],
      instanceFleets: [
        { InstanceFleetId: 'if-c', TargetOnDemandCapacity: 6, TargetSpotCapacity: 2 },
        { InstanceFleetId: 'if-t', TargetOnDemandCapacity: 4, TargetSpotCapacity: 10 },
      ],
      managedScaling: null,
      notGrown: [],
    });
  });

  it('a fleet already at the source\'s targets is left alone; a missing task fleet is named', () => {
    const grow = growth(fleetSource([fleet('CORE', 2, 0), fleet('TASK', 0, 8)]), { fleets: [standbyFleet('if-c', 'CORE', 3, 0)] });
    expect(grow.instanceFleets).toEqual([]);
    expect(grow.notGrown).toEqual(['TASK fleet (0 on-demand, 8 Spot units): the standby has no TASK fleet to grow']);
  });

  it('says when the standby weighs its instance types differently (its units are not the source\'s)', () => {
    const heavier: InstanceFleet = { ...standbyFleet('if-c', 'CORE', 1, 0), InstanceTypeSpecifications: [{ InstanceType: 'r5.4xlarge', WeightedCapacity: 2 }] };
    const grow = growth(fleetSource([fleet('CORE', 6, 0)]), { fleets: [heavier] });
    expect(grow.instanceFleets).toEqual([{ InstanceFleetId: 'if-c', TargetOnDemandCapacity: 6, TargetSpotCapacity: 0 }]);
    expect(grow.notGrown).toEqual(["CORE fleet if-c: its instance types or weights differ from the source's, so its capacity units are not the source's: check its size after the failover"]);
  });
});

const TYPES = [{ InstanceType: 'r5.2xlarge', WeightedCapacity: 1 }, { InstanceType: 'r5.4xlarge', WeightedCapacity: 2 }];
const fleet = (InstanceFleetType: 'MASTER' | 'CORE' | 'TASK', TargetOnDemandCapacity: number, TargetSpotCapacity: number): InstanceFleetConfig => ({
  InstanceFleetType,
  TargetOnDemandCapacity,
  TargetSpotCapacity,
  InstanceTypeConfigs: TYPES,
});
const fleetSource = (fleets: InstanceFleetConfig[]): RunJobFlowCommandInput => ({ Name: 'analytics', Instances: { InstanceFleets: fleets } });
const standbyFleet = (Id: string, InstanceFleetType: 'MASTER' | 'CORE' | 'TASK', TargetOnDemandCapacity: number, TargetSpotCapacity: number): InstanceFleet => ({
  Id,
  InstanceFleetType,
  TargetOnDemandCapacity,
  TargetSpotCapacity,
  // EMR lists a fleet's types in its own order: the comparison must not depend on it.
  InstanceTypeSpecifications: [...TYPES].reverse(),
});
