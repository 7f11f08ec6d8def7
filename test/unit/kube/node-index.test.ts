import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { instanceIdFromProviderId, NodeIndex, NodeNotListedYetError, resourceName } from '../../../lib/kube/node-index.ts';
import { KubeApiError, type KubeApi } from '../../../lib/kube/port.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { InMemoryInstanceDirectory } from '../../../sandbox/aws/in-memory-ports.ts';
import { kubeNode } from '../../support/nodes.ts';

const node = (name: string, instanceId?: string, hostname?: string) => kubeNode(name, { ...(instanceId ? { instanceId } : {}), ...(hostname ? { hostname } : {}) });

/** A KubeApi whose only live methods are listNodes and getNode; it counts calls and can be re-stocked. */
function fakeKube(initial: V1Node[]): KubeApi & { nodes: V1Node[]; lists: number; gets: string[]; failNext?: boolean } {
  const unused = () => Promise.reject(new Error('not used by NodeIndex'));
  const kube = {
    nodes: initial,
    lists: 0,
    gets: [] as string[],
    failNext: false,
    async listNodes() {
      kube.lists++;
      if (kube.failNext) {
        kube.failNext = false;
        throw new KubeApiError('list nodes: down', 503, 'ServiceUnavailable');
      }
      return kube.nodes;
    },
    async getNode(name: string) {
      kube.gets.push(name);
      return kube.nodes.find((n) => n.metadata?.name === name);
    },
    patchNode: unused,
    listPodsOnNode: unused,
    watchPodsOnNode: unused,
    streamPodsOnNode: unused,
    evictPod: unused,
    deletePod: unused,
    createEvent: unused,
    patchEvent: unused,
  };
  return kube;
}

describe('instanceIdFromProviderId', () => {
  it('takes the instance id from an AWS provider id and nothing else', () => {
    expect(instanceIdFromProviderId('aws:///us-east-1a/i-0123456789abcdef0')).toBe('i-0123456789abcdef0');
    expect(instanceIdFromProviderId('aws:///eu-west-1b/i-0aaa1111')).toBe('i-0aaa1111');
    expect(instanceIdFromProviderId('gce://project/zone/name')).toBeUndefined();
    expect(instanceIdFromProviderId('aws:///us-east-1a/fargate-ip-10-0-0-1')).toBeUndefined();
    expect(instanceIdFromProviderId(undefined)).toBeUndefined();
  });
});

