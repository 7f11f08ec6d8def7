import { readFileSync } from 'node:fs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.ts';
import type { ClusterTarget } from '../../../lib/interruption/batch.ts';
import { handleNoticeBatch, isSqsBatch, MAX_RETRY_DELAY_SECONDS, retryDelaySeconds } from '../../../lib/interruption/notice-batch.ts';
import { NodeNotListedYetError } from '../../../lib/kube/node-index.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { sqsRecord } from '../../../sandbox/scenario/event-source-mapping.ts';
import { SimulatedQueue } from '../../../sandbox/scenario/sqs-queue.ts';
import { FakeKube, runToEnd } from '../../support/fake-kube.ts';

const spot = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8')) as Record<string, unknown>;
const instanceId = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;
const nodeName = (i: number) => `ip-10-0-0-${i}.ec2.internal`;
const warning = (i: number): Record<string, unknown> => ({ ...spot, id: `spot-${i}`, detail: { 'instance-id': instanceId(i), 'instance-action': 'terminate' } });

/** The notice queue's visibility timeout (six times the function's timeout, as AWS recommends for a mapping). */
const VISIBILITY_TIMEOUT_MS = 5_400_000;
const QUEUE = { queueArn: 'arn:aws:sqs:us-east-1:123456789012:lifeguard-dev-notices', region: 'us-east-1' };

function world(n: number) {
  const clock = new VirtualClock(Date.parse(spot.time as string) + 1_000);
  const kube = new FakeKube(clock);
  const known = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    kube.addNode(nodeName(i), instanceId(i));
    known.set(instanceId(i), nodeName(i));
    kube.addPod({ name: `web-${i}`, node: nodeName(i), labels: { app: 'web' }, grace: 30, shutdownSeconds: 2 });
  }
  const cluster: ClusterTarget = { name: 'spark', kube, nodes: { resolve: async (id: string) => (known.has(id) ? { nodeName: known.get(id)!, via: 'index' } : undefined) } };
  const log = new RecordingLog();
  const queue = new SimulatedQueue({ clock, visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS, maxReceiveCount: 5 });

  /**
   * Sends each body and receives them as one batch, as the event source mapping does; a notice
   * `receives` > 1 was received (and came back) that many times minus one before.
   */
  function deliver(notices: Array<{ body: unknown; receives?: number }>) {
    const messages = notices.map(({ body }) => queue.send(typeof body === 'string' ? body : JSON.stringify(body), { trigger: 'event' }));
    queue.receive(messages.length);
    notices.forEach(({ receives = 1 }, i) => {
      for (let k = 1; k < receives; k++) {
        queue.changeVisibility(messages[i]!.receiptHandle!, 0);
        queue.receive(1);
      }
    });
    const records = messages.map((m) => sqsRecord(m, { ...QUEUE, startedAt: clock.now() }));
    const hiddenUntil = messages.map((m) => m.visibleAt);
    /** Per message: the delay the batch set (seconds from its end), or 'timeout' when it left the visibility timeout alone. */
    const comesBackIn = () => messages.map((m, i) => (m.visibleAt === hiddenUntil[i] ? 'timeout' : (m.visibleAt - clock.now()) / 1000));
    return { messages, records, comesBackIn };
  }

  const base = { config: parseConfig({ eks: [{ name: 'spark' }] }), clock, log, random: () => 0.5, invocation: { id: 'req-1', remainingMs: () => 900_000 } };
  const run = (records: SQSRecord[], connect: () => Promise<ClusterTarget[]> = async () => [cluster]) =>
    runToEnd(clock, handleNoticeBatch({ Records: records } satisfies SQSEvent, connect, base, { queue, retryDelaySeconds: 10 }));
  return { clock, kube, log, queue, deliver, run };
}

