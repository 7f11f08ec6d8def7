import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('handle');
import { systemClock, type Clock } from '../../../lib/util/clock.ts';
import { KUBE_OPERATIONS } from '../../../sandbox/kube/faults.ts';
import { startKubeEmulator, type FaultOptions, type KubeEmulator } from '../../../sandbox/kube/index.ts';
import { steppingClock } from '../../support/unreachable.ts';
import { nodes, SPOT_NODE } from '../../support/scenarios.ts';
import { captureIo } from './capture.ts';

// `lifeguard handle` against a cluster reached through a kubeconfig file (here: the emulator's).
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-handle-'));
const spotEvent = JSON.parse(readFileSync('test/fixtures/events/spot-interruption-terminate.json', 'utf8'));
const SENT = Date.parse(spotEvent.time);
/** A clock frozen at a given time: --validate-only never sleeps. */
const frozenAt = (ms: number): Clock => ({ now: () => ms, sleep: async () => {}, io: (work) => work() });

const eventFile = (event: unknown, ext = 'json') => {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(path, typeof event === 'string' ? event : JSON.stringify(event));
  return path;
};
const now = () => ({ ...spotEvent, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });

describe('lifeguard handle against a cluster', () => {
  let emulator: KubeEmulator;

  async function cluster(faults?: FaultOptions) {
    emulator = await startKubeEmulator({ clock: systemClock, ...(faults ? { faults } : {}) });
    for (const node of nodes) emulator.addNode(node);
    emulator.addPod({ name: 'exec-1', namespace: 'spark', node: SPOT_NODE, labels: { 'spark-role': 'executor' }, preStop: '/opt/decom.sh' });
    emulator.addPod({ name: 'web-1', node: SPOT_NODE, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web' } });
    const kubeconfig = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(kubeconfig, emulator.kubeConfig('lifeguard').exportConfig());
    return kubeconfig;
  }
  afterEach(() => emulator?.close());

  it('prints the plan in a dry run and changes nothing', async () => {
    const kubeconfig = await cluster();
    const io = captureIo();
    expect(await run([eventFile(now()), '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(0);
    expect(io.stdout()).toContain('dry run: nothing changed');
    expect(io.stdout()).toMatch(/spark-executor: spark\/exec-1[\s\S]*workload: default\/web-1/);
    expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(emulator.node(SPOT_NODE)?.spec.unschedulable).toBeFalsy();
  });

  it('unwraps a dead letter (an EventBridge rule DLQ message) and plans for the event inside it', async () => {
    const kubeconfig = await cluster();
    const io = captureIo();
    const deadLetter = { Messages: [{ MessageId: 'm-1', Body: JSON.stringify(now()), MessageAttributes: { RULE_ARN: { StringValue: 'arn:aws:events:us-east-1:123456789012:rule/r', DataType: 'String' } } }] };
    expect(await run([eventFile(deadLetter), '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(0);
    expect(io.stdout()).toContain('unwrapped from: EventBridge rule DLQ; failed: no reason recorded (arn:aws:events:us-east-1:123456789012:rule/r)');
    expect(io.stdout()).toMatch(/spark-executor: spark\/exec-1[\s\S]*workload: default\/web-1/);
    expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('cordons and drains the node for real without --dry-run', async () => {
    const kubeconfig = await cluster();
    const io = captureIo();
    expect(await run([eventFile(now()), '--kubeconfig', kubeconfig, '--json'], { ...io.io, env: {} })).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report.instances[0]).toMatchObject({ nodeName: SPOT_NODE, status: 'drained' });
    expect(emulator.node(SPOT_NODE)?.spec.unschedulable).toBe(true);
    expect(emulator.pods().filter((p) => p.spec.nodeName === SPOT_NODE)).toEqual([]);
  });

  it('rejects a malformed event before contacting the cluster, naming the field, exit 2', async () => {
    const kubeconfig = await cluster();
    const io = captureIo();
    const bad = { ...now(), detail: { 'instance-action': 'terminate' } };
    expect(await run([eventFile(bad), '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/not a valid event: detail\.instance-id: /);
    expect(emulator.requests).toEqual([]);
  });

  it('still prints the dry-run plan of a notice whose deadline passed long ago, after saying so', async () => {
    const kubeconfig = await cluster();
    const io = captureIo();
    const stale = { ...spotEvent, time: new Date(Date.now() - 268 * 86_400_000).toISOString() };
    expect(await run([eventFile(stale), '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(0);
    expect(io.stderr()).toMatch(/warning: the deadline .* passed 268 days ago/);
    expect(io.stdout()).toMatch(/spark-executor: spark\/exec-1[\s\S]*workload: default\/web-1/);
  });

  it('gives up on a cluster that answers the check but fails every call within seconds, not the 2 minutes a Lambda retries', async () => {
    const others = KUBE_OPERATIONS.filter((o) => o !== 'discovery');
    const kubeconfig = await cluster({ rate: 1, statuses: [503], retryAfterSeconds: 1, only: [...others] });
    const clock = steppingClock(Date.now());
    const io = captureIo();
    expect(await run([eventFile(now()), '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {}, clock })).toBe(1);
    // 10 s of retries, plus the try in flight when they ran out (3 attempts, each told to wait 1 s).
    expect(clock.elapsed()).toBeGreaterThan(10_000);
    expect(clock.elapsed()).toBeLessThan(30_000);
    expect(io.stderr()).toContain('nothing is retried from the command line');
  });

  it('says the credentials were refused when the server answers 401, exit 3', async () => {
    const kubeconfig = await cluster();
    writeFileSync(kubeconfig, readFileSync(kubeconfig, 'utf8').replace(/"token":\s*"[^"]*"/, '"token":"expired"'));
    const io = captureIo();
    expect(await run([eventFile(now()), '--dry-run', '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(3);
    expect(io.stderr()).toMatch(/cannot reach the Kubernetes API server .* the connection opened but a first read failed .*refused the credentials \(401 Unauthorized\): likely an expired token/);
    expect(emulator.requests.filter((r) => !r.path.startsWith('/api'))).toEqual([]);
  });

  it('does not talk about Lambda retries when the cluster refuses', async () => {
    const kubeconfig = await cluster({ rate: 1, statuses: [403], only: ['patch-node'] });
    const io = captureIo();
    expect(await run([eventFile(now()), '--kubeconfig', kubeconfig], { ...io.io, env: {} })).toBe(1);
    expect(io.stderr()).toMatch(/403|forbidden/i);
    expect(io.stderr()).toContain('nothing is retried from the command line');
    expect(io.stderr()).not.toMatch(/will be retried/);
  });
});

describe('lifeguard handle, offline', () => {
  it('--validate-only checks the event with no kubeconfig and no cluster', async () => {
    const io = captureIo();
    const code = await run([eventFile(spotEvent), '--validate-only', '--kubeconfig', join(dir, 'absent')], { ...io.io, env: {}, clock: frozenAt(SENT + 30_000) });
    expect(code).toBe(0);
    expect(io.stdout()).toContain('spot-interruption event 7e5c8f3a-1d2b-4c6e-9f0a-3b8d2e1c4a51');
    expect(io.stdout()).toContain('instances: i-0aaa1111bbbb22220');
    expect(io.stdout()).toContain('deadline: 2026-03-14T09:28:53.000Z');
    expect(io.stderr()).toBe('');
  });

  it('says when the deadline has passed, and by how much', async () => {
    const io = captureIo();
    expect(await run([eventFile(spotEvent), '--validate-only'], { ...io.io, env: {}, clock: frozenAt(SENT + 334 * 86_400_000) })).toBe(0);
    expect(io.stderr()).toMatch(/warning: the deadline 2026-03-14T09:28:53.000Z passed 334 days ago/);
  });

  it('reports a broken JSON file in JSON terms, and an unreadable one plainly, exit 2', async () => {
    const io = captureIo();
    expect(await run([eventFile('{"version": "0",', 'json'), '--validate-only'], { ...io.io, env: {} })).toBe(2);
    expect(await run([join(dir, 'absent.json'), '--validate-only'], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/is not valid JSON: [\s\S]*cannot read .*absent\.json: no such file/);
    expect(io.stderr()).not.toMatch(/YAML/);
  });

  it('names an unsupported event for what it is, exit 2', async () => {
    const io = captureIo();
    expect(await run([eventFile({ ...spotEvent, 'detail-type': 'EC2 Spot Instance Interuption Warning' }), '--validate-only'], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/not an event Lifeguard acts on: detail-type: .*\(did you mean "EC2 Spot Instance Interruption Warning"\?\)/);
  });

  it('says what is wrong with the kubeconfig', async () => {
    const io = captureIo();
    expect(await run([eventFile(now()), '--kubeconfig', join(dir, 'absent')], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/kubeconfig .*absent does not exist/);
  });
});

describe('lifeguard handle, dead letters', () => {
  const deadLetter = (name: string) => `test/fixtures/dead-letters/${name}.json`;

  it.each([
    ['eventbridge-rule-dlq', /^spot-interruption event 7e5c8f3a/, 'unwrapped from: EventBridge rule DLQ; failed: THROTTLING: Rate Exceeded.'],
    ['scheduler-dlq', /^scheduled-change event 3f9a2c71/, 'unwrapped from: Scheduler DLQ; failed: AWS.Lambda.TooManyRequestsException: Rate Exceeded. (MaximumRetryAttempts reached) (10 retries;'],
    ['lambda-on-failure', /^state-change event f8e7d6c5/, 'unwrapped from: Lambda on-failure record; failed: RetriesExhausted: HttpError:'],
    ['lambda-on-failure-record', /^spot-interruption event 7e5c8f3a/, 'unwrapped from: Lambda on-failure record; failed: RetriesExhausted: LeaseHeldError:'],
    ['notice-queue-dlq', /^rebalance-recommendation event 5b2e7c91/, 'unwrapped from: SQS message; failed: no reason recorded'],
    ['sqs-event-record', /^spot-interruption event c0d9e8f7/, 'unwrapped from: SQS record; failed: no reason recorded'],
  ])('%s: checks the payload inside and says what carried it, exit 0', async (name, first, unwrappedFrom) => {
    const io = captureIo();
    expect(await run([deadLetter(name), '--validate-only'], { ...io.io, env: {}, clock: frozenAt(SENT) })).toBe(0);
    expect(io.out[0]).toMatch(first);
    expect(io.stdout()).toContain(`  ${unwrappedFrom}`);
  });

  it('says which continuation a schedule or a hand-over carried', async () => {
    const io = captureIo();
    expect(await run([deadLetter('scheduler-dlq'), '--validate-only'], { ...io.io, env: {}, clock: frozenAt(SENT) })).toBe(0);
    expect(io.stdout()).toContain('  continuation: scheduled-drain of node ip-10-0-1-10.ec2.internal in cluster spark');
    const handOver = captureIo();
    expect(await run([deadLetter('lambda-on-failure-record'), '--validate-only'], { ...handOver.io, env: {}, clock: frozenAt(SENT) })).toBe(0);
    expect(handOver.stdout()).toContain('  continuation: resume-drain of node ip-10-0-1-10.ec2.internal in cluster spark, round 2');
  });

  it('--json --validate-only reports the envelopes, the failure and the continuation', async () => {
    const io = captureIo();
    expect(await run([deadLetter('scheduler-dlq'), '--validate-only', '--json'], { ...io.io, env: {}, clock: frozenAt(SENT) })).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({
      valid: true,
      notice: { kind: 'scheduled-change' },
      continuation: { type: 'scheduled-drain', cluster: 'spark' },
      envelopes: ['scheduler-dead-letter'],
      failure: { retries: 10, reason: expect.stringMatching(/^AWS\.Lambda\.TooManyRequestsException/) },
    });
  });

  it('names a bad field inside an envelope from the top of the file, exit 2', async () => {
    const io = captureIo();
    const body = JSON.stringify({ ...spotEvent, detail: { 'instance-action': 'terminate' } });
    expect(await run([eventFile({ Messages: [{ Body: body }] }), '--validate-only'], { ...io.io, env: {} })).toBe(2);
    expect(io.stderr()).toMatch(/not a valid event: Messages\.0\.Body\.detail\.instance-id: expected a string \(got nothing\)/);
    const typo = captureIo();
    const record = { requestContext: { condition: 'RetriesExhausted' }, requestPayload: { ...spotEvent, 'detail-type': 'EC2 Spot Instance Interuption Warning' } };
    expect(await run([eventFile(record), '--validate-only'], { ...typo.io, env: {} })).toBe(2);
    expect(typo.stderr()).toMatch(/not an event Lifeguard acts on: requestPayload\.detail-type: .*\(did you mean "EC2 Spot Instance Interruption Warning"\?\)/);
    const broken = captureIo();
    expect(await run([eventFile({ Records: [{ messageId: 'm', body: 'not json', eventSource: 'aws:sqs' }] }), '--validate-only'], { ...broken.io, env: {} })).toBe(2);
    expect(broken.stderr()).toMatch(/not a valid event: Records\.0\.body: expected JSON/);
  });
});
