import { stringify } from 'yaml';
import type { SANDBOX_USERS } from './rbac/users.ts';

type SandboxUserToken = keyof typeof SANDBOX_USERS;

/** The first line of every kubeconfig the emulator writes: how a later run knows the file is its own to replace. */
export const KUBECONFIG_MARKER = '# Written by `lifeguard emulator`';

/**
 * A kubeconfig for the emulator at `server`, for kubectl and any client that reads kubeconfigs.
 * The server speaks plain HTTP: `insecure-skip-tls-verify` is what lets @kubernetes/client-node
 * use an http:// server at all (it refuses one otherwise). Two contexts, one per identity the
 * emulator signs in by its token: `<cluster>-emulator` (current) is a cluster administrator, and
 * `<cluster>-emulator-lifeguard` is Lifeguard's function, held to deploy/kubernetes-rbac.yaml.
 */
export function emulatorKubeconfig(options: { server: string; cluster: string; namespace?: string }): string {
  const context = (user: SandboxUserToken) => ({
    name: user === 'admin' ? `${options.cluster}-emulator` : `${options.cluster}-emulator-${user}`,
    context: { cluster: options.cluster, user, ...(options.namespace ? { namespace: options.namespace } : {}) },
  });
  const tokens: SandboxUserToken[] = ['admin', 'lifeguard'];
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: options.cluster, cluster: { server: options.server, 'insecure-skip-tls-verify': true } }],
    users: tokens.map((token) => ({ name: token, user: { token } })),
    contexts: tokens.map(context),
    'current-context': context('admin').name,
  };
  return `${KUBECONFIG_MARKER} for cluster ${JSON.stringify(options.cluster)} at ${options.server}; removed when it stops.\n${stringify(document)}`;
}
