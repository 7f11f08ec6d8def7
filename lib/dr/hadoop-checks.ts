import { z } from 'zod';
import type { ServiceVerdict, WorkSeen } from './types.ts';
import { httpGet, type HttpGetOptions, type HttpGetResult } from './http-get.ts';
import { describeIssues } from '../util/zod-issues.ts';

/**
 * What "healthy" means for each service on an EMR master, decided from the services' own HTTP
 * APIs. Every body is validated: a 200 with an unexpected body is unhealthy, with the reason.
 */

const rmInfoSchema = z.object({
  clusterInfo: z
    .object({
      state: z.string(),
      haState: z.string(),
      id: z.number().optional(),
      resourceManagerVersion: z.string().optional(),
    })
    .loose(),
});

const nameNodeStatusSchema = z.object({
  beans: z.array(z.object({ State: z.string(), HostAndPort: z.string().optional() }).loose()).min(1, 'no NameNodeStatus bean'),
});

const nameNodeSafeModeSchema = z.object({
  beans: z.array(z.object({ Safemode: z.string() }).loose()).min(1, 'no NameNodeInfo bean'),
});

const livySessionsSchema = z.object({
  from: z.number(),
  total: z.number(),
  sessions: z.array(z.unknown()),
});

const livySessionSchema = z.object({ id: z.number(), state: z.string(), appId: z.string().nullish() }).loose();
const rmMetricsSchema = z.object({ clusterMetrics: z.object({ appsRunning: z.number(), appsPending: z.number() }).loose() });
const rmAppsSchema = z.object({ apps: z.object({ app: z.array(z.object({ id: z.string() }).loose()) }).nullable() });

/** Ids kept of the work a probe sees: enough to tell an on-call engineer what to re-run, bounded. */
export const WORK_IDS_LISTED = 20;
/** Livy sessions that hold an interpreter (and its state) on the master. */
const LIVE_SESSION_STATES: ReadonlySet<string> = new Set(['not_started', 'starting', 'idle', 'busy']);

