import { validate } from '../events/envelope.ts';
import { InvalidEventError, type Notice } from '../events/notice.ts';
import { parseEvent } from '../events/parse.ts';
import { describeValue, issuePath, joinPaths } from '../util/zod-issues.ts';
import { CONTINUATION_KEY, continuationSchema, isContinuationPayload, type Continuation } from '../lifecycle/continuation.ts';

/** A payload the interruption function acts on: an EventBridge event, or a continuation of its own. */
export type Replayable = { kind: 'event'; notice: Notice } | { kind: 'continuation'; continuation: Continuation; notice: Notice };

/**
 * Reads an unwrapped payload as the interruption function will: an EventBridge event Lifeguard acts
 * on, or a continuation whose event it acts on, naming the instance of that event. Replaying
 * anything else would change nothing (the function ignores it), so it stays where it is.
 *
 * @throws UnsupportedEventError / InvalidEventError whose `field` is the path from the top of the
 *   document (`location` is where the payload sits in it).
 */
export function readPayload(payload: Record<string, unknown>, location: readonly PropertyKey[] = []): Replayable {
  if (!isContinuationPayload(payload)) return { kind: 'event', notice: within(location, () => parseEvent(payload)) };
  const continuation = validate(continuationSchema, payload[CONTINUATION_KEY], [...location, CONTINUATION_KEY]);
  const notice = within([...location, CONTINUATION_KEY, 'event'], () => parseEvent(continuation.event));
  if (!notice.instanceIds.includes(continuation.instanceId)) {
    const field = issuePath([...location, CONTINUATION_KEY, 'instanceId']);
    throw new InvalidEventError(`${field}: expected an instance of its event, ${notice.instanceIds.join(' or ')} (got ${describeValue(continuation.instanceId)})`, field);
  }
  return { kind: 'continuation', continuation, notice };
}

/** Runs a parse whose errors name fields from its own root; rethrows them named from the document's. */
function within<T>(location: readonly PropertyKey[], parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof InvalidEventError) || location.length === 0) throw err;
    const field = joinPaths(issuePath(location), err.field);
    const Same = err.constructor as new (message: string, field?: string, options?: { cause?: unknown }) => InvalidEventError;
    throw new Same(`${field}: ${err.problem}`, field, { cause: err });
  }
}
