import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { interruptionConfigSchema } from '../../../lib/config/interruption.ts';
import { ANNOTATIONS } from '../../../lib/drain/cordon.ts';
import { drainNode } from '../../../lib/drain/drain.ts';
import { KubeApiError } from '../../../lib/kube/port.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { FakeKube, runToEnd, sparkLabels } from '../../support/fake-kube.ts';

const NODE = 'ip-10-0-1-10.ec2.internal';
const EVENT = 'evt-1';
const options = interruptionConfigSchema.parse({}).drain;
const EXECUTORS = 20;

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('a throttled drain and its halt signal', () => {
  it('keeps one abort listener on the halt signal while every eviction backs off, and the abort still stops them all', async () => {
    const clock = new VirtualClock();
    const kube = new FakeKube(clock);
    kube.addNode(NODE, 'i-0aaa', { annotations: { [ANNOTATIONS.eventId]: EVENT } });
    for (let i = 0; i < EXECUTORS; i++) {
      kube.addPod({ name: `exec-${i}`, namespace: 'spark', node: NODE, labels: sparkLabels('executor', 'spark-1', String(i)), grace: 60, shutdownSeconds: 20 });
    }
    // API Priority and Fairness turns every eviction away: each one backs off on the drain's halt signal.
    kube.faults.push(({ op }) => (op === 'evictPod' ? new KubeApiError('Too many requests, please try again later.', 429, 'TooManyRequests', 1) : undefined));
    const halt = new AbortController();
    // Node 20 and 22 warn past 10 listeners on any AbortSignal; Node 24 no longer does by default. The
    // limit is set here so the test sees what an older runtime prints, not raised to hide it.
    setMaxListeners(10, halt.signal);
    process.on('warning', onWarning);

    let mostListeners = 0;
    const sample = () => {
      mostListeners = Math.max(mostListeners, getEventListeners(halt.signal, 'abort').length);
      if (!halt.signal.aborted) clock.schedule(100, sample);
    };
    clock.schedule(100, sample);
    const t0 = clock.now();
    clock.schedule(30_000, () => halt.abort());

    const report = await runToEnd(
      clock,
      drainNode(
        { nodeName: NODE, deadline: t0 + 120_000, policy: { forceDelete: false }, eventId: EVENT, signal: halt.signal },
        { kube, clock, log: new RecordingLog(), options, random: () => 0.5 },
      ),
    );
    // Let the warning (emitted on the next tick) arrive.
    await new Promise((resolve) => setImmediate(resolve));

    // Every executor was refused at least twice: all of them were backing off at once.
    for (let i = 0; i < EXECUTORS; i++) expect(kube.callsFor('evictPod', `spark/exec-${i}`).length).toBeGreaterThan(1);
    expect(mostListeners).toBe(1);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    // The one listener still wakes every wait: the drain stops when the signal aborts (give or take
    // the calls in flight), not when the backoffs (seconds by then) run out.
    expect(report.incomplete).toBe('lease-lost');
    expect(clock.now() - t0).toBeLessThan(30_100);
    expect(getEventListeners(halt.signal, 'abort')).toHaveLength(0);
  });
});
