import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../lib/drain/cordon.ts';
import { leaseValue } from '../../lib/lifecycle/lease.ts';

/** A Node as the API lists it: its labels (a hostname label with `hostname`), and the providerID EKS sets for `instanceId`. */
export function kubeNode(name: string, opts: { labels?: Record<string, string>; instanceId?: string; hostname?: string } = {}): V1Node {
  const labels = { ...(opts.hostname ? { 'kubernetes.io/hostname': opts.hostname } : {}), ...opts.labels };
  return { metadata: { name, labels }, spec: opts.instanceId ? { providerID: `aws:///us-east-1a/${opts.instanceId}` } : {} };
}

/** A Ready node `n` as Lifeguard leaves it: the event it works on, its deadline, who holds its lease. */
export function annotatedNode(opts: { current?: string; deadline?: number; lease?: { holder: string; until: number }; ready?: boolean; labels?: Record<string, string> } = {}): V1Node {
  const annotations: Record<string, string> = {};
  if (opts.current) annotations[ANNOTATIONS.eventId] = opts.current;
  if (opts.deadline !== undefined) annotations[ANNOTATIONS.deadline] = new Date(opts.deadline).toISOString();
  if (opts.lease) annotations['lifeguard.io/lease'] = leaseValue(opts.lease.holder, opts.lease.until);
  return { metadata: { name: 'n', annotations, labels: opts.labels ?? {} }, status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'Unknown' : 'True' }] } };
}
