import { requestNeeds, unmetNeeds, type TypeNeeds } from '../../lib/dr/instance-type-offerings.ts';
import type { RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import type { DrScenario } from './scenario.ts';

/**
 * EC2 capacity as a replacement meets it: which instance types a zone offers at all
 * (`instanceTypeOfferings`), and which it has no capacity for at a given time (`capacity`). A
 * request that needs what a zone lacks fails as EMR reports it: the cluster ends
 * TERMINATED_WITH_ERRORS while starting, RunJobFlow refuses it, or the cluster stays STARTING
 * while EMR keeps asking EC2.
 */

export interface ProvisioningFailure {
  failure: 'terminate' | 'reject' | 'stall';
  /** stall: how long the shortage lasts from the request (undefined: to the end of the run). */
  forSeconds?: number | undefined;
  /** ClusterStateChangeReason.Code of the cluster that ends. */
  code: string;
  message: string;
  afterSeconds: number;
}

export interface CapacityModel {
  /** Why the request cannot be provisioned in the zone at `atSeconds` (scenario time), if it cannot. */
  failure(request: RunJobFlowCommandInput, zone: string, atSeconds: number): ProvisioningFailure | undefined;
}

export function capacityModel(scenario: Pick<DrScenario, 'capacity' | 'instanceTypeOfferings'>): CapacityModel {
  const offered = (zone: string) => {
    const listed = scenario.instanceTypeOfferings[zone];
    return { has: (type: string) => !listed || listed.includes(type) };
  };
  const shortage = (zone: string, type: string, at: number) =>
    scenario.capacity.find((c) => c.zone === zone && c.instanceType === type && c.from <= at && (c.until === undefined || at < c.until));
  return {
    failure(request, zone, atSeconds) {
      const needs: TypeNeeds = requestNeeds(request);
      const unoffered = unmetNeeds(needs, offered(zone) as ReadonlySet<string>);
      if (unoffered.length) {
        const type = unoffered[0]!.anyOf[0]!;
        // EC2's Unsupported error, as EMR passes it on.
        const message = `Your requested instance type (${type}) is not supported in your requested Availability Zone (${zone}).`;
        return { failure: 'terminate', code: 'VALIDATION_ERROR', message, afterSeconds: 60 };
      }
      // A need is short when every type that could meet it (one, for an instance group) is short.
      for (const need of needs) {
        const short = need.anyOf.filter((t) => offered(zone).has(t)).map((t) => shortage(zone, t, atSeconds));
        if (short.length && short.every(Boolean)) {
          const first = short[0]!;
          const type = first.instanceType;
          // EC2's InsufficientInstanceCapacity message, which EMR's reason carries on.
          const message = first.code === 'INSTANCE_FLEET_TIMEOUT'
            ? `The ${need.name} did not reach its target capacity before its provisioning timeout: insufficient capacity for ${need.anyOf.join(', ')} in ${zone}.`
            : `Insufficient capacity: We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity.`;
          const forSeconds = first.until === undefined ? undefined : first.until - atSeconds;
          return { failure: first.failure, code: first.code, message, afterSeconds: first.afterSeconds, forSeconds };
        }
      }
      return undefined;
    },
  };
}
