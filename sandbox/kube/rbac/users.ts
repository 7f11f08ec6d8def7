import { KUBERNETES_GROUP } from '../../../deploy/interruption.ts';
import type { UserInfo } from './authorizer.ts';
import { AUTHENTICATED, MASTERS, UNAUTHENTICATED } from './defaults.ts';

/**
 * Who a request is, from its bearer token: kube-apiserver's static token authenticator, in memory.
 * Each identity signs in with a token of its own, so a kubeconfig carries it as any cluster's does.
 */

export interface SandboxUser {
  /** The Kubernetes user name: what a 403 names, and API Priority and Fairness' flow. */
  name: string;
  groups: string[];
}

/**
 * The identities every emulator knows, by token. `lifeguard` is the interruption function as EKS
 * sees it through the stack's access entry: EKS names an IAM role's user
 * `arn:aws:sts::<account>:assumed-role/<role>/{{SessionName}}` ("Set a custom username for EKS
 * access entries", Amazon EKS User Guide), Lambda's session is named after the function, and the
 * entry's only group is the one deploy/kubernetes-rbac.yaml binds. `admin` is a cluster
 * administrator (system:masters: allowed everything), for tests and tools acting as the operator.
 */
export const SANDBOX_USERS = {
  admin: { name: 'kubernetes-admin', groups: [MASTERS] },
  lifeguard: {
    name: 'arn:aws:sts::123456789012:assumed-role/lifeguard-sandbox-InterruptionRole-1SANDBOX0ROLE/lifeguard-sandbox-interruption',
    groups: [KUBERNETES_GROUP],
  },
} satisfies Record<string, SandboxUser>;

export type Authentication = { kind: 'user'; user: UserInfo } | { kind: 'unauthorized' };

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: [UNAUTHENTICATED] };

/**
 * The user behind an Authorization header: no credentials is the anonymous user; a bearer token
 * nobody issued is refused (401), as the bearer-token authenticator refuses it before anonymous
 * access is considered. Every user signed in belongs to system:authenticated.
 */
export function authenticate(header: string | undefined, users: ReadonlyMap<string, SandboxUser>): Authentication {
  const [scheme, token] = (header ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer') return { kind: 'user', user: ANONYMOUS };
  const user = token ? users.get(token) : undefined;
  if (!user) return { kind: 'unauthorized' };
  return { kind: 'user', user: { name: user.name, groups: [...user.groups, AUTHENTICATED] } };
}
