import { matchesPattern, validatePattern } from '../eventbridge/pattern.ts';
import { interruptionRules } from '../../lib/events/rules.ts';
import { InvalidEventError } from '../../lib/events/notice.ts';
import { parseEvent, UnsupportedEventError } from '../../lib/events/parse.ts';
import { completeEvent } from './events.ts';
import { ScenarioError } from './load.ts';
import type { Scenario } from './schema.ts';
import type { WorldStep } from './world.ts';

export type Delivery =
  | { kind: 'world'; at: number; step: WorldStep }
  | { kind: 'event'; at: number; step: number; copy: number; event: Record<string, unknown>; rule?: string; instanceIds: string[]; spotDeadline?: number };

/**
 * Completes and checks every event before anything runs: an event Lifeguard's parser rejects makes the
 * scenario invalid (naming the step and field); an event no rule matches is kept, to show it is not
 * delivered. An event with `copies` is delivered that many times, same id.
 */
export function prepareEvents(scenario: Scenario, start: number, region: string): Delivery[] {
  const rules = interruptionRules.map((r) => ({ name: r.name, pattern: validatePattern(r.pattern) }));
  return scenario.events.flatMap((step, index): Delivery[] => {
    const at = start + step.at * 1000;
    if (!('event' in step)) return [{ kind: 'world', at, step }];
    const event = completeEvent(step.event, { index, seed: scenario.seed, deliveredAt: at, region });
    const rule = rules.find((r) => matchesPattern(r.pattern, event))?.name;
    let facts: { instanceIds: string[]; spotDeadline?: number };
    try {
      const notice = parseEvent(event);
      facts = { instanceIds: notice.instanceIds, ...(notice.kind === 'spot-interruption' ? { spotDeadline: notice.deadline ?? at } : {}) };
    } catch (err) {
      if (err instanceof UnsupportedEventError) facts = { instanceIds: [] };
      else if (err instanceof InvalidEventError) {
        const field = err.field ? `.${err.field}` : '';
        throw new ScenarioError(`scenario is invalid:\n  - events.${index}.event${field}: ${err.problem}`);
      } else throw err;
    }
    return Array.from({ length: step.copies }, (_, copy) => ({
      kind: 'event' as const,
      at: at + Math.round(copy * step.copySpacingSeconds * 1000),
      step: index,
      copy,
      event,
      ...(rule ? { rule } : {}),
      ...facts,
    }));
  });
}

