import { readFileSync } from 'node:fs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { NoticeQueue } from '../../../lib/aws/ports.ts';
import { parseConfig } from '../../../lib/config/load.ts';
import type { ClusterTarget } from '../../../lib/interruption/batch.ts';
import { handleNoticeBatch, isSqsBatch, MAX_RETRY_DELAY_SECONDS, retryDelaySeconds } from '../../../lib/interruption/notice-batch.ts';
import { NodeNotListedYetError } from '../../../lib/kube/node-index.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd } from '../../support/fake-kube.ts';

const spot = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8')) as Record<string, unknown>;
const instanceId = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;
const nodeName = (i: number) => `ip-10-0-0-${i}.ec2.internal`;
const warning = (i: number): Record<string, unknown> => ({ ...spot, id: `spot-${i}`, detail: { 'instance-id': instanceId(i), 'instance-action': 'terminate' } });

/** An SQS record as Lambda's event source mapping delivers it. */
function record(messageId: string, body: unknown, receives = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receives), SentTimestamp: '0', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:lifeguard-dev-notices',
    awsRegion: 'us-east-1',
  };
}

class RecordingQueue implements NoticeQueue {
  readonly delays: Array<[string, number]> = [];
  fail = false;
  async retryLater(receiptHandle: string, seconds: number) {
    if (this.fail) throw new Error('AccessDenied: sqs:ChangeMessageVisibility');
    this.delays.push([receiptHandle, seconds]);
  }
}

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
  const queue = new RecordingQueue();
  const base = { config: parseConfig({ eks: [{ name: 'spark' }] }), clock, log, random: () => 0.5, invocation: { id: 'req-1', remainingMs: () => 900_000 } };
  const run = (records: SQSRecord[], connect: () => Promise<ClusterTarget[]> = async () => [cluster]) =>
    runToEnd(clock, handleNoticeBatch({ Records: records } satisfies SQSEvent, connect, base, { queue, retryDelaySeconds: 10 }));
  return { clock, kube, log, queue, run };
}

describe('handleNoticeBatch: notices from the queue', () => {
  it('tells a batch from the queue from an event or a continuation invoked directly', () => {
    expect(isSqsBatch({ Records: [record('m-1', warning(0))] })).toBe(true);
    expect(isSqsBatch(warning(0))).toBe(false);
    expect(isSqsBatch({ 'lifeguard-continuation': {} })).toBe(false);
    expect(isSqsBatch({ Records: [] })).toBe(false);
    expect(isSqsBatch({ Records: [{ eventSource: 'aws:s3' }] })).toBe(false);
  });

  it('reports only the notice that failed; bad input, foreign instances and duplicates are not failures', async () => {
    const { kube, queue, log, run } = world(3);
    kube.faults.push(({ op, target }) => (op === 'evictPod' && target === 'default/web-1' ? new KubeApiError('evict pod default/web-1: forbidden', 403, 'Forbidden') : undefined));
    const { response, results } = await run([
      record('ok', warning(0)),
      record('fails', warning(1), 2),
      record('not-json', '{"source": "aws.ec2",'),
      record('malformed', { ...warning(2), detail: {} }),
      record('foreign', { ...warning(2), id: 'spot-x', detail: { 'instance-id': 'i-0fff00000000000ff', 'instance-action': 'terminate' } }),
      record('copy', warning(0)),
    ]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'fails' }] });
    // Its second receive: the first delay doubled.
    expect(queue.delays).toEqual([['handle-fails', 20]]);
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
    const { kube, queue, run } = world(2);
    // Another invocation drains node 0 under a live lease (until 45 s from now), for a notice at least as urgent.
    kube.annotateNode(nodeName(0), 'lifeguard.io/lease', JSON.stringify({ holder: 'req-0', until: new Date(Date.parse(spot.time as string) + 46_000).toISOString() }));
    kube.annotateNode(nodeName(0), 'lifeguard.io/event-id', 'spot-earlier');
    kube.annotateNode(nodeName(0), 'lifeguard.io/deadline', new Date(Date.parse(spot.time as string) + 60_000).toISOString());
    const { response } = await run([record('busy', warning(0))]);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'busy' }]);
    expect(queue.delays).toEqual([['handle-busy', 45]]);
    expect(retryDelaySeconds(new NodeNotListedYetError('list again in 12.2 s', 12_200), 1, 10)).toBe(13);
  });

  it('when the clusters cannot be reached, every notice fails and comes back; a failure to set the delay leaves the visibility timeout to bring it back', async () => {
    const { queue, run, log } = world(1);
    queue.fail = true;
    const { response } = await run([record('a', warning(0)), record('b', 'not json')], () => Promise.reject(new Error('eks:DescribeCluster: throttled')));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
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
