import { PriorityLevel } from '../flow-control.ts';
import type { ApiLimits } from '../limits.ts';
import type { UserInfo } from '../rbac/authorizer.ts';
import type { RequestAttributes } from '../rbac/request-info.ts';
import type { Timers } from '../timers.ts';
import { classify, flowDistinguisher, matchingOrder } from './classify.ts';
import { planLevels, type LevelSettings } from './levels.ts';
import type { FlowControlObject, FlowSchema } from './objects.ts';

/** A priority level as the server uses it: its settings, and its seats and queues unless it is exempt. */
export interface Level {
  settings: LevelSettings;
  /** Absent for the exempt level: its requests run at once. */
  queue?: PriorityLevel;
}

/** Where a request goes: the FlowSchema that matched, its level, and its flow within the level. */
export interface Classification {
  schema: string;
  level: Level;
  /** The flow's identity (schema name and distinguisher), which deals its hand of queues. */
  flow: string;
}

/**
 * API Priority and Fairness over a configuration (kube-apiserver's defaults and any applied
 * manifest, sandbox/kube/apf/manifest.ts withDefaults): classifies each request by the FlowSchemas
 * and hands it to its level's seats and queues. A FlowSchema that names a level nobody defined is
 * ignored, as kube-apiserver ignores it (and marks it Dangling).
 */
export class ApiPriorityAndFairness {
  private readonly schemas: FlowSchema[];
  readonly levels: ReadonlyMap<string, Level>;

  constructor(objects: readonly FlowControlObject[], limits: ApiLimits, timers: Timers, onDepth: () => void = () => {}) {
    const settings = planLevels(objects, limits.serverConcurrency, limits);
    const levels = new Map<string, Level>();
    for (const [name, level] of settings) {
      levels.set(name, level.exempt ? { settings: level } : { settings: level, queue: new PriorityLevel({ ...level, queueWaitLimitMs: limits.queueWaitLimitMs }, timers, onDepth) });
    }
    this.levels = levels;
    const schemas = objects.filter((o): o is FlowSchema => o.kind === 'FlowSchema' && levels.has(o.spec.priorityLevelConfiguration.name));
    this.schemas = matchingOrder(schemas);
  }

  classify(user: UserInfo, request: RequestAttributes): Classification {
    // The mandatory catch-all matches every authenticated and unauthenticated user.
    const schema = classify(this.schemas, user, request) ?? this.schemas.find((s) => s.metadata.name === 'catch-all')!;
    const level = this.levels.get(schema.spec.priorityLevelConfiguration.name)!;
    // kube-apiserver computes the distinguisher only where there is more than one queue to deal.
    const distinguisher = (level.settings.queuing?.queues ?? 0) > 1 ? flowDistinguisher(schema, user, request) : '';
    return { schema: schema.metadata.name, level, flow: `${schema.metadata.name}\u0000${distinguisher}` };
  }

  /** Requests waiting in every level's queues. */
  get queued(): number {
    let waiting = 0;
    for (const level of this.levels.values()) waiting += level.queue?.queued ?? 0;
    return waiting;
  }

  /** Seats held in every limited level. */
  get seatsInUse(): number {
    let seats = 0;
    for (const level of this.levels.values()) seats += level.queue?.seatsInUse ?? 0;
    return seats;
  }
}
