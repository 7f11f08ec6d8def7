import type { V1Pod, V1PodDisruptionBudget, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { INTERRUPTION_TAINT_KEY } from '../../drain/cordon.ts';
import type { NoticeKind } from '../../events/notice.ts';
import { podRef, sparkRole } from '../../spark/pods.ts';
import { nodeGroupOf } from '../node-groups.ts';
import { selects } from '../selector.ts';
import type { AuditInput, Finding } from '../types.ts';
import { isFinished, listed } from './spark.ts';

/** Every value Lifeguard's NoSchedule taint can carry: a DaemonSet must tolerate them all. */
const TAINT_VALUES = ['spot-interruption', 'rebalance-recommendation', 'scheduled-change', 'state-change', 'asg-lifecycle'] as const satisfies readonly NoticeKind[];

/** core/v1 Toleration.ToleratesTaint. */
export function tolerates(toleration: V1Toleration, taint: V1Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  if (!toleration.key) return false; // an empty key needs Exists
  return (toleration.value ?? '') === (taint.value ?? '');
}

const toleratesLifeguard = (pod: V1Pod) =>
  TAINT_VALUES.every((value) => (pod.spec?.tolerations ?? []).some((t) => tolerates(t, { key: INTERRUPTION_TAINT_KEY, value, effect: 'NoSchedule' })));

/** policy/v1 scales a percentage against the expected pod count, rounding up (both fields). */
function scaled(value: number | string, expected: number): number {
  if (typeof value === 'number') return value;
  const percent = Number.parseInt(value, 10);
  return Math.ceil((percent * expected) / 100);
}

/** A budget that, with the pods it covers now, can never allow one eviction. */
export function neverAllows(pdb: V1PodDisruptionBudget, expected: number): boolean {
  if (expected === 0) return false;
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, expected) <= 0;
  if (spec.minAvailable !== undefined) return scaled(spec.minAvailable, expected) >= expected;
  return false;
}

const owner = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
const isMirror = (pod: V1Pod) => Boolean(pod.metadata?.annotations?.['kubernetes.io/config.mirror']);

/** Per node group: budgets that never allow a disruption, pods nothing recreates, DaemonSets that do not tolerate Lifeguard's taint. */
export function nodeGroupFindings(input: AuditInput): Finding[] {
  const groupOfNode = new Map(input.nodes.map((n) => [n.metadata?.name ?? '', nodeGroupOf(n)]));
  const groupOf = (pod: V1Pod) => groupOfNode.get(pod.spec?.nodeName ?? '') ?? '(unscheduled)';
  const live = input.pods.filter((p) => !isFinished(p));
  const findings: Finding[] = [];
  const byGroup = <T>(items: T[], group: (item: T) => string) => {
    const groups = new Map<string, T[]>();
    for (const item of items) groups.set(group(item), [...(groups.get(group(item)) ?? []), item]);
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  };

  for (const pdb of input.pdbs) {
    const namespace = pdb.metadata?.namespace ?? 'default';
    const covered = live.filter((p) => (p.metadata?.namespace ?? 'default') === namespace && selects(pdb.spec?.selector, p.metadata?.labels ?? {}));
    if (!neverAllows(pdb, covered.length)) continue;
    const name = `${namespace}/${pdb.metadata?.name ?? '?'}`;
    const rule = pdb.spec?.maxUnavailable !== undefined ? `maxUnavailable ${pdb.spec.maxUnavailable}` : `minAvailable ${String(pdb.spec?.minAvailable)}`;
    for (const [group, pods] of byGroup(covered, groupOf)) {
      findings.push({
        check: 'budget-never-allows-disruption',
        severity: 'severe',
        scope: { kind: 'node-group', name: group },
        message: `PodDisruptionBudget ${name} (${rule}) covers ${covered.length} pod(s), so it can never allow an eviction: ${listed(pods.map(podRef))}`,
        why: 'Every eviction of these pods is refused. On a Spot interruption Lifeguard deletes them past the budget at the last moment; on a Health event or an Auto Scaling termination (no forced deletion by default) it does not, and the node is never drained.',
        fix: pdb.spec?.maxUnavailable !== undefined ? `Set maxUnavailable to 1 or more on ${name}.` : `Run more than ${scaled(pdb.spec!.minAvailable!, covered.length)} replica(s), or replace minAvailable with maxUnavailable: 1 on ${name}.`,
        objects: [name, ...pods.map(podRef)],
      });
    }
  }

  // Spark drivers are bare pods by design; their risk is reported per application.
  const bare = live.filter((p) => !owner(p) && !isMirror(p) && sparkRole(p) !== 'driver');
  for (const [group, pods] of byGroup(bare, groupOf)) {
    findings.push({
      check: 'pod-without-controller',
      severity: 'warning',
      scope: { kind: 'node-group', name: group },
      message: `${pods.length} pod(s) have no controller: ${listed(pods.map(podRef))}`,
      why: 'Nothing recreates such a pod once its node is drained: what it serves is gone until someone deploys it again.',
      fix: 'Run it under a Deployment, a StatefulSet or a Job.',
      objects: pods.map(podRef),
    });
  }

  const daemonPods = live.filter((p) => owner(p)?.kind === 'DaemonSet' && !toleratesLifeguard(p));
  for (const [group, pods] of byGroup(daemonPods, groupOf)) {
    const sets = [...new Set(pods.map((p) => `${p.metadata?.namespace ?? 'default'}/${owner(p)!.name}`))].sort();
    findings.push({
      check: 'daemonset-does-not-tolerate-taint',
      severity: 'warning',
      scope: { kind: 'node-group', name: group },
      message: `${sets.length} DaemonSet(s) do not tolerate Lifeguard's taint ${INTERRUPTION_TAINT_KEY}:NoSchedule: ${listed(sets)}`,
      why: 'While a node drains, a pod of these DaemonSets that restarts or is rolled out cannot come back on it: its logs, metrics or node agent are missing for the node\'s last minutes.',
      fix: `Add to each DaemonSet's pod template: tolerations: [{ key: ${INTERRUPTION_TAINT_KEY}, operator: Exists, effect: NoSchedule }].`,
      objects: sets,
    });
  }
  return findings;
}
