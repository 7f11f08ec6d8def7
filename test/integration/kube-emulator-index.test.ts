import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';

/** LIST pods by spec.nodeName is answered from the emulator's by-node index; it must follow pods that move. */

let emulator: KubeEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function podsOn(clock: VirtualClock, node: string): Promise<string[]> {
  const body = await clock.io(async () => {
    const response = await fetch(`${emulator!.url}/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`, { headers: { Authorization: 'Bearer admin' } });
    return (await response.json()) as { items: Array<{ metadata: { name: string }; spec: { nodeName: string } }> };
  });
  expect(body.items.every((p) => p.spec.nodeName === node)).toBe(true);
  return body.items.map((p) => p.metadata.name).sort();
}

describe('kube emulator: pods indexed by node', () => {
  it('lists a node’s pods, follows a replacement to its new node, and forgets pods that are gone', async () => {
    const clock = new VirtualClock(0);
    emulator = await startKubeEmulator({ clock, recreateDelaySeconds: 1, readyDelaySeconds: 1 });
    emulator.addNode({ name: 'a', instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a' });
    emulator.addNode({ name: 'b', instanceId: 'i-0aaa1111bbbb22221', zone: 'us-east-1a' });
    emulator.addPod({ name: 'web-1', node: 'a', owner: { kind: 'ReplicaSet', name: 'web' } });
    emulator.addPod({ name: 'solo', node: 'a' });
    emulator.addPod({ name: 'other', node: 'b' });
    expect(await podsOn(clock, 'a')).toEqual(['solo', 'web-1']);
    expect(await podsOn(clock, 'b')).toEqual(['other']);

    emulator.terminateNode('a');
    await clock.runUntil(clock.now() + 5_000);
    expect(await podsOn(clock, 'a')).toEqual([]);
    const onB = await podsOn(clock, 'b');
    expect(onB).toHaveLength(2);
    expect(onB).toContain('other');
    expect(onB.find((n) => n !== 'other')).toMatch(/^web-/);
  });
});
