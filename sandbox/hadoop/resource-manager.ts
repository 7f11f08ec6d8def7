import type { RequestHandler } from './switchable-server.ts';
import { sendJson, sendText } from './switchable-server.ts';

/** What the emulated YARN ResourceManager reports (down/hang are the listener's business). */
export type ResourceManagerHealth = 'active' | 'standby' | 'stopped' | 'down' | 'hang';

export interface ResourceManagerFacts {
  clusterTimestamp: number;
  hadoopVersion: string;
  /** Applications it runs now (`/ws/v1/cluster/apps`, `/ws/v1/cluster/metrics`). */
  applications?: () => Array<{ id: string; name: string; state: 'RUNNING' | 'ACCEPTED' }>;
}

/** `GET /ws/v1/cluster/info` as a YARN 3.x ResourceManager answers it. */
export function resourceManagerHandler(health: () => ResourceManagerHealth, facts: ResourceManagerFacts): RequestHandler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return sendText(res, 405, 'HTTP 405 Method Not Allowed');
    const mode = health();
    const apps = facts.applications?.() ?? [];
    if (path === '/ws/v1/cluster/metrics') {
      const count = (state: string) => apps.filter((a) => a.state === state).length;
      return sendJson(res, 200, { clusterMetrics: { appsSubmitted: apps.length, appsRunning: count('RUNNING'), appsPending: count('ACCEPTED'), appsCompleted: 0 } });
    }
    if (path === '/ws/v1/cluster/apps') {
      // The REST API's `states` and `limit` query parameters; no match is `{"apps":null}`.
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const states = (query.get('states') ?? '').split(',').filter(Boolean).map((s) => s.toUpperCase());
      const limit = Number(query.get('limit') ?? Infinity);
      const app = apps.filter((a) => !states.length || states.includes(a.state)).slice(0, limit);
      return sendJson(res, 200, { apps: app.length ? { app: app.map((a) => ({ ...a, user: 'hadoop', queue: 'default', applicationType: 'SPARK' })) } : null });
    }
    if (path !== '/ws/v1/cluster/info' && path !== '/ws/v1/cluster') return sendText(res, 404, 'Not Found');
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
