import { UnsupportedEventError, envelopeSchema, validate } from './envelope.ts';
import type { EventParser } from './envelope.ts';
import type { Notice } from './notice.ts';
import { asgLifecycleParser } from './parsers/asg-lifecycle.ts';
import { rebalanceParser } from './parsers/rebalance.ts';
import { scheduledChangeParser } from './parsers/scheduled-change.ts';
import { spotInterruptionParser } from './parsers/spot-interruption.ts';
import { stateChangeParser } from './parsers/state-change.ts';

export { UnsupportedEventError };

/** Every kind of event Lifeguard acts on; the deployed rules are derived from this list (rules.ts). */
export const parsers: readonly EventParser[] = [
  spotInterruptionParser,
  rebalanceParser,
  scheduledChangeParser,
  stateChangeParser,
  asgLifecycleParser,
];

const key = (source: string, detailType: string) => JSON.stringify([source, detailType]);

/** source + detail-type → the one parser for that kind of event. */
const registry: ReadonlyMap<string, EventParser> = new Map(parsers.map((p) => [key(p.source, p.detailType), p]));

/** The source / detail-type pairs parseEvent understands. */
export const supportedEvents: ReadonlyArray<{ source: string; detailType: string }> = parsers.map(({ source, detailType }) => ({
  source,
  detailType,
}));

/**
 * Turns an EventBridge event, exactly as delivered, into a Notice. Never mutates `event`.
 *
 * @throws UnsupportedEventError for a well-formed event Lifeguard does not act on (log, don't retry).
 * @throws InvalidEventError for a malformed one; `field` is the JSON path of the first bad field.
 */
export function parseEvent(event: unknown): Notice {
  const envelope = validate(envelopeSchema, event);
  const parser = registry.get(key(envelope.source, envelope['detail-type']));
  if (!parser) {
    throw new UnsupportedEventError(
      `detail-type: no parser for source ${JSON.stringify(envelope.source)} with detail-type ${JSON.stringify(envelope['detail-type'])}`,
      'detail-type',
    );
  }
  return parser.parse(envelope);
}
