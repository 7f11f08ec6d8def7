import { controllerOf, iso, isPodReady, type PdbObject, type PdbStatus, type PodObject } from './objects.ts';
import { matchesAll } from './selectors.ts';
import type { ClusterStore } from './store.ts';

/**
 * PodDisruptionBudget status as the disruption controller computes it
 * (pkg/controller/disruption): computed on demand from the current pods, so it never lags.
 *
 * - minAvailable integer: desiredHealthy = minAvailable, expectedPods = number of selected pods.
 * - minAvailable percent / maxUnavailable: expectedPods = sum of the scale of the selected pods'
 *   controllers (ReplicaSet / StatefulSet); percentages of it are rounded up. Selected pods with
 *   no controller are ignored; a controller without a scale (Pod, Job, DaemonSet) makes the sync
 *   fail, and a failed sync allows no disruption.
 * - currentHealthy: selected pods that are Ready and not terminating.
 * - disruptionsAllowed = max(0, currentHealthy - desiredHealthy), and 0 when expectedPods is 0.
 */

/** A percentage of `total`, rounded up (intstr.GetScaledValueFromIntOrPercent with roundUp). */
export function scaledValue(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.slice(0, -1));
  return Math.ceil((percent * total) / 100);
}

/** Each budget's selected pods, as of the store's pod membership: every eviction asks, pods come and go far less often. */
const selections = new WeakMap<PdbObject, { membership: number; pods: PodObject[] }>();

export function podsSelectedBy(store: ClusterStore, pdb: PdbObject): PodObject[] {
  const cached = selections.get(pdb);
  if (cached?.membership === store.podMembership) return cached.pods;
  const selector = pdb.spec.selector.matchLabels;
  const selected: PodObject[] = [];
  for (const { object: pod } of store.podsInNamespace(pdb.metadata.namespace)) if (matchesAll(selector, pod.metadata.labels)) selected.push(pod);
  selections.set(pdb, { membership: store.podMembership, pods: selected });
  return selected;
}

/** The budgets the eviction subresource considers for a pod (an empty selector matches nothing). */
export function pdbsForPod(store: ClusterStore, pod: PodObject): PdbObject[] {
  return [...store.pdbs.values()].filter(
    (pdb) =>
      pdb.metadata.namespace === pod.metadata.namespace &&
      Object.keys(pdb.spec.selector.matchLabels).length > 0 &&
      matchesAll(pdb.spec.selector.matchLabels, pod.metadata.labels),
  );
}

function expectedScale(store: ClusterStore, pods: PodObject[]): number {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) continue;
    if (scales.has(ref.uid)) continue;
    const controller = store.controllerByUid(ref.uid);
    if (!controller || (controller.kind !== 'ReplicaSet' && controller.kind !== 'StatefulSet')) {
      throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    }
    scales.set(ref.uid, controller.replicas);
  }
  let total = 0;
  for (const scale of scales.values()) total += scale;
  return total;
}

export function computePdbStatus(store: ClusterStore, pdb: PdbObject): PdbStatus {
  const pods = podsSelectedBy(store, pdb);
  const currentHealthy = pods.filter((p) => p.metadata.deletionTimestamp === undefined && isPodReady(p)).length;
  const at = iso(store.now());
  let expectedPods: number;
  let desiredHealthy: number;
  try {
    if (pdb.spec.maxUnavailable !== undefined) {
      expectedPods = expectedScale(store, pods);
      desiredHealthy = Math.max(0, expectedPods - scaledValue(pdb.spec.maxUnavailable, expectedPods));
    } else if (typeof pdb.spec.minAvailable === 'number') {
      expectedPods = pods.length;
      desiredHealthy = pdb.spec.minAvailable;
    } else {
      expectedPods = expectedScale(store, pods);
      desiredHealthy = scaledValue(pdb.spec.minAvailable ?? 0, expectedPods);
    }
  } catch (error) {
    return {
      observedGeneration: 1,
      currentHealthy,
      desiredHealthy: 0,
      expectedPods: 0,
      disruptionsAllowed: 0,
      conditions: [
        { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: (error as Error).message, lastTransitionTime: at, observedGeneration: 1 },
      ],
    };
  }
  const disruptionsAllowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  return {
    observedGeneration: 1,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    disruptionsAllowed,
    conditions: [
      disruptionsAllowed > 0
        ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: at, observedGeneration: 1 }
        : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: at, observedGeneration: 1 },
    ],
  };
}

/** The budget with its status filled in, as the API returns it. */
export function pdbWithStatus(store: ClusterStore, pdb: PdbObject): PdbObject {
  return { ...structuredClone(pdb), status: computePdbStatus(store, pdb) };
}