describe('NodeIndex', () => {
  it('answers from the index after the first list', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111'), node('ip-10-0-1-11.ec2.internal', 'i-0bbb2222')]);
    const index = new NodeIndex(kube, { clock });
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' });
    expect(await index.resolve('i-0bbb2222')).toEqual({ nodeName: 'ip-10-0-1-11.ec2.internal', via: 'index' });
    expect(kube.lists).toBe(1);
    expect(index.size).toBe(2);
  });

  it('re-lists on a miss and finds a node that joined since', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    const index = new NodeIndex(kube, { clock, minRelistIntervalMs: 30_000 });
    await index.resolve('i-0aaa1111');
    kube.nodes = [...kube.nodes, node('b', 'i-0bbb2222')];
    await clock.runUntil(clock.now() + 30_000);
    expect(await index.resolve('i-0bbb2222')).toEqual({ nodeName: 'b', via: 'relist' });
    expect(kube.lists).toBe(2);
  });

  it('falls back to EC2 private DNS, matching the node name or the hostname label', async () => {
    const clock = new VirtualClock();
    // Nodes whose providerID is missing (e.g. registered by a custom bootstrap).
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal'), node('worker-7', undefined, 'ip-10-0-1-12.ec2.internal')]);
    const ec2 = new InMemoryInstanceDirectory({ 'i-0ccc3333': 'ip-10-0-1-10.ec2.internal', 'i-0ddd4444': 'IP-10-0-1-12.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2 });
    // The node the GET read comes along, so the caller decides on it without reading it again.
    expect(await index.resolve('i-0ccc3333')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'ec2', node: expect.objectContaining({ metadata: expect.objectContaining({ name: 'ip-10-0-1-10.ec2.internal' }) }) });
    expect(await index.resolve('i-0ddd4444')).toEqual({ nodeName: 'worker-7', via: 'ec2' });
    // Remembered: the next lookup is answered by the index without EC2.
    expect(await index.resolve('i-0ccc3333')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' });
    expect(ec2.lookups).toEqual(['i-0ccc3333', 'i-0ddd4444']);
  });

  it('returns undefined for an instance that is no node of the cluster, once a LIST says so', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    const ec2 = new InMemoryInstanceDirectory({ 'i-0fff9999': 'ip-10-9-9-9.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2, region: 'us-east-1' });
    expect(await index.resolve('i-0fff9999')).toBeUndefined();
    // Every name it could have was tried before the LIST.
    expect(kube.gets).toEqual(['ip-10-9-9-9.ec2.internal', 'i-0fff9999', 'i-0fff9999.ec2.internal']);
    expect(kube.lists).toBe(1);
    await clock.runUntil(clock.now() + 30_000);
    expect(await index.resolve('i-0eee0000')).toBeUndefined();
    expect(kube.lists).toBe(2);
  });

  it('re-lists at most once per interval however many misses arrive; a miss inside it is "cannot tell yet", never "not ours"', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    const index = new NodeIndex(kube, { clock, minRelistIntervalMs: 30_000 });
    await index.resolve('i-0aaa1111');
    expect(kube.lists).toBe(1);

    await clock.runUntil(clock.now() + 10_000);
    for (let i = 0; i < 5; i++) {
      const miss = await index.resolve(`i-0f0f000${i}`).catch((err: unknown) => err);
      expect(miss).toBeInstanceOf(NodeNotListedYetError);
      expect(miss).toMatchObject({ retryAfterMs: 20_000, message: expect.stringMatching(/listing again in 20 s/) });
    }
    expect(kube.lists).toBe(1); // still inside the interval: no re-list at all

    await clock.runUntil(clock.now() + 20_000);
    const burst = await Promise.all([index.resolve('i-0f0f1000'), index.resolve('i-0f0f1001'), index.resolve('i-0f0f1002')]);
    expect(burst).toEqual([undefined, undefined, undefined]);
    expect(kube.lists).toBe(2); // one shared re-list for the whole burst
  });

  it('a node that joined inside the re-list window under a name only a LIST finds: the lookup waits for the next LIST, then finds it', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    const index = new NodeIndex(kube, { clock, minRelistIntervalMs: 30_000 });
    await index.resolve('i-0aaa1111');
    await clock.runUntil(clock.now() + 5_000);
    kube.nodes = [...kube.nodes, node('spark-worker-17', 'i-0bbb2222')];
    const early = await index.resolve('i-0bbb2222').catch((err: unknown) => err);
    expect(early).toBeInstanceOf(NodeNotListedYetError);
    await clock.runUntil(clock.now() + (early as NodeNotListedYetError).retryAfterMs);
    expect(await index.resolve('i-0bbb2222')).toEqual({ nodeName: 'spark-worker-17', via: 'relist' });
  });

  it.each([
    ['the bare instance id (external cloud controller manager)', 'i-0bbb2222ccc33334d', 'us-west-2'],
    ['the resource name in us-east-1', 'i-0bbb2222ccc33334d.ec2.internal', 'us-east-1'],
    ['the resource name elsewhere', 'i-0bbb2222ccc33334d.us-west-2.compute.internal', 'us-west-2'],
  ])('a node named by %s that joined inside the re-list window is found by a GET, without a LIST', async (_what, name, region) => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    // EC2's private DNS name is the IP-based one: not the node's name.
    const ec2 = new InMemoryInstanceDirectory({ 'i-0bbb2222ccc33334d': 'ip-10-0-7-7.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2, region, minRelistIntervalMs: 30_000 });
    await clock.runUntil(clock.now() + 1_000);
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'a', via: 'index' });
    kube.nodes = [...kube.nodes, node(name, 'i-0bbb2222ccc33334d')];
    expect(await index.resolve('i-0bbb2222ccc33334d')).toEqual({ nodeName: name, via: 'name', node: expect.objectContaining({ metadata: expect.objectContaining({ name }) }) });
    expect(kube.lists).toBe(1);
    expect(kube.gets.at(-1)).toBe(name);
    expect(await index.resolve('i-0bbb2222ccc33334d')).toEqual({ nodeName: name, via: 'index' });
  });

  it('a node that has one of the names but another instance\'s providerID is not taken', async () => {
    const clock = new VirtualClock();
    // A node named by the resource name of another instance cannot be; a custom bootstrap can name nodes anything.
    const kube = fakeKube([node('i-0ccc3333', 'i-0ddd4444')]);
    const index = new NodeIndex(kube, { clock, region: 'us-east-1' });
    expect(await index.resolve('i-0ccc3333')).toBeUndefined();
    expect(await index.resolve('i-0ddd4444')).toEqual({ nodeName: 'i-0ccc3333', via: 'index' });
  });

  it('names a resource-based hostname as EC2 documents it', () => {
    expect(resourceName('i-0123456789abcdef0', 'us-east-1')).toBe('i-0123456789abcdef0.ec2.internal');
    expect(resourceName('i-0123456789abcdef0', 'eu-west-1')).toBe('i-0123456789abcdef0.eu-west-1.compute.internal');
  });

  it('surfaces a failed list, and keeps failing (not "unknown") until a re-list is allowed', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('a', 'i-0aaa1111')]);
    kube.failNext = true;
    const index = new NodeIndex(kube, { clock, minRelistIntervalMs: 30_000 });
    await expect(index.resolve('i-0aaa1111')).rejects.toBeInstanceOf(KubeApiError);
    // Within the interval the index cannot vouch that the instance is foreign: it fails again.
    await expect(index.resolve('i-0aaa1111')).rejects.toBeInstanceOf(KubeApiError);
    expect(kube.lists).toBe(1);
    await clock.runUntil(clock.now() + 30_000);
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'a', via: 'relist' });
  });

  it('a cold start with EC2 GETs the one node instead of listing them all', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111'), node('ip-10-0-1-11.ec2.internal', 'i-0bbb2222')]);
    const ec2 = new InMemoryInstanceDirectory({ 'i-0aaa1111': 'ip-10-0-1-10.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2 });
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'ec2', node: expect.objectContaining({ spec: { providerID: 'aws:///us-east-1a/i-0aaa1111' } }) });
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' });
    expect(kube.lists).toBe(0);
    expect(kube.gets).toEqual(['ip-10-0-1-10.ec2.internal']);
    expect(ec2.lookups).toEqual(['i-0aaa1111']);
  });

  it('does not take a node whose providerID names another instance; the LIST decides', async () => {
    const clock = new VirtualClock();
    // The private IP was reused: the node of that name belongs to a newer instance.
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0eee0000'), node('worker-3', 'i-0ddd1111')]);
    const ec2 = new InMemoryInstanceDirectory({ 'i-0ddd1111': 'ip-10-0-1-10.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2 });
    expect(await index.resolve('i-0ddd1111')).toEqual({ nodeName: 'worker-3', via: 'index' });
    expect(kube.gets).toEqual(['ip-10-0-1-10.ec2.internal', 'i-0ddd1111']);
    expect(kube.lists).toBe(1);
  });

  it('falls back to the LIST when EC2 fails (throttled) or the GET fails', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111')]);
    const throttled = { privateDnsNames: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' })) };
    const index = new NodeIndex(kube, { clock, instances: throttled });
    expect(await index.resolve('i-0aaa1111')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' });
    expect(kube.lists).toBe(1);

    const forbidden = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111')]);
    forbidden.getNode = () => Promise.reject(new KubeApiError('get node: forbidden', 403, 'Forbidden'));
    const ec2 = new InMemoryInstanceDirectory({ 'i-0aaa1111': 'ip-10-0-1-10.ec2.internal' });
    const second = new NodeIndex(forbidden, { clock, instances: ec2 });
    expect(await second.resolve('i-0aaa1111')).toEqual({ nodeName: 'ip-10-0-1-10.ec2.internal', via: 'index' });
    expect(forbidden.lists).toBe(1);
  });

  it('does not answer a throttled or failing GET with a LIST of every node: the lookup fails, to be retried', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111')]);
    kube.getNode = () => Promise.reject(new KubeApiError('get node: too many requests', 429, 'TooManyRequests', 1));
    const ec2 = new InMemoryInstanceDirectory({ 'i-0aaa1111': 'ip-10-0-1-10.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2 });
    await expect(index.resolve('i-0aaa1111')).rejects.toMatchObject({ status: 429 });
    expect(kube.lists).toBe(0);
  });

  it('answers a batch of instances with one EC2 call and, for the misses, one LIST: a foreign instance is ignored, not asked to wait', async () => {
    const clock = new VirtualClock();
    const kube = fakeKube([node('ip-10-0-1-10.ec2.internal', 'i-0aaa1111'), node('ip-10-0-1-11.ec2.internal', 'i-0bbb2222'), node('worker-7', 'i-0ccc3333')]);
    const ec2 = new InMemoryInstanceDirectory({ 'i-0aaa1111': 'ip-10-0-1-10.ec2.internal', 'i-0bbb2222': 'ip-10-0-1-11.ec2.internal', 'i-0ddd4444': 'ip-10-9-9-9.ec2.internal' });
    const index = new NodeIndex(kube, { clock, instances: ec2 });
    const answers = await index.resolveMany(['i-0aaa1111', 'i-0bbb2222', 'i-0ccc3333', 'i-0ddd4444', 'i-0aaa1111']);

    expect(ec2.calls).toBe(1);
    expect(kube.lists).toBe(1);
    expect(Object.fromEntries([...answers].map(([id, a]) => [id, 'node' in a ? (a.node ? `${a.node.nodeName} via ${a.node.via}` : 'not ours') : 'error']))).toEqual({
      'i-0aaa1111': 'ip-10-0-1-10.ec2.internal via ec2',
      'i-0bbb2222': 'ip-10-0-1-11.ec2.internal via ec2',
      // No name of it answers a GET: the batch's one LIST finds it.
      'i-0ccc3333': 'worker-7 via index',
      // Neither a GET nor the LIST this very lookup made knows it.
      'i-0ddd4444': 'not ours',
    });

    // The next batch, within the re-list interval: a miss must wait for the next LIST; a known instance need not.
    const next = await index.resolveMany(['i-0eee5555', 'i-0ccc3333']);
    expect(next.get('i-0ccc3333')).toEqual({ node: { nodeName: 'worker-7', via: 'index' } });
    expect((next.get('i-0eee5555') as { error: unknown }).error).toBeInstanceOf(NodeNotListedYetError);
    expect(kube.lists).toBe(1);
  });
});
