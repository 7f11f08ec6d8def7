import type { Replayable } from './payload.ts';
import { ENVELOPE_LABELS, type EnvelopeKind, type FailureFacts, type Unwrapped } from './unwrap.ts';

/** What one dead letter holds, in words: for a line of `redrive` and the facts `handle` prints first. */
export interface DeadLetterSummary {
  /** The envelope that says why it failed (`EventBridge rule DLQ`), else the container (`SQS message`). */
  envelope: string;
  /** `aws.ec2 / EC2 Spot Instance Interruption Warning`, or `continuation scheduled-drain (aws.health / AWS Health Event)`. */
  payload: string;
  /** The instances of an event; the node and instance of a continuation. */
  subject: string;
  /** The event's `time`, ISO 8601. */
  eventTime: string;
  /** Why it is a dead letter, as its envelopes tell; `no reason recorded` when they do not. */
  failure: string;
}

const CONTAINERS: readonly EnvelopeKind[] = ['sqs-message', 'sqs-record'];

export function envelopeLabel(envelopes: readonly EnvelopeKind[]): string {
  const telling = envelopes.filter((e) => !CONTAINERS.includes(e));
  const shown = telling.length ? telling : envelopes;
  return shown.length ? shown.map((e) => ENVELOPE_LABELS[e]).join(' › ') : 'no envelope';
}

export function failureText(failure: FailureFacts): string {
  const counts = [
    failure.retries !== undefined ? `${failure.retries} ${failure.retries === 1 ? 'retry' : 'retries'}` : '',
    failure.invocations !== undefined ? `${failure.invocations} ${failure.invocations === 1 ? 'invocation' : 'invocations'}` : '',
  ].filter(Boolean);
  const context = [...counts, failure.by ?? ''].filter(Boolean).join('; ');
  return `${failure.reason ?? 'no reason recorded'}${context ? ` (${context})` : ''}`;
}

export function summarize(unwrapped: Unwrapped, replayable: Replayable): DeadLetterSummary {
  const { notice } = replayable;
  const event = `${notice.source} / ${notice.detailType}`;
  return {
    envelope: envelopeLabel(unwrapped.envelopes),
    payload: replayable.kind === 'continuation' ? `continuation ${replayable.continuation.type} (${event})` : event,
    subject: replayable.kind === 'continuation' ? `${replayable.continuation.nodeName} (${replayable.continuation.instanceId})` : notice.instanceIds.join(', '),
    eventTime: new Date(notice.eventTime).toISOString(),
    failure: failureText(unwrapped.failure),
  };
}
