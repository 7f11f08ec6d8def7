import { ApiException, CoreV1Api, PolicyV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { isSparkDriver, sparkInfo } from '../spark/pods.ts';
import { DRIVER_CONF_KEY, driverConfigMapName, sparkConfOf } from './spark-conf.ts';
import type { AuditInput, SparkConf } from './types.ts';

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
 * and each Spark driver's configuration ConfigMap where the credentials allow it (a 403 or 404
 * only makes that application's configuration "not visible").
 */
export async function readCluster(kc: KubeConfig): Promise<AuditInput> {
  const core = kc.makeApiClient(CoreV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const [nodes, pods, pdbs] = await Promise.all([
    listAll((page) => core.listNode(page)),
    listAll((page) => core.listPodForAllNamespaces(page)),
    listAll((page) => policy.listPodDisruptionBudgetForAllNamespaces(page)),
  ]);
  const sparkConf = new Map<string, SparkConf>();
  await Promise.all(
    pods.filter(isSparkDriver).map(async (driver) => {
      const appId = sparkInfo(driver)?.appId;
      if (appId) sparkConf.set(appId, sparkConfOf(driver, await configMapText(core, driver)));
    }),
  );
  return { nodes, pods, pdbs, sparkConf };
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
