import { ServiceError } from './service-error.ts';

/**
 * A cluster's managed scaling policy as PutManagedScalingPolicy stores it and
 * GetManagedScalingPolicy returns it. ComputeLimits (EMR API reference): UnitType
 * (InstanceFleetUnits | Instances | VCPU), MinimumCapacityUnits and MaximumCapacityUnits are
 * required; MaximumOnDemandCapacityUnits and MaximumCoreCapacityUnits are optional.
 */

export interface ComputeLimits {
  UnitType: 'Instances' | 'InstanceFleetUnits' | 'VCPU';
  MinimumCapacityUnits: number;
  MaximumCapacityUnits: number;
  MaximumOnDemandCapacityUnits?: number;
  MaximumCoreCapacityUnits?: number;
}

export interface ManagedScalingPolicy {
  ComputeLimits: ComputeLimits;
}

/** A scenario's `made.managedScaling` (camelCase) as EMR spells it. */
export interface ScenarioManagedScaling {
  unitType: ComputeLimits['UnitType'];
  minimumCapacityUnits: number;
  maximumCapacityUnits: number;
  maximumOnDemandCapacityUnits?: number | undefined;
  maximumCoreCapacityUnits?: number | undefined;
}

export function policyOfScenario(m: ScenarioManagedScaling): ManagedScalingPolicy {
  return {
    ComputeLimits: {
      UnitType: m.unitType,
      MinimumCapacityUnits: m.minimumCapacityUnits,
      MaximumCapacityUnits: m.maximumCapacityUnits,
      ...(m.maximumOnDemandCapacityUnits !== undefined ? { MaximumOnDemandCapacityUnits: m.maximumOnDemandCapacityUnits } : {}),
      ...(m.maximumCoreCapacityUnits !== undefined ? { MaximumCoreCapacityUnits: m.maximumCoreCapacityUnits } : {}),
    },
  };
}

const UNIT_TYPES = ['Instances', 'InstanceFleetUnits', 'VCPU'];
const isUnits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The policy a request carries, checked as EMR checks it (ValidationException otherwise); a copy. */
export function validPolicy(policy: unknown): ManagedScalingPolicy {
  const limits = (policy as { ComputeLimits?: Record<string, unknown> } | undefined)?.ComputeLimits;
  if (!limits) throw new ServiceError('ValidationException', 'ManagedScalingPolicy.ComputeLimits is required');
  if (!UNIT_TYPES.includes(String(limits.UnitType))) {
    throw new ServiceError('ValidationException', `ComputeLimits.UnitType '${String(limits.UnitType)}' is not one of ${UNIT_TYPES.join(', ')}`);
  }
  for (const field of ['MinimumCapacityUnits', 'MaximumCapacityUnits']) {
    if (!isUnits(limits[field])) throw new ServiceError('ValidationException', `ComputeLimits.${field} is required: a whole number of units`);
  }
  const min = limits.MinimumCapacityUnits as number;
  const max = limits.MaximumCapacityUnits as number;
  if (min > max) throw new ServiceError('ValidationException', `ComputeLimits.MinimumCapacityUnits (${min}) must not exceed MaximumCapacityUnits (${max})`);
  for (const field of ['MaximumOnDemandCapacityUnits', 'MaximumCoreCapacityUnits']) {
    const value = limits[field];
    if (value === undefined) continue;
    if (!isUnits(value) || value > max) throw new ServiceError('ValidationException', `ComputeLimits.${field} must be a whole number of units no larger than MaximumCapacityUnits (${max})`);
  }
  return { ComputeLimits: structuredClone(limits) as unknown as ComputeLimits };
}
