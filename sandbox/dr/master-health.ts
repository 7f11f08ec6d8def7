import type { HadoopHealth } from '../hadoop/emulator.ts';
import type { InMemoryEmr, SandboxCluster } from './emr.ts';
import type { DrScenario } from './scenario.ts';

/**
 * What an EMR master's Hadoop services do over time in a scenario, and what a health check of one
 * of them (the NLB's, per target group port, or the probe's) sees.
 */

const ALL_UP: HadoopHealth = { resourceManager: 'active', nameNode: 'active', livy: 'up' };
const ALL_DOWN: HadoopHealth = { resourceManager: 'down', nameNode: 'down', livy: 'down' };

/** The ports the probe and the target groups use for each service (dr.clusters[].probe.ports defaults). */
export const SERVICE_PORTS = { resourceManager: 8088, nameNode: 9870, livy: 8998 } as const;
export type Service = keyof typeof SERVICE_PORTS;

export const serviceOnPort = (port: number): Service | undefined => (Object.keys(SERVICE_PORTS) as Service[]).find((s) => SERVICE_PORTS[s] === port);

/** Whether a check of `service` passes (unknown port: all three must be up). */
export function passes(h: HadoopHealth, service: Service | undefined): boolean {
  if (service === 'resourceManager') return h.resourceManager === 'active';
  if (service === 'nameNode') return h.nameNode === 'active';
  if (service === 'livy') return h.livy === 'up';
  return h.resourceManager === 'active' && h.nameNode === 'active' && h.livy === 'up';
}

type Timeline = DrScenario['clusters'][number]['health'];

function pointAt(timeline: Timeline, seconds: number): HadoopHealth {
  const point = [...timeline].sort((a, b) => a.at - b.at).filter((p) => p.at <= seconds).at(-1);
  return point ? { resourceManager: point.resourceManager, nameNode: point.nameNode, livy: point.livy } : ALL_UP;
}

/** The timeline the scenario gives a cluster it names: its own, or its standby's. */
function givenTimeline(scenario: DrScenario, id: string): Timeline {
  for (const c of scenario.clusters) {
    if (c.id === id) return c.health;
    if (c.standby?.id === id) return c.standby.health;
  }
  return [];
}

/**
 * A cluster's Hadoop health at a time: the scenario's timeline (a standby's own; for a cluster the
 * run creates, a rearmed standby included, its entry in emr.replacements, in creation order), and
 * nothing at all while its master is not up.
 */
export function clusterHealth(scenario: DrScenario, emr: InMemoryEmr, originMs: number): (cluster: SandboxCluster, atMs: number) => HadoopHealth {
  return (cluster, atMs) => {
    if (!emr.isUp(cluster, atMs)) return ALL_DOWN;
    const seconds = (atMs - originMs) / 1000;
    if (!cluster.createdByScenario) return pointAt(givenTimeline(scenario, cluster.id), seconds);
    const index = [...emr.clusters.values()].filter((c) => c.createdByScenario).indexOf(cluster);
    return pointAt(scenario.emr.replacements[index]?.health ?? [], seconds);
  };
}
