import { ApiException, AppsV1Api, CoreV1Api, PolicyV1Api, type KubeConfig, type V1Pod, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { isSparkDriver, sparkInfo } from '../spark/pods.ts';
import { DRIVER_CONF_KEY, driverConfigMapName, sparkConfOf } from './spark-conf.ts';
import type { AuditInput, SparkConf, Workload } from './types.ts';

const PAGE = 500;

/** Pages through a list call (limit + continue), as the API server expects for big clusters. */
async function listAll<T>(list: (page: { limit: number; _continue?: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await list({ limit: PAGE, ...(token ? { _continue: token } : {}) });
    items.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}

const isDenied = (err: unknown) => err instanceof ApiException && (err.code === 403 || err.code === 404);

/**
 * Reads what the audit checks, read-only: nodes, pods and PodDisruptionBudgets of every namespace,
 * each Spark driver's configuration ConfigMap where the credentials allow it (a 403 or 404
 * only makes that application's configuration "not visible"), and Deployments and DaemonSets, where
 * other interruption handlers run (a 403 or 404 leaves them out).
 */
export async function readCluster(kc: KubeConfig): Promise<AuditInput> {
  const core = kc.makeApiClient(CoreV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const [nodes, pods, pdbs, workloads] = await Promise.all([
    listAll((page) => core.listNode(page)),
    listAll((page) => core.listPodForAllNamespaces(page)),
    listAll((page) => policy.listPodDisruptionBudgetForAllNamespaces(page)),
    readWorkloads(apps),
  ]);
  const sparkConf = new Map<string, SparkConf>();
  await Promise.all(
    pods.filter(isSparkDriver).map(async (driver) => {
      const appId = sparkInfo(driver)?.appId;
      if (appId) sparkConf.set(appId, sparkConfOf(driver, await configMapText(core, driver)));
    }),
  );
  return { nodes, pods, pdbs, sparkConf, workloads };
}

async function configMapText(core: CoreV1Api, driver: V1Pod): Promise<string | undefined> {
  const name = driverConfigMapName(driver);
  if (!name) return undefined;
  try {
    const configMap = await core.readNamespacedConfigMap({ name, namespace: driver.metadata?.namespace ?? 'default' });
    return configMap.data?.[DRIVER_CONF_KEY];
  } catch (err) {
    if (isDenied(err)) return undefined;
    throw err;
  }
}

async function readWorkloads(apps: AppsV1Api): Promise<Workload[]> {
  const visible = async <T>(list: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await list();
    } catch (err) {
      if (isDenied(err)) return [];
      throw err;
    }
  };
  const [deployments, daemonSets] = await Promise.all([
    visible(() => listAll((page) => apps.listDeploymentForAllNamespaces(page))),
    visible(() => listAll((page) => apps.listDaemonSetForAllNamespaces(page))),
  ]);
  return [
    ...deployments.map((d) => workload('Deployment', d.metadata, d.spec?.template)),
    ...daemonSets.map((d) => workload('DaemonSet', d.metadata, d.spec?.template)),
  ];
}

function workload(kind: Workload['kind'], metadata: { namespace?: string; name?: string } | undefined, template: V1PodTemplateSpec | undefined): Workload {
  return {
    kind,
    namespace: metadata?.namespace ?? 'default',
    name: metadata?.name ?? '?',
    containers: (template?.spec?.containers ?? []).map((c) => ({
      image: c.image ?? '',
      // Only literal values: one from a Secret or ConfigMap is not readable here.
      env: Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
      args: [...(c.command ?? []), ...(c.args ?? [])],
    })),
  };
}
