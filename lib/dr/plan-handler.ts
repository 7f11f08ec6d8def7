import type { Log } from '../observability/log.ts';
import { parseFailoverInput } from './failover-input.ts';
import { planFailover, type PlanDeps } from './plan.ts';
import type { FailoverPlan } from './types.ts';

/**
 * The state machine's plan step: the failover input, validated, in; the plan out (read-only AWS
 * calls). The clients and configuration are made on first use (`deps`), so bad input is refused
 * before any of them exists. A PlanError fails the task with its message naming what is missing.
 */
export function makePlanHandler(options: { log: Log; deps: () => PlanDeps }) {
  return async (event: unknown): Promise<FailoverPlan> => {
    const input = parseFailoverInput(event);
    const plan = await planFailover(input, options.deps());
    options.log.info('failover planned', { cluster: plan.cluster, from: plan.sourceAvailabilityZone, to: plan.targetAvailabilityZone, subnet: plan.targetSubnetId, source: plan.source });
    return plan;
  };
}
