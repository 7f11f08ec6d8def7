import type { TaskTarget } from '../../lib/dr/task-resources.ts';
import type { FailoverResult } from './failover-result.ts';
import type { RunWorld } from './run-world.ts';
import type { CallLog } from './service-error.ts';

/**
 * The AWS services the definition's service-integration Tasks call, answered by the run's world as
 * the state machine's role: EMR, ELBv2, the lock table, and EventBridge, whose events the run
 * keeps (the result's `events`).
 */

export type ServiceCall = (action: string, input: Record<string, unknown>) => unknown;
export type ServiceIntegrations = Record<Extract<TaskTarget, { kind: 'service' }>['service'], ServiceCall>;

export interface ServiceIntegrationDeps {
  world: Pick<RunWorld, 'emr' | 'elbv2' | 'locks'>;
  log: CallLog;
  /** Simulated seconds since the start. */
  elapsed: () => number;
  /** Where PutEvents leaves its entries. */
  events: FailoverResult['events'];
}

export function serviceIntegrations({ world, log, elapsed, events }: ServiceIntegrationDeps): ServiceIntegrations {
  const { emr, elbv2, locks } = world;
  return {
    emr: (action, input) => emr.call(action, input, 'stateMachine'),
    elbv2: (action, input) => elbv2.call(action, input, 'stateMachine'),
    dynamodb: (action, input) => locks.call(action as 'PutItem' | 'DeleteItem' | 'GetItem', input),
    events: (_action, input) => {
      const entries = (input.Entries as Array<{ Source: string; DetailType: string; Detail: unknown }>) ?? [];
      log.enter('events', 'PutEvents', input);
      for (const e of entries) events.push({ t: elapsed(), source: e.Source, detailType: e.DetailType, detail: parseDetail(e.Detail) });
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `sandbox-event-${events.length - entries.length + i + 1}` })) };
    },
  };
}

function parseDetail(detail: unknown): unknown {
  if (typeof detail !== 'string') return detail;
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}
