import type { PodObject } from './objects.ts';
import { fnv1a } from './random.ts';

/**
 * The parts of a pod's status the kubelet fills in once the pod is on a node: its addresses and
 * its containers' states, for clients that print them (`kubectl get pods -o wide` shows the IP,
 * READY counts ready running containers). Readiness itself stays with setPodReady (objects.ts).
 */

/** Pod addresses come from 100.64.0.0/16, in the order pods start: like EKS custom networking's secondary CIDR, one address per pod. */
export function podAddress(index: number): string {
  return `100.64.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

const containerId = (pod: PodObject, name: string) => `containerd://${[0, 1].map((i) => fnv1a(`${i}/${pod.metadata.uid}/${name}`).toString(16).padStart(8, '0')).join('')}`;

/** The pod's containers started on a node: addresses set, each container running (not yet ready). */
export function podStarted(pod: PodObject, addresses: { podIP: string; hostIP: string }, startedAt: string): void {
  Object.assign(pod.status, {
    hostIP: addresses.hostIP,
    hostIPs: [{ ip: addresses.hostIP }],
    podIP: addresses.podIP,
    podIPs: [{ ip: addresses.podIP }],
    qosClass: 'BestEffort',
  });
  const finished = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  pod.status.containerStatuses = pod.spec.containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    containerID: containerId(pod, c.name),
    ready: false,
    started: !finished,
    restartCount: 0,
    state: finished
      ? { terminated: { exitCode: pod.status.phase === 'Succeeded' ? 0 : 1, reason: pod.status.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt, finishedAt: startedAt, containerID: containerId(pod, c.name) } }
      : { running: { startedAt } },
  }));
}

/** Every running container's `ready` follows the pod's Ready condition (one container per pod here). */
export function setContainersReady(pod: PodObject, ready: boolean): void {
  const statuses = pod.status.containerStatuses as Array<{ ready: boolean; state: { running?: unknown } }> | undefined;
  for (const status of statuses ?? []) status.ready = ready && status.state.running !== undefined;
}
