import { liveSessionsSeen, WORK_IDS_LISTED } from '../../lib/dr/hadoop-checks.ts';
import { lastSeenItem, lastSeenKey } from '../../lib/dr/last-seen.ts';
import type { HadoopHealth, HadoopWork } from '../hadoop/emulator.ts';
import { PROBE_INTERVAL_SECONDS } from './alarm.ts';
import type { InMemoryEc2 } from './ec2.ts';
import type { InMemoryElbv2, ServingProbe } from './elbv2.ts';
import type { InMemoryEmr, SandboxCluster } from './emr.ts';
import { InMemoryLockTable } from './lock-table.ts';
import { clusterHealth, passes, serviceOnPort } from './master-health.ts';
import type { DrScenario } from './scenario.ts';
import type { CallLog } from './service-error.ts';
import { buildDrWorld, buildLoadBalancing } from './world.ts';

/**
 * The world one failover run plays in: the scenario's AWS side (world.ts) with its masters' health
 * behind the load balancer's checks, what runs on each master, and the lock table as the deployed
 * probe left it.
 */

export interface RunWorld {
  ec2: InMemoryEc2;
  emr: InMemoryEmr;
  elbv2: InMemoryElbv2;
  healthOf: (cluster: SandboxCluster, atMs: number) => HadoopHealth;
  /** What runs on a cluster's master (scenario `clusters[].running`). */
  workOf: (cluster: { id: string }) => HadoopWork | undefined;
  locks: InMemoryLockTable;
}

export function buildRunWorld(scenario: DrScenario, { t0, now, log }: { t0: number; now: () => number; log: CallLog }): RunWorld {
  const { ec2, emr } = buildDrWorld(scenario, { t0, now, log });
  const healthOf = clusterHealth(scenario, emr, t0);
  const elbv2 = buildLoadBalancing(scenario, { t0, now, log, ec2, serving: servingProbe(scenario, emr, healthOf) });
  const workOf = (cluster: { id: string }): HadoopWork | undefined => {
    const running = scenario.clusters.find((c) => c.id === cluster.id)?.running;
    return running && { yarnApplications: running.yarnApplications.map((a) => ({ ...a, state: 'RUNNING' as const })), livySessions: running.livySessions };
  };
  const locks = new InMemoryLockTable(log);
  seedLastSeen(scenario, { emr, healthOf, workOf, locks, t0 });
  return { ec2, emr, elbv2, healthOf, workOf, locks };
}

/** The target groups' health check of a master's port: the scenario can keep new or standby targets from ever passing. */
function servingProbe(scenario: DrScenario, emr: InMemoryEmr, healthOf: RunWorld['healthOf']): ServingProbe {
  return (ip, port, atMs) => {
    const cluster = emr.byMasterIp(ip);
    if (!cluster) return false;
    if (cluster.createdByScenario && scenario.newTargetsNeverHealthy) return false;
    if (scenario.clusters.some((c) => c.standby?.id === cluster.id && c.standby.targetsNeverHealthy)) return false;
    return passes(healthOf(cluster, atMs), serviceOnPort(port));
  };
}

/**
 * The deployed probe ran every minute before the scenario began: a cluster healthy at the start
 * has a record of what it ran one probe interval earlier (world state, like the seeded targets).
 */
function seedLastSeen(scenario: DrScenario, world: Pick<RunWorld, 'emr' | 'healthOf' | 'workOf' | 'locks'> & { t0: number }): void {
  const { emr, healthOf, workOf, locks, t0 } = world;
  for (const c of scenario.clusters) {
    const cluster = emr.clusters.get(c.id)!;
    if (!passes(healthOf(cluster, t0), undefined)) continue;
    const work = workOf(cluster);
    const apps = work?.yarnApplications ?? [];
    locks.items.set(
      lastSeenKey(c.name),
      lastSeenItem(c.name, {
        at: new Date(t0 - PROBE_INTERVAL_SECONDS * 1000).toISOString(),
        yarnApplications: { count: apps.length, ids: apps.slice(0, WORK_IDS_LISTED).map((a) => a.id) },
        livySessions: liveSessionsSeen(work?.livySessions ?? []),
      }),
    );
  }
}
