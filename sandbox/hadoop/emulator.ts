import { livyHandler, type LivyHealth, type LivySession } from './livy.ts';
import { nameNodeHandler, type NameNodeHealth } from './name-node.ts';
import { resourceManagerHandler, type ResourceManagerHealth } from './resource-manager.ts';
import { SwitchableServer, type ListenerMode } from './switchable-server.ts';

export type { LivyHealth, NameNodeHealth, ResourceManagerHealth };

export interface HadoopHealth {
  resourceManager: ResourceManagerHealth;
  nameNode: NameNodeHealth;
  livy: LivyHealth;
}

export interface HadoopEmulatorOptions {
  health?: Partial<HadoopHealth>;
  /** Epoch ms the emulated daemons report as their start time. */
  startedOn?: number;
  /** What runs on the master: YARN applications and Livy sessions. */
  work?: HadoopWork;
}

export interface HadoopWork {
  yarnApplications: Array<{ id: string; name: string; state: 'RUNNING' | 'ACCEPTED' }>;
  livySessions: LivySession[];
}

export interface HadoopEmulator {
  address: '127.0.0.1';
  ports: { resourceManager: number; nameNode: number; livy: number };
  /** Changes the given services; resolves once listeners are down/up accordingly. */
  setHealth(change: Partial<HadoopHealth>): Promise<void>;
  health(): HadoopHealth;
  close(): Promise<void>;
}

const HEALTHY: HadoopHealth = { resourceManager: 'active', nameNode: 'active', livy: 'up' };

function listenerMode(health: string): ListenerMode {
  return health === 'down' ? 'down' : health === 'hang' ? 'hang' : 'serve';
}

/**
 * An EMR master's three HTTP endpoints (YARN ResourceManager, HDFS NameNode, Livy), one
 * loopback listener each on an ephemeral port, with switchable health.
 */
export async function startHadoopEmulator(options: HadoopEmulatorOptions = {}): Promise<HadoopEmulator> {
  let current: HadoopHealth = { ...HEALTHY };
  const startedOn = options.startedOn ?? Date.parse('2026-01-01T00:00:00Z');
  const servers = {
    resourceManager: new SwitchableServer(
      resourceManagerHandler(() => current.resourceManager, { clusterTimestamp: startedOn, hadoopVersion: '3.3.6', applications: () => options.work?.yarnApplications ?? [] }),
    ),
    nameNode: new SwitchableServer(
      nameNodeHandler(() => current.nameNode, { host: 'ip-10-0-1-25.ec2.internal', rpcPort: 8020, startedOn }),
    ),
    livy: new SwitchableServer(livyHandler(() => current.livy, () => options.work?.livySessions ?? [])),
  };
  const ports = {
    resourceManager: await servers.resourceManager.start(),
    nameNode: await servers.nameNode.start(),
    livy: await servers.livy.start(),
  };

  async function setHealth(change: Partial<HadoopHealth>): Promise<void> {
    current = { ...current, ...change };
    await Promise.all([
      servers.resourceManager.setMode(listenerMode(current.resourceManager)),
      servers.nameNode.setMode(listenerMode(current.nameNode)),
      servers.livy.setMode(listenerMode(current.livy)),
    ]);
  }

  await setHealth(options.health ?? {});
  return {
    address: '127.0.0.1',
    ports,
    setHealth,
    health: () => ({ ...current }),
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}
