import type { PodObject } from './objects.ts';

/** The pod fields a field selector may name (the API server's own list), and their values. */
export const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
] as const;

export const podFields = (pod: PodObject): Record<string, string> => ({
  'metadata.name': pod.metadata.name,
  'metadata.namespace': pod.metadata.namespace,
  'spec.nodeName': pod.spec.nodeName ?? '',
  'spec.restartPolicy': pod.spec.restartPolicy,
  'spec.schedulerName': pod.spec.schedulerName,
  'spec.serviceAccountName': pod.spec.serviceAccountName,
  'spec.hostNetwork': String(pod.spec.hostNetwork === true),
  'status.phase': pod.status.phase,
  'status.podIP': pod.status.podIP ?? '',
  'status.nominatedNodeName': pod.status.nominatedNodeName ?? '',
});
