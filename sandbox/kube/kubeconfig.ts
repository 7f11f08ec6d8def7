import { stringify } from 'yaml';

/** The first line of every kubeconfig the emulator writes: how a later run knows the file is its own to replace. */
export const KUBECONFIG_MARKER = '# Written by `lifeguard emulator`';

/**
 * A kubeconfig for the emulator at `server`, for kubectl and any client that reads kubeconfigs.
 * The server speaks plain HTTP: `insecure-skip-tls-verify` is what lets @kubernetes/client-node
 * use an http:// server at all (it refuses one otherwise). The token is not checked; it names the
 * client's flow under the emulator's API Priority and Fairness model.
 */
export function emulatorKubeconfig(options: { server: string; cluster: string; user?: string; namespace?: string }): string {
  const user = options.user ?? 'emulator-admin';
  const context = `${options.cluster}-emulator`;
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: options.cluster, cluster: { server: options.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token: user } }],
    contexts: [{ name: context, context: { cluster: options.cluster, user, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': context,
  };
  return `${KUBECONFIG_MARKER} for cluster ${JSON.stringify(options.cluster)} at ${options.server}; removed when it stops.\n${stringify(document)}`;
}
