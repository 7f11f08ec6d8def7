import type { ParsedNodeSpec } from './specs.ts';
import { fnv1a } from './random.ts';

/**
 * What a kubelet reports in a Node's status, for clients that print it (`kubectl get nodes -o wide`,
 * `kubectl describe node`). The emulator models no instance types: every node is a 4 vCPU, 16 GiB
 * machine with the numbers EKS's node bootstrap gives one (an m5.xlarge: 58 pods with the VPC CNI,
 * 80m CPU, 255Mi + 11Mi per pod and 1Gi of disk kube-reserved, the kubelet's 100Mi memory and 10%
 * nodefs eviction thresholds, a 20 GiB root volume). The system info names the sandbox, not a real image.
 */

/** The Kubernetes version the emulator answers as (GET /version, kubelets). */
export const EMULATED_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' } as const;

const CAPACITY = { cpu: '4', 'ephemeral-storage': '20959212Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16069864Ki', pods: '58' };
// Capacity less kube-reserved (cpu 80m; memory 893Mi; ephemeral-storage 1Gi) and the eviction thresholds (memory 100Mi, nodefs 10%).
const ALLOCATABLE = { cpu: '3920m', 'ephemeral-storage': '18242267955', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '15053032Ki', pods: '58' };

/** The node's private IPv4 address: read from an EC2 private DNS name (ip-10-0-1-10…), else derived from its instance id. */
export function nodeAddress(spec: Pick<ParsedNodeSpec, 'name' | 'instanceId'>): string {
  const fromName = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.|$)/.exec(spec.name);
  if (fromName && fromName.slice(1, 5).every((octet) => Number(octet) <= 255)) return fromName.slice(1, 5).map(Number).join('.');
  const h = fnv1a(spec.instanceId);
  return `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${(h & 253) + 1}`;
}

/** 32 hex digits, stable for one key: machine ids and boot ids that do not change between runs. */
function hexId(key: string): string {
  return [0, 1, 2, 3].map((i) => fnv1a(`${i}/${key}`).toString(16).padStart(8, '0')).join('');
}

export function nodeStatus(spec: ParsedNodeSpec, at: string) {
  const ip = nodeAddress(spec);
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: at, lastTransitionTime: at });
  return {
    capacity: { ...CAPACITY },
    allocatable: { ...ALLOCATABLE },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'InternalDNS', address: spec.name },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: hexId(`machine/${spec.instanceId}`),
      systemUUID: hexId(`system/${spec.instanceId}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
      bootID: hexId(`boot/${spec.instanceId}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
      kernelVersion: '6.1.0-lifeguard-sandbox',
      osImage: 'Lifeguard sandbox node',
      containerRuntimeVersion: 'containerd://1.7.0',
      kubeletVersion: EMULATED_VERSION.gitVersion,
      kubeProxyVersion: EMULATED_VERSION.gitVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}
