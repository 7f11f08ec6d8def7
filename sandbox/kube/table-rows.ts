/**
 * The columns and cells kube-apiserver's table printers (pkg/printers/internalversion/printers.go)
 * give each kind the emulator serves, wide columns included (the server always prints wide; the
 * client hides priority-1 columns unless `-o wide`). Ages are the server's HumanDuration of the
 * time since creation, on the emulator's clock.
 */

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Json = Record<string, unknown>;
type Cells = Array<string | number>;
type Printer = { columns: ColumnDefinition[]; cells: (object: Json, now: number) => Cells };

const column = (name: string, description: string, options: { type?: string; format?: string; priority?: number } = {}): ColumnDefinition => ({
  name,
  type: options.type ?? 'string',
  format: options.format ?? '',
  description,
  priority: options.priority ?? 0,
});
const NAME = column('Name', 'Name must be unique within a namespace.', { format: 'name' });
const AGE = column('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');
const wide = (name: string, description: string, type?: string) => column(name, description, { priority: 1, ...(type ? { type } : {}) });

/** k8s.io/apimachinery/pkg/util/duration HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  const days = Math.trunc(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

const since = (timestamp: unknown, now: number) => (typeof timestamp === 'string' && timestamp !== '' ? humanDuration(now - Date.parse(timestamp)) : '<unknown>');
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const arr = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const age = (o: Json, now: number) => since(obj(o.metadata).creationTimestamp, now);

/** labels.FormatLabels: k=v joined by commas, <none> when empty. */
function formatLabels(labels: unknown): string {
  const entries = Object.entries(obj(labels));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

function containerCells(template: Json): [string, string] {
  const containers = arr(obj(obj(template).spec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

function podCells(pod: Json, now: number): Cells {
  const status = obj(pod.status);
  const spec = obj(pod.spec);
  const metadata = obj(pod.metadata);
  const statuses = arr(status.containerStatuses);
  let reason = str(status.reason) || str(status.phase);
  let ready = 0;
  let restarts = 0;
  for (const c of statuses) {
    restarts += num(c.restartCount);
    const state = obj(c.state);
    const waiting = obj(state.waiting);
    const terminated = obj(state.terminated);
    if (str(waiting.reason)) reason = str(waiting.reason);
    else if (state.terminated !== undefined) reason = str(terminated.reason) || `ExitCode:${num(terminated.exitCode)}`;
    else if (c.ready === true && state.running !== undefined) ready++;
  }
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (metadata.deletionTimestamp !== undefined && status.reason === 'NodeLost') reason = 'Unknown';
  else if (metadata.deletionTimestamp !== undefined && !terminal) reason = 'Terminating';
  const podIP = str(arr(status.podIPs)[0]?.ip) || '<none>';
  return [str(metadata.name), `${ready}/${arr(spec.containers).length}`, reason, String(restarts), age(pod, now), podIP, str(spec.nodeName) || '<none>', str(status.nominatedNodeName) || '<none>', '<none>'];
}

function nodeCells(node: Json, now: number): Cells {
  const status = obj(node.status);
  const info = obj(status.nodeInfo);
  const ready = arr(status.conditions).find((c) => c.type === 'Ready');
  const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (obj(node.spec).unschedulable === true) states.push('SchedulingDisabled');
  const labels = obj(obj(node.metadata).labels);
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(String(v));
  }
  const address = (type: string) => str(arr(status.addresses).find((a) => a.type === type)?.address) || '<none>';
  return [
    str(obj(node.metadata).name),
    states.join(','),
    roles.size ? [...roles].sort().join(',') : '<none>',
    age(node, now),
    str(info.kubeletVersion),
    address('InternalIP'),
    address('ExternalIP'),
    str(info.osImage) || '<unknown>',
    str(info.kernelVersion) || '<unknown>',
    str(info.containerRuntimeVersion) || '<unknown>',
  ];
}

/** A core/v1 Event (events.k8s.io Events are converted to it first, as the server prints the internal type). */
function eventCells(event: Json, now: number): Cells {
  const firstSeen = event.firstTimestamp ? since(event.firstTimestamp, now) : since(event.eventTime, now);
  let lastSeen = event.lastTimestamp ? since(event.lastTimestamp, now) : firstSeen;
  let count = num(event.count);
  const series = obj(event.series);
  if (event.series) {
    lastSeen = since(series.lastObservedTime, now);
    count = num(series.count);
  } else if (count === 0) count = 1;
  const involved = obj(event.involvedObject);
  const target = str(involved.name) ? `${str(involved.kind).toLowerCase()}/${str(involved.name)}` : str(involved.kind).toLowerCase();
  const source = obj(event.source);
  const component = str(source.component) || str(event.reportingComponent);
  const instance = str(source.host) || str(event.reportingInstance);
  return [lastSeen, str(event.type), str(event.reason), target, str(involved.fieldPath), instance ? `${component}, ${instance}` : component, str(event.message).trim(), firstSeen, count, str(obj(event.metadata).name)];
}

function selectorText(spec: Json): string {
  const labels = Object.entries(obj(obj(spec.selector).matchLabels));
  return labels.length === 0 ? '<none>' : labels.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

const CONTAINERS = wide('Containers', 'Names of each container in the template.');
const IMAGES = wide('Images', 'Images referenced by each container in the template.');
const SELECTOR = wide('Selector', 'The label selector of the pods.');

export const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      wide('IP', 'IP address allocated to the pod.'),
      wide('Node', 'The node the pod is bound to.'),
      wide('Nominated Node', 'The node the scheduler nominated for the pod.'),
      wide('Readiness Gates', 'Conditions evaluated for the pod readiness.'),
    ],
    cells: podCells,
  },
  Node: {
    columns: [
      NAME,
      column('Status', 'The status of the node'),
      column('Roles', 'The roles of the node'),
      AGE,
      column('Version', 'Kubelet Version reported by the node.'),
      wide('Internal-IP', 'List of addresses reachable to the node.'),
      wide('External-IP', 'List of addresses reachable to the node.'),
      wide('OS-Image', 'OS Image reported by the node.'),
      wide('Kernel-Version', 'Kernel Version reported by the node.'),
      wide('Container-Runtime', 'ContainerRuntime Version reported by the node.'),
    ],
    cells: nodeCells,
  },
  Event: {
    columns: [
      column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
      column('Type', 'Type of this event (Normal, Warning).'),
      column('Reason', 'The reason for the transition into the object\'s current status.'),
      column('Object', 'The object that this event is about.'),
      wide('Subobject', 'The field of the object the event is about.'),
      wide('Source', 'The component reporting this event.'),
      column('Message', 'A human-readable description of the status of this operation.'),
      wide('First Seen', 'The time at which the event was first recorded.'),
      wide('Count', 'The number of times this event has occurred.'),
      column('Name', 'Name must be unique within a namespace.', { format: 'name', priority: 1 }),
    ],
    cells: eventCells,
  },
  PodDisruptionBudget: {
    columns: [
      NAME,
      column('Min Available', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', { type: 'integer' }),
      AGE,
    ],
    cells: (pdb, now) => {
      const spec = obj(pdb.spec);
      const text = (v: unknown) => (v === undefined ? 'N/A' : String(v));
      return [str(obj(pdb.metadata).name), text(spec.minAvailable), text(spec.maxUnavailable), num(obj(pdb.status).disruptionsAllowed), age(pdb, now)];
    },
  },
  DaemonSet: {
    columns: [
      NAME,
      column('Desired', 'The total number of nodes that should be running the daemon pod.', { type: 'integer' }),
      column('Current', 'The number of nodes running at least one daemon pod that are supposed to.', { type: 'integer' }),
      column('Ready', 'The number of nodes running the daemon pod with a Ready condition.', { type: 'integer' }),
      column('Up-to-date', 'The total number of nodes running the updated daemon pod.', { type: 'integer' }),
      column('Available', 'The number of nodes running the daemon pod available.', { type: 'integer' }),
      column('Node Selector', 'The node selector of the pod template.'),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells: (ds, now) => {
      const status = obj(ds.status);
      const template = obj(obj(ds.spec).template);
      return [
        str(obj(ds.metadata).name),
        num(status.desiredNumberScheduled),
        num(status.currentNumberScheduled),
        num(status.numberReady),
        num(status.updatedNumberScheduled),
        num(status.numberAvailable),
        formatLabels(obj(template.spec).nodeSelector),
        age(ds, now),
        ...containerCells(template),
        selectorText(obj(ds.spec)),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      column('Desired', 'Number of desired pods.', { type: 'integer' }),
      column('Current', 'The number of pods the ReplicaSet has.', { type: 'integer' }),
      column('Ready', 'The number of pods with a Ready condition.', { type: 'integer' }),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells: (rs, now) => {
      const spec = obj(rs.spec);
      const status = obj(rs.status);
      return [str(obj(rs.metadata).name), num(spec.replicas), num(status.replicas), num(status.readyReplicas), age(rs, now), ...containerCells(obj(spec.template)), selectorText(spec)];
    },
  },
  StatefulSet: {
    columns: [NAME, column('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    cells: (sts, now) => {
      const spec = obj(sts.spec);
      return [str(obj(sts.metadata).name), `${num(obj(sts.status).readyReplicas)}/${num(spec.replicas)}`, age(sts, now), ...containerCells(obj(spec.template))];
    },
  },
  Deployment: {
    columns: [
      NAME,
      column('Ready', 'Number of the pod with ready state'),
      column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', { type: 'integer' }),
      column('Available', 'Total number of available pods targeted by this deployment.', { type: 'integer' }),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells: (d, now) => {
      const spec = obj(d.spec);
      const status = obj(d.status);
      return [str(obj(d.metadata).name), `${num(status.readyReplicas)}/${num(spec.replicas)}`, num(status.updatedReplicas), num(status.availableReplicas), age(d, now), ...containerCells(obj(spec.template)), selectorText(spec)];
    },
  },
  Lease: {
    columns: [NAME, column('Holder', 'The holder of the lease.'), AGE],
    cells: (lease, now) => [str(obj(lease.metadata).name), str(obj(lease.spec).holderIdentity), age(lease, now)],
  },
};

/** What the server prints for a kind without a printer of its own (the default table convertor). */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME, column('Created At', 'CreationTimestamp is a timestamp representing the server time when this object was created.', { type: 'date' })],
  cells: (o) => [str(obj(o.metadata).name), str(obj(o.metadata).creationTimestamp)],
};