describe('handleNoticeBatch: notices from the queue', () => {
  it('tells a batch from the queue from an event or a continuation invoked directly', () => {
    const { records } = world(0).deliver([{ body: warning(0) }]);
    expect(isSqsBatch({ Records: records })).toBe(true);
    expect(isSqsBatch(warning(0))).toBe(false);
    expect(isSqsBatch({ 'lifeguard-continuation': {} })).toBe(false);
    expect(isSqsBatch({ Records: [] })).toBe(false);
    expect(isSqsBatch({ Records: [{ eventSource: 'aws:s3' }] })).toBe(false);
  });

  it('reports only the notice that failed; bad input, foreign instances and duplicates are not failures', async () => {
    const { kube, log, deliver, run } = world(3);
    kube.faults.push(({ op, target }) => (op === 'evictPod' && target === 'default/web-1' ? new KubeApiError('evict pod default/web-1: forbidden', 403, 'Forbidden') : undefined));
    const { messages, records, comesBackIn } = deliver([
      { body: warning(0) },
      { body: warning(1), receives: 2 },
      { body: '{"source": "aws.ec2",' },
      { body: { ...warning(2), detail: {} } },
      { body: { ...warning(2), id: 'spot-x', detail: { 'instance-id': 'i-0fff00000000000ff', 'instance-action': 'terminate' } } },
      { body: warning(0) },
    ]);
    const { response, results } = await run(records);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: messages[1]!.id }] });
    // Only the failed notice comes back sooner: its second receive, so the first delay doubled.
    expect(comesBackIn()).toEqual(['timeout', 20, 'timeout', 'timeout', 'timeout', 'timeout']);
    expect(results.map((r) => r.reports[0]?.ignored ? `ignored (${r.reports[0].field ?? 'not ours'})` : r.reports[0]?.instances[0]?.status)).toEqual([
      'drained',
      undefined,
      'ignored (body)',
      'ignored (detail.instance-id)',
      'ignored',
      'duplicate',
    ]);
    expect(String(results[1]!.error)).toMatch(/forbidden/);
    expect(log.records.some((r) => r.level === 'warn' && r.message === '1 of 6 notice(s) failed and come back to be tried again')).toBe(true);
  });

  it('brings a notice back when its error says the answer can exist: the next node LIST, the end of another invocation\'s lease', async () => {
    const { kube, deliver, run } = world(2);
    // Another invocation drains node 0 under a live lease (until 45 s from now), for a notice at least as urgent.
    kube.annotateNode(nodeName(0), 'lifeguard.io/lease', JSON.stringify({ holder: 'req-0', until: new Date(Date.parse(spot.time as string) + 46_000).toISOString() }));
    kube.annotateNode(nodeName(0), 'lifeguard.io/event-id', 'spot-earlier');
    kube.annotateNode(nodeName(0), 'lifeguard.io/deadline', new Date(Date.parse(spot.time as string) + 60_000).toISOString());
    const { messages, records, comesBackIn } = deliver([{ body: warning(0) }]);
    const { response } = await run(records);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]!.id }]);
    expect(comesBackIn()).toEqual([45]);
    expect(retryDelaySeconds(new NodeNotListedYetError('list again in 12.2 s', 12_200), 1, 10)).toBe(13);
  });

  it('when the clusters cannot be reached, every notice fails and comes back; a failure to set the delay leaves the visibility timeout to bring it back', async () => {
    const { queue, deliver, run, log } = world(1);
    const { messages, records, comesBackIn } = deliver([{ body: warning(0) }, { body: 'not json' }]);
    // The batch's receipt handle of the first notice goes stale (it came back and was received again): SQS refuses to change it.
    queue.changeVisibility(messages[0]!.receiptHandle!, 0);
    queue.receive(1);
    const { response } = await run(records, () => Promise.reject(new Error('eks:DescribeCluster: throttled')));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]!.id }]);
    expect(comesBackIn()).toEqual(['timeout', 'timeout']);
    expect(log.records.some((r) => r.message.startsWith('the batch could not be handled'))).toBe(true);
    expect(log.records.some((r) => r.message.startsWith("could not set a failed notice's retry delay"))).toBe(true);
  });

  it('doubles the retry delay per receive up to its cap; of several errors, the latest time wins', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(new Error('x'), n, 10))).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(new Error('x'), 20, 10)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(new AggregateError([new NodeNotListedYetError('wait', 25_000), new Error('x')]), 1, 10)).toBe(25);
    expect(retryDelaySeconds(new NodeNotListedYetError('wait', 0), 1, 10)).toBe(1);
  });
});
