import { LifeguardError } from '../util/errors.ts';

/** Why no failover could be planned (the source cluster, its clone, placement, roles, target groups). */
export class PlanningError extends LifeguardError {}
