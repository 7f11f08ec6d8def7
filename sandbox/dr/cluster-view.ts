import { STANDBY_TAG } from '../../lib/dr/tags.ts';
import { stepSummary } from './emr-steps.ts';
import type { InMemoryEmr, SandboxCluster } from './emr.ts';
import type { SandboxClusterView } from './failover-result.ts';

/** Every EMR cluster at the end of a run, by id, as the result shows it. */
export function clusterViews(emr: InMemoryEmr, now: () => number): Record<string, SandboxClusterView> {
  return Object.fromEntries([...emr.clusters.values()].map((c) => [c.id, clusterView(emr, c, now)]));
}

function clusterView(emr: InMemoryEmr, c: SandboxCluster, now: () => number): SandboxClusterView {
  return {
    name: c.name,
    state: emr.state(c),
    zone: c.zone,
    subnetId: c.subnetId,
    masterIp: c.masterIp,
    terminationProtected: c.terminationProtected,
    replaces: c.tags['lifeguard:replaces'] ?? null,
    steps: emr.steps(c).runs.map((run) => {
      const s = stepSummary(run, now());
      return { id: s.Id, name: s.Name, state: s.Status.State, actionOnFailure: s.ActionOnFailure, args: s.Config.Args };
    }),
    instanceGroups: emr.instanceGroupCounts(c),
    instanceFleets: emr.instanceFleetCapacities(c),
    standbyOf: c.tags[STANDBY_TAG] ?? null,
  };
}
