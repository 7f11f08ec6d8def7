import { ApiException, CoreApi, type KubeConfig } from '@kubernetes/client-node';
import { errorMessage, LifeguardError } from '../../lib/util/errors.ts';
import { requestOptions } from '../../lib/kube/request-options.ts';
import type { ReachTarget } from './probe.ts';

/** The kubeconfig's credential plugin (`aws eks get-token`…) failed before any request was sent. */
class CredentialCommandError extends LifeguardError {}

/**
 * The API server of the kubeconfig's current context. The cheap read is API discovery (GET /api):
 * any authenticated identity may read it (the default `system:discovery` ClusterRole), so a
 * failure is the endpoint or the credentials, not the caller's RBAC.
 */
export function kubeTarget(kc: KubeConfig, source: string): ReachTarget {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${source} has no current context with a cluster; pass a context name`);
  const user = kc.getCurrentUser();
  return {
    what: `the Kubernetes API server of context ${kc.getCurrentContext()} (${source})`,
    endpoint: cluster.server,
    async read(timeoutMs) {
      try {
        // Runs the credential plugin, if any, on its own: its failure has its own likely cause.
        await kc.applyToFetchOptions({});
      } catch (err) {
        throw new CredentialCommandError(`the credential command of user ${user?.name ?? '?'} failed: ${errorMessage(err).trim()}`, { cause: err });
      }
      await kc.makeApiClient(CoreApi).getAPIVersions(requestOptions(timeoutMs, false));
    },
    readCause(err) {
      if (err instanceof CredentialCommandError) {
        return `likely expired or missing credentials for ${user?.exec ? `'${String(user.exec.command)}'` : 'the plugin'}: renew them (for EKS: aws sso login, or check AWS_PROFILE) and try again`;
      }
      if (err instanceof ApiException && err.code === 401) {
        return 'the server refused the credentials (401 Unauthorized): likely an expired token or credentials (for EKS: aws sso login, then aws eks update-kubeconfig), or an identity without access to this cluster';
      }
      return undefined;
    },
  };
}
