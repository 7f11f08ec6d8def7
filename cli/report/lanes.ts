import type { DrainReport } from '../../lib/drain/drain.ts';
import type { InterruptionReport } from '../../lib/interruption/report.ts';
import type { SimulationResult } from '../../sandbox/scenario/result.ts';
import type { NodeLane, PodRow } from './model.ts';

/** The lanes of a scenario run, and how many nodes had nothing to show. */
export function lanesOfRun(result: SimulationResult): { lanes: NodeLane[]; quietNodes: number } {
  const start = Date.parse(result.start);
  const seconds = (ms: number) => Math.round(ms - start) / 1000;
  const lanes = new Map<string, NodeLane>();
  const lane = (node: string) => {
    let l = lanes.get(node);
    if (!l) lanes.set(node, (l = { node, warning: null, cordon: null, deadline: null, terminated: result.nodes[node]?.terminatedAt ?? null, rows: [] }));
    return l;
  };
  const appOf = new Map<string, string>();
  for (const invocation of result.invocations) {
    for (const instance of invocation.report?.instances ?? []) {
      if (!instance.nodeName) continue;
      const l = lane(instance.nodeName);
      // The warning is the AWS event's delivery; Lifeguard's own continuations are not warnings.
      if (invocation.report?.continuation === undefined) l.warning = earliest(l.warning, seconds(invocation.deliveredAt));
      const cordonedAt = instance.cordon?.cordonedAt ?? instance.drain?.cordonedAt;
      if (cordonedAt !== undefined) l.cordon = earliest(l.cordon, seconds(cordonedAt));
      const deadline = instance.drain?.deadline;
      if (deadline !== undefined && deadline !== null) l.deadline = seconds(deadline);
      for (const pod of instance.drain?.pods ?? []) if (pod.appId) appOf.set(`${pod.namespace}/${pod.name}`, pod.appId);
    }
  }
  const refusals = new Map<string, number[]>();
  for (const e of result.timeline) if (e.pod && e.action.startsWith('evict-refused')) refusals.set(e.pod, [...(refusals.get(e.pod) ?? []), e.t]);
  for (const [pod, p] of Object.entries(result.pods)) {
    // A driver is shown even when nothing touched it: where it runs is what Spark's order hangs on.
    if (p.terminatingAt === null && p.sparkRole !== 'driver') continue;
    const row: PodRow =
      p.terminatingAt === null
        ? { pod, group: groupOf(p.sparkRole, undefined), outcome: 'untouched', from: 0, to: null, forced: false, refusals: [] }
        : { pod, group: groupOf(p.sparkRole, appOf.get(pod)), outcome: p.outcome, from: p.terminatingAt, to: p.goneAt, forced: p.lifeguard?.forced === true, refusals: refusals.get(pod) ?? [] };
    lane(p.node ?? '(no node)').rows.push(row);
  }
  for (const l of lanes.values()) l.rows.sort(byGroupThenTime);
  const shown = [...lanes.values()].filter((l) => l.rows.length > 0 || l.warning !== null || l.cordon !== null || l.deadline !== null);
  return { lanes: shown.sort(byFirstMark), quietNodes: Object.keys(result.nodes).filter((n) => !shown.some((l) => l.node === n)).length };
}

/** The lanes of one event handled against a cluster, from the handler's report alone. */
export function lanesOfReport(report: InterruptionReport): NodeLane[] {
  const drains = report.instances.flatMap((i) => (i.drain ? [i.drain] : []));
  const origin = Math.min(report.receivedAt, ...drains.map((d) => d.startedAt));
  const seconds = (ms: number) => Math.round(ms - origin) / 1000;
  return report.instances
    .filter((i) => i.nodeName !== undefined)
    .map((i) => {
      const cordonedAt = i.cordon?.cordonedAt ?? i.drain?.cordonedAt;
      return {
        node: i.nodeName!,
        warning: seconds(report.receivedAt),
        cordon: cordonedAt === undefined ? null : seconds(cordonedAt),
        deadline: i.drain?.deadline === undefined || i.drain.deadline === null ? null : seconds(i.drain.deadline),
        terminated: null,
        rows: i.drain ? drainRows(i.drain, seconds) : [],
      };
    });
}

/** The pods a drain acted on, and the drivers it left alone. */
function drainRows(drain: DrainReport, seconds: (ms: number) => number): PodRow[] {
  return drain.pods
    .filter((p) => p.actedAt !== undefined || p.sparkRole === 'driver')
    .map((p): PodRow => {
      const pod = `${p.namespace}/${p.name}`;
      const group = groupOf(p.sparkRole ?? null, p.appId);
      if (p.actedAt === undefined) return { pod, group, outcome: 'untouched', from: 0, to: null, forced: false, refusals: [] };
      return {
        pod,
        group,
        outcome: p.outcome === 'evicted' || p.outcome === 'deleted' ? p.outcome : p.goneAt === undefined ? 'killed-at-deadline' : 'exited-before-deadline',
        from: seconds(p.actedAt),
        to: seconds(p.goneAt ?? drain.deadline ?? p.actedAt),
        forced: p.forced,
        refusals: [],
      };
    })
    .sort(byGroupThenTime);
}

const groupOf = (role: string | null, appId: string | undefined) => (role === 'executor' ? `Spark ${appId ?? 'application'}: executors` : role === 'driver' ? 'Spark drivers' : 'Other pods');

/** Spark executors first (the drain's order), then the rest, the drivers last. */
const rankOf = (group: string) => (group.endsWith('executors') ? 0 : group === 'Other pods' ? 1 : 2);

const byGroupThenTime = (a: PodRow, b: PodRow) => rankOf(a.group) - rankOf(b.group) || a.group.localeCompare(b.group) || a.from - b.from || a.pod.localeCompare(b.pod);

/** Warned nodes in the order they were warned, then the others by name. */
function byFirstMark(a: NodeLane, b: NodeLane): number {
  const first = (l: NodeLane) => l.warning ?? l.cordon ?? l.deadline ?? Infinity;
  return first(a) - first(b) || a.node.localeCompare(b.node);
}

const earliest = (known: number | null, t: number) => (known === null ? t : Math.min(known, t));
