import type { Notice } from '../events/notice.ts';
import type { InterruptionDeps } from './deps.ts';
import { errorMessage } from '../util/errors.ts';
import { partitionOf } from '../util/partition.ts';

/** Lifeguard's own events about nodes (detail-type on the default bus, `source` from config). */
export const NODE_EVENTS = {
  drainScheduled: 'Node Drain Scheduled',
  drainStarted: 'Node Drain Started',
  drainCompleted: 'Node Drain Completed',
  reverted: 'Node Reverted',
  driverAtRisk: 'Spark Driver At Risk',
} as const;
export type NodeEventType = (typeof NODE_EVENTS)[keyof typeof NODE_EVENTS];

const instanceArn = (n: Notice, id: string) => `arn:${partitionOf(n.region)}:ec2:${n.region}:${n.account}:instance/${id}`;

/**
 * Publishes Lifeguard's own events for one node. A failure to publish is logged and never stops
 * the work; `settled()` waits for every publish so none is lost when the invocation ends.
 */
export function publisherFor(notice: Notice, instanceId: string, nodeName: string, deps: InterruptionDeps) {
  const published: Promise<void>[] = [];
  const base = { eventId: notice.eventId, kind: notice.kind, instanceId, nodeName, deadline: notice.deadline === null ? null : new Date(notice.deadline).toISOString() };
  return {
    publish(detailType: NodeEventType, detail: Record<string, unknown> = {}): void {
      if (!deps.events || deps.dryRun) return;
      published.push(
        deps.events.publish(detailType, { ...base, ...detail }, [instanceArn(notice, instanceId)]).catch((err: unknown) => {
          deps.log.warn('could not publish a Lifeguard event; the work goes on', { node: nodeName, detailType, error: errorMessage(err) });
        }),
      );
    },
    settled: () => Promise.all(published).then(() => undefined),
  };
}

export type Publisher = ReturnType<typeof publisherFor>;
