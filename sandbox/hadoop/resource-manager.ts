import type { RequestHandler } from './switchable-server.ts';
import { sendJson, sendText } from './switchable-server.ts';

/** What the emulated YARN ResourceManager reports (down/hang are the listener's business). */
export type ResourceManagerHealth = 'active' | 'standby' | 'stopped' | 'down' | 'hang';

export interface ResourceManagerFacts {
  clusterTimestamp: number;
  hadoopVersion: string;
}

/** `GET /ws/v1/cluster/info` as a YARN 3.x ResourceManager answers it. */
export function resourceManagerHandler(health: () => ResourceManagerHealth, facts: ResourceManagerFacts): RequestHandler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return sendText(res, 405, 'HTTP 405 Method Not Allowed');
    if (path !== '/ws/v1/cluster/info' && path !== '/ws/v1/cluster') return sendText(res, 404, 'Not Found');
    const mode = health();
    const state = mode === 'stopped' ? 'STOPPED' : 'STARTED';
    const haState = mode === 'standby' ? 'STANDBY' : mode === 'stopped' ? 'STOPPED' : 'ACTIVE';
    const build = `${facts.hadoopVersion}-amzn-1 from 0000000000000000000000000000000000000000 by release source checksum 0a1b2c3d4e5f`;
    sendJson(res, 200, {
      clusterInfo: {
        id: facts.clusterTimestamp,
        startedOn: facts.clusterTimestamp,
        state,
        haState,
        rmStateStoreName: 'org.apache.hadoop.yarn.server.resourcemanager.recovery.FileSystemRMStateStore',
        resourceManagerVersion: `${facts.hadoopVersion}-amzn-1`,
        resourceManagerBuildVersion: build,
        resourceManagerVersionBuiltOn: '2024-06-20T18:02Z',
        hadoopVersion: `${facts.hadoopVersion}-amzn-1`,
        hadoopBuildVersion: build,
        hadoopVersionBuiltOn: '2024-06-20T18:00Z',
        haZooKeeperConnectionState: 'ResourceManager HA is not enabled.',
      },
    });
  };
}
