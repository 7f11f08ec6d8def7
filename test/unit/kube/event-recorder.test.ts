import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApi } from '../../../lib/kube/client.ts';
import { KubeEventRecorder } from '../../../lib/kube/event-recorder.ts';
import { RecordingLog } from '../../../lib/observability/log.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../../sandbox/kube/index.ts';

/**
 * Events as the API server takes them: it measures a note (and the other free-text fields) with
 * Go's len(), in UTF-8 bytes, so a note of 1024 characters can be far over its 1024-byte limit.
 */

const NODE = 'ip-10-0-1-10.ec2.internal';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
let emulator: KubeEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function recordOne(note: string, instance = 'request-1'): Promise<{ emu: KubeEmulator; log: RecordingLog }> {
  const clock = new VirtualClock();
  const emu = await startKubeEmulator({ clock });
  emulator = emu;
  emu.addNode({ name: NODE, instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a', capacityType: 'SPOT' });
  const log = new RecordingLog();
  const recorder = new KubeEventRecorder({ kube: createKubeApi(emu.kubeConfig('lifeguard'), { clock, random: () => 0.5 }), clock, log }, { awsEventId: 'aws-evt-1', instance });
  recorder.record({ kind: 'Node', name: NODE }, 'DrainStarted', note);
  let done = false;
  const flushed = recorder.flush().finally(() => (done = true));
  await clock.runUntil(clock.now() + 60_000, () => done);
  await flushed;
  return { emu, log };
}

describe('Kubernetes Event notes', () => {
  // 2-, 3- and 4-byte characters (the last a surrogate pair in JavaScript), 700 characters in all.
  const multiByte = 'é€😀'.repeat(175) + 'x'.repeat(175);

  it('fit the API server\'s 1024 bytes, cut on a character boundary, and keep the AWS event id', async () => {
    expect(multiByte.length).toBeLessThan(1024);
    expect(bytes(multiByte)).toBeGreaterThan(1024);
    const { emu, log } = await recordOne(multiByte);
    expect(log.records.filter((e) => e.level === 'warn')).toEqual([]);
    const [event] = emu.events();
    expect(event).toBeDefined();
    const note = event!.note!;
    expect(bytes(note)).toBeLessThanOrEqual(1024);
    expect(bytes(note)).toBeGreaterThan(1024 - 4);
    expect(note).toMatch(/… \(AWS event aws-evt-1\)$/);
    // No character split: the kept part is a prefix of the original, with no replacement character.
    expect(note).not.toContain('\uFFFD');
    expect(multiByte.startsWith(note.slice(0, note.indexOf('…')))).toBe(true);
  });

  it('are left whole when they fit, however many characters they have', async () => {
    const { emu } = await recordOne('é'.repeat(400));
    expect(emu.events()[0]!.note).toBe(`${'é'.repeat(400)} (AWS event aws-evt-1)`);
  });

  it('keep reportingInstance within its 128 bytes too', async () => {
    const { emu, log } = await recordOne('short', 'ü'.repeat(100));
    expect(log.records.filter((e) => e.level === 'warn')).toEqual([]);
    expect(emu.events()[0]!.reportingInstance).toBe('ü'.repeat(64));
  });
});

describe('the emulator, like the API server,', () => {
  it('refuses a note over 1024 bytes even when it has fewer than 1024 characters', async () => {
    const clock = new VirtualClock();
    const emu = await startKubeEmulator({ clock });
    emulator = emu;
    const response = await fetch(`${emu.url}/apis/events.k8s.io/v1/namespaces/default/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer admin' },
      body: JSON.stringify({
        metadata: { name: 'n.1' },
        eventTime: new Date(clock.now()).toISOString(),
        reportingController: 'lifeguard.io/interruption',
        reportingInstance: 'r',
        action: 'Drain',
        reason: 'DrainStarted',
        regarding: { kind: 'Node', name: NODE },
        note: 'é'.repeat(600),
        type: 'Normal',
      }),
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toMatch(/note.*1024/);
  });
});
