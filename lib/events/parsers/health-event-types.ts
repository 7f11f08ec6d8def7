/**
 * Every EC2 scheduled-change event type code of AWS Health that Lifeguard knows, and what it does to
 * the instance. AWS publishes no complete list; each code below names where it was found:
 *
 * - [schema] AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge schema"
 *   (eventTypeCode examples; "events that contain MAINTENANCE_SCHEDULED are usually pushed about two
 *   weeks before the start time").
 * - [automation] AWS Health User Guide, "Running operations on EC2 instances automatically in
 *   response to events" (the retirement of an EBS-backed instance).
 * - [api] AWS Health API Reference, EventType (`code`, example AWS_EC2_SYSTEM_MAINTENANCE_EVENT).
 * - [nth] aws/aws-node-termination-handler, its sample Health scheduled-change event.
 * - [insight] aws-samples/aws-health-events-insight, its sample events.
 * - [catalog] the EC2 scheduledChange event types Health offers when a rule is built on them (the
 *   EventBridge console's event-type list, as published rule definitions reproduce it); not in
 *   AWS's prose documentation.
 *
 * What each one does follows the Amazon EC2 User Guide, "Scheduled events for Amazon EC2 instances":
 * instance stop (stopped; a new host when started), instance retirement (stopped if EBS-backed,
 * terminated if instance-store), instance reboot, system reboot (the host reboots), system
 * maintenance (network or power maintenance may affect the instance for a while).
 */

/** What the change does to the instance, and so whether its node comes back afterwards. */
export type ScheduledChangeEffect = 'reboot' | 'maintenance' | 'retirement' | 'stop' | 'termination';

interface EventType {
  effect: ScheduledChangeEffect;
  /** Where the code was found (see above). */
  source: 'schema' | 'automation' | 'api' | 'nth' | 'insight' | 'catalog';
}

export const EC2_SCHEDULED_CHANGE_TYPES: Readonly<Record<string, EventType>> = {
  // The instance reboots in place: the node comes back.
  AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED: { effect: 'reboot', source: 'schema' },
  AWS_EC2_INSTANCE_REBOOT_FLEXIBLE_MAINTENANCE_SCHEDULED: { effect: 'reboot', source: 'catalog' },
  AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED: { effect: 'reboot', source: 'catalog' },
  // Power or network work on the host, the instance affected for a while: the node comes back.
  AWS_EC2_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'insight' },
  AWS_EC2_SYSTEM_MAINTENANCE_EVENT: { effect: 'maintenance', source: 'api' },
  AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'schema' },
  AWS_EC2_INSTANCE_POWER_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'catalog' },
  AWS_EC2_PERSISTENT_INSTANCE_POWER_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'catalog' },
  AWS_EC2_DEDICATED_HOST_NETWORK_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'nth' },
  AWS_EC2_DEDICATED_HOST_POWER_MAINTENANCE_SCHEDULED: { effect: 'maintenance', source: 'catalog' },
  // The instance is retired (stopped if EBS-backed, terminated if instance-store): the node does not come back.
  AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED: { effect: 'retirement', source: 'catalog' },
  AWS_EC2_INSTANCE_RETIREMENT_EXPEDITED: { effect: 'retirement', source: 'catalog' },
  AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED: { effect: 'retirement', source: 'automation' },
  AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_EXPEDITED: { effect: 'retirement', source: 'catalog' },
  AWS_EC2_DEDICATED_HOST_RETIREMENT_SCHEDULED: { effect: 'retirement', source: 'catalog' },
  AWS_EC2_DEDICATED_HOST_ACCESSREVOKED_RETIREMENT_SCHEDULED: { effect: 'retirement', source: 'catalog' },
  // Stopped (started again, it is on another host with a new boot) or terminated: drain.
  AWS_EC2_INSTANCE_STOP_SCHEDULED: { effect: 'stop', source: 'catalog' },
  AWS_EC2_INSTANCE_TERMINATION_SCHEDULED: { effect: 'termination', source: 'catalog' },
};

/** reboot/maintenance: the node comes back (drain, then uncordon); the rest: it does not (drain). */
export type NodeFate = 'reboot' | 'retirement';

export interface Classification {
  change: NodeFate;
  /** False for a code the table does not know: `change` is then the safe default. */
  known: boolean;
}

const FATE: Record<ScheduledChangeEffect, NodeFate> = { reboot: 'reboot', maintenance: 'reboot', retirement: 'retirement', stop: 'retirement', termination: 'retirement' };

/**
 * Whether the node comes back after an EC2 scheduled change with this event type code. A code no
 * table knows is treated as a retirement: draining a node that then comes back costs an uncordon by
 * hand; waiting for a node that never comes back loses the work on it. The caller reports it.
 */
export function classifyEventTypeCode(code: string): Classification {
  const known = Object.hasOwn(EC2_SCHEDULED_CHANGE_TYPES, code) ? EC2_SCHEDULED_CHANGE_TYPES[code] : undefined;
  return known ? { change: FATE[known.effect], known: true } : { change: 'retirement', known: false };
}
