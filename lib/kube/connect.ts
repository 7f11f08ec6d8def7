import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import type { EksCluster } from '../config/clusters.ts';
import type { Clock } from '../util/clock.ts';
import { createEksToken } from './eks-token.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';
import { issuesInline } from '../util/zod-issues.ts';

/** No client could be made for the cluster: its endpoint, kubeconfig or context is missing or unusable. */
export class ClusterConnectError extends LifeguardError {}

export interface KubeConnectOptions {
  /** Region of clusters that do not name their own. */
  region: string;
  /** Injectable for tests; one client per region is created otherwise. */
  eks?: EKSClient;
  clock: Clock;
  credentials?: AwsCredentialIdentityProvider;
}

/** A cached token is replaced when less than this is left of its (already shortened) life. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface ClusterEndpoint {
  endpoint: string;
  certificateAuthority: string;
}

// Module level on purpose: a warm Lambda reuses endpoints and tokens across invocations.
const endpoints = new Map<string, Promise<ClusterEndpoint>>();
const tokens = new Map<string, CachedToken>();
const tokensInFlight = new Map<string, Promise<CachedToken>>();
const eksClients = new Map<string, EKSClient>();

/** Forgets cached endpoints and tokens (tests; or after a cluster was re-created). */
export function resetKubeConnectionCache(): void {
  endpoints.clear();
  tokens.clear();
  tokensInFlight.clear();
}

const describeSchema = z.object({
  endpoint: z.url({ message: 'cluster.endpoint is missing or not a URL' }),
  certificateAuthority: z.object(
    { data: z.string({ message: 'cluster.certificateAuthority.data is missing' }).min(1, 'cluster.certificateAuthority.data is empty') },
    { message: 'cluster.certificateAuthority is missing' },
  ),
});

/**
 * A KubeConfig for an EKS cluster, authenticated as this process's IAM identity. Endpoint and CA
 * come from the configuration or eks:DescribeCluster (cached for the life of the process); the
 * bearer token is minted on demand and re-minted a minute before its 14-minute life runs out, on
 * every request, so an API client built from this config never presents an expired token, however
 * long the invocation runs.
 */
export async function kubeConfigFor(cluster: EksCluster, options: KubeConnectOptions): Promise<KubeConfig> {
  const region = cluster.region ?? options.region;
  const key = `${region}/${cluster.name}`;
  const { endpoint, certificateAuthority } = await endpointOf(cluster, region, key, options);
  const currentToken = () => tokenFor(cluster.name, region, key, options);
  const first = await currentToken();

  const kc = new EksKubeConfig(currentToken);
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: endpoint, caData: certificateAuthority, skipTLSVerify: false }],
    users: [{ name: 'lifeguard', token: first }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'lifeguard' }],
    currentContext: cluster.name,
  });
  return kc;
}

/** Puts a current token on every request made through `makeApiClient`. */
class EksKubeConfig extends KubeConfig {
  constructor(private readonly currentToken: () => Promise<string>) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('Authorization', `Bearer ${await this.currentToken()}`);
  }
}

async function endpointOf(cluster: EksCluster, region: string, key: string, options: KubeConnectOptions): Promise<ClusterEndpoint> {
  if (cluster.endpoint && cluster.certificateAuthority) {
    return { endpoint: cluster.endpoint, certificateAuthority: cluster.certificateAuthority };
  }
  let pending = endpoints.get(key);
  if (!pending) {
    pending = describe(cluster, region, options);
    endpoints.set(key, pending);
    // A failed lookup is not cached: the next invocation tries again.
    pending.catch(() => endpoints.delete(key));
  }
  return pending;
}

async function describe(cluster: EksCluster, region: string, options: KubeConnectOptions): Promise<ClusterEndpoint> {
  const eks = options.eks ?? eksClientFor(region);
  let response;
  try {
    response = await options.clock.io(() => eks.send(new DescribeClusterCommand({ name: cluster.name })));
  } catch (err) {
    throw new ClusterConnectError(`eks:DescribeCluster for ${cluster.name} in ${region} failed: ${errorMessage(err)}`, { cause: err });
  }
  const parsed = describeSchema.safeParse(response.cluster ?? {});
  if (!parsed.success) {
    throw new ClusterConnectError(
      `eks:DescribeCluster for ${cluster.name} in ${region} returned no usable endpoint: ${issuesInline(parsed.error, { value: response.cluster ?? {} })}`,
    );
  }
  return {
    endpoint: cluster.endpoint ?? parsed.data.endpoint,
    certificateAuthority: cluster.certificateAuthority ?? parsed.data.certificateAuthority.data,
  };
}

async function tokenFor(clusterName: string, region: string, key: string, options: KubeConnectOptions): Promise<string> {
  const now = options.clock.now();
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - now > TOKEN_REFRESH_MARGIN_MS) return cached.token;
  // Concurrent requests share one signing instead of each minting its own.
  let pending = tokensInFlight.get(key);
  if (!pending) {
    pending = createEksToken(clusterName, {
      region,
      now: () => new Date(options.clock.now()),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    }).finally(() => tokensInFlight.delete(key));
    tokensInFlight.set(key, pending);
  }
  const fresh = await pending;
  tokens.set(key, fresh);
  return fresh.token;
}

function eksClientFor(region: string): EKSClient {
  let client = eksClients.get(region);
  if (!client) {
    client = new EKSClient({ region });
    eksClients.set(region, client);
  }
  return client;
}

/**
 * A KubeConfig from a kubeconfig file, for the CLI against a real cluster: `path`, else
 * $KUBECONFIG (which may list several files), else ~/.kube/config. Never falls back silently to
 * localhost: no file found is an error.
 */
export function kubeConfigFromFile(path?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) {
    if (!existsSync(path)) throw new ClusterConnectError(`kubeconfig ${path} does not exist`);
    kc.loadFromFile(path);
  } else if (process.env.KUBECONFIG) {
    kc.loadFromDefault();
  } else {
    const home = join(homedir(), '.kube', 'config');
    if (!existsSync(home)) throw new ClusterConnectError('no kubeconfig found: set KUBECONFIG or pass a kubeconfig path');
    kc.loadFromFile(home);
  }
  const source = kubeconfigSource(path);
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new ClusterConnectError(`context "${context}" is not in ${source} (has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ClusterConnectError(`${source} has no current context with a cluster; pass a context name`);
  }
  return kc;
}

/** Where kubeConfigFromFile reads, for messages: the path given, else $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigSource(path?: string): string {
  return path ?? process.env.KUBECONFIG ?? '~/.kube/config';
}