export const RM_INFO_PATH = '/ws/v1/cluster/info';
export const NAMENODE_STATUS_PATH = '/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus';
/** One attribute, not the whole NameNodeInfo bean (its LiveNodes text grows with the cluster). */
export const NAMENODE_SAFEMODE_PATH = '/jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::Safemode';
export const LIVY_SESSIONS_PATH = '/sessions';
export const RM_METRICS_PATH = '/ws/v1/cluster/metrics';
/** Running and waiting applications, the first WORK_IDS_LISTED (the REST API's states and limit parameters). */
export const RM_APPS_PATH = `/ws/v1/cluster/apps?states=RUNNING,ACCEPTED&limit=${WORK_IDS_LISTED}`;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Turns an HTTP result into a validated body, or the reason it is not one. */
function parseBody<T>(result: HttpGetResult, schema: z.ZodType<T>): Parsed<T> {
  if (result.kind === 'failure') return { ok: false, reason: result.reason };
  if (result.status !== 200) {
    const where = result.location ? ` (redirect to ${result.location})` : '';
    return { ok: false, reason: `HTTP ${result.status}${where}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(result.text);
  } catch {
    return { ok: false, reason: `bad body: not JSON (${JSON.stringify(result.text.slice(0, 60))})` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `bad body: ${describeIssues(parsed.error, { value: json })[0]?.line ?? 'unexpected shape'}` };
  }
  return { ok: true, value: parsed.data };
}

export async function checkResourceManager(base: string, http: HttpGetOptions): Promise<ServiceVerdict> {
  const result = await httpGet(base + RM_INFO_PATH, http);
  const body = parseBody(result, rmInfoSchema);
  if (!body.ok) return { healthy: false, latencyMs: result.latencyMs, reason: body.reason };
  const { state, haState, resourceManagerVersion } = body.value.clusterInfo;
  const detail = { state, haState, version: resourceManagerVersion ?? null };
  if (state !== 'STARTED') return { healthy: false, latencyMs: result.latencyMs, reason: `state ${state}`, detail };
  if (haState !== 'ACTIVE') return { healthy: false, latencyMs: result.latencyMs, reason: `haState ${haState}`, detail };
  const work = await runningApplications(base, http);
  return { healthy: true, latencyMs: result.latencyMs, detail, ...(work ? { work } : {}) };
}

/**
 * What an active ResourceManager runs: the count from its metrics, the first ids from its
 * application list. Health never depends on it: a failure only leaves the work unknown.
 */
async function runningApplications(base: string, http: HttpGetOptions): Promise<WorkSeen | undefined> {
  const [metrics, apps] = await Promise.all([httpGet(base + RM_METRICS_PATH, http), httpGet(base + RM_APPS_PATH, http)]);
  const counted = parseBody(metrics, rmMetricsSchema);
  const listed = parseBody(apps, rmAppsSchema);
  if (!counted.ok || !listed.ok) return undefined;
  const { appsRunning, appsPending } = counted.value.clusterMetrics;
  return { count: appsRunning + appsPending, ids: (listed.value.apps?.app ?? []).map((a) => a.id).slice(0, WORK_IDS_LISTED) };
}

/**
 * Active and out of safe mode. Safe mode counts as unhealthy: HDFS is read-only then, so YARN
 * cannot stage new applications and Livy cannot start sessions. The NameNode enters it briefly at
 * every start; the state machine's repeated confirmation keeps that from triggering a failover,
 * while a NameNode stuck in it (lost DataNodes, a full metadata disk) does.
 */
export async function checkNameNode(base: string, http: HttpGetOptions): Promise<ServiceVerdict> {
  const started = http.now();
  const [statusResult, safeModeResult] = await Promise.all([
    httpGet(base + NAMENODE_STATUS_PATH, http),
    httpGet(base + NAMENODE_SAFEMODE_PATH, http),
  ]);
  const latencyMs = Math.max(0, http.now() - started);
  const status = parseBody(statusResult, nameNodeStatusSchema);
  if (!status.ok) return { healthy: false, latencyMs, reason: status.reason };
  const bean = status.value.beans[0]!;
  const safeMode = parseBody(safeModeResult, nameNodeSafeModeSchema);
  const safeModeText = safeMode.ok ? safeMode.value.beans[0]!.Safemode : null;
  const detail = { state: bean.State, hostAndPort: bean.HostAndPort ?? null, safeMode: safeModeText === null ? null : safeModeText !== '' };
  if (bean.State !== 'active') return { healthy: false, latencyMs, reason: `State ${bean.State}`, detail };
  if (!safeMode.ok) return { healthy: false, latencyMs, reason: `safe mode unknown: ${safeMode.reason}`, detail };
  if (safeModeText) return { healthy: false, latencyMs, reason: `safe mode: ${safeModeText.split('\n')[0]}`, detail };
  return { healthy: true, latencyMs, detail };
}

export async function checkLivy(base: string, http: HttpGetOptions): Promise<ServiceVerdict> {
  const result = await httpGet(base + LIVY_SESSIONS_PATH, http);
  const body = parseBody(result, livySessionsSchema);
  if (!body.ok) return { healthy: false, latencyMs: result.latencyMs, reason: body.reason };
  const work = liveSessionsSeen(body.value.sessions.flatMap((s) => {
    const session = livySessionSchema.safeParse(s);
    return session.success ? [session.data] : [];
  }));
  return { healthy: true, latencyMs: result.latencyMs, detail: { sessions: body.value.total }, work };
}

/** The Livy sessions that hold an interpreter: counted, the first ones named (with their YARN application). */
export function liveSessionsSeen(sessions: ReadonlyArray<{ id: number; state: string; appId?: string | null | undefined }>): WorkSeen {
  const live = sessions.filter((s) => LIVE_SESSION_STATES.has(s.state));
  return { count: live.length, ids: live.slice(0, WORK_IDS_LISTED).map((s) => `session ${s.id}${s.appId ? ` (${s.appId})` : ''}`) };
}
