import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Clock } from '../util/clock.ts';
import type { EventPublisher } from './ports.ts';
import { LifeguardError } from '../util/errors.ts';

/** PutEvents accepts at most 256 KB per entry (source, detail-type, detail, resources together). */
const MAX_ENTRY_BYTES = 256 * 1024;

export interface EventBridgePublisherOptions {
  /** `source` of every event (config.eventSource, default "lifeguard"). */
  source: string;
  eventBusName?: string;
  /** Stamps each event's `time`; the bus's receipt time is used when absent. */
  clock?: Clock;
}

/** An event Lifeguard could not publish: refused before the call (empty, too large) or by EventBridge. */
export class PublishError extends LifeguardError {}

/** EventPublisher over EventBridge PutEvents; a rejected entry is an error, never silently dropped. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {}

  async publish(detailType: string, detail: Record<string, unknown>, resources: string[] = []): Promise<void> {
    if (!detailType.trim()) throw new PublishError('publish: detailType is empty');
    const detailJson = JSON.stringify(detail);
    const size = Buffer.byteLength(this.options.source) + Buffer.byteLength(detailType) + Buffer.byteLength(detailJson) +
      resources.reduce((sum, r) => sum + Buffer.byteLength(r), 0);
    if (size > MAX_ENTRY_BYTES) {
      throw new PublishError(`publish "${detailType}": event is ${size} bytes, over the ${MAX_ENTRY_BYTES}-byte PutEvents limit`);
    }
    const response = await this.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: this.options.source,
            DetailType: detailType,
            Detail: detailJson,
            Resources: resources,
            ...(this.options.eventBusName ? { EventBusName: this.options.eventBusName } : {}),
            ...(this.options.clock ? { Time: new Date(this.options.clock.now()) } : {}),
          },
        ],
      }),
    );
    // PutEvents succeeds as a call even when entries fail: the failures are per entry.
    if ((response.FailedEntryCount ?? 0) > 0) {
      const entry = response.Entries?.find((e) => e.ErrorCode) ?? response.Entries?.[0];
      throw new PublishError(
        `publish "${detailType}": EventBridge rejected the event: ${entry?.ErrorCode ?? 'unknown error'}${entry?.ErrorMessage ? ` (${entry.ErrorMessage})` : ''}`,
      );
    }
  }
}
