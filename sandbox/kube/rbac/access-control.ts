import { z } from 'zod';
import { parseSpec } from '../specs.ts';
import type { ApiStatusError } from '../status.ts';
import { authorize, type UserInfo } from './authorizer.ts';
import { DEFAULT_RBAC_OBJECTS } from './defaults.ts';
import { buildPolicy, LIFEGUARD_RBAC_MANIFEST, parseRbacManifest, readRbacManifest, type RbacPolicy } from './manifest.ts';
import type { RbacObject } from './objects.ts';
import { requestAttributes, type RequestAttributes } from './request-info.ts';
import { forbidden, unauthorized } from './responses.ts';
import { AUTHENTICATED } from './defaults.ts';
import { authenticate, SANDBOX_USERS, type SandboxUser } from './users.ts';

/**
 * Who may do what on the emulator: a request's user from its bearer token, then kube-apiserver's
 * RBAC authorizer over the cluster's default roles and the manifest's. The server asks it before a
 * request reaches any handler, after flow control, as kube-apiserver's filter chain does.
 */
export class AccessControl {
  private readonly policy: RbacPolicy;
  private readonly users: ReadonlyMap<string, SandboxUser>;

  /** `users` by bearer token; `unauthenticated`: who a request without credentials is. */
  constructor(
    manifest: readonly RbacObject[],
    users: Record<string, SandboxUser>,
    private readonly unauthenticated: Unauthenticated = 'anonymous',
  ) {
    this.policy = buildPolicy([...DEFAULT_RBAC_OBJECTS, ...manifest]);
    this.users = new Map(Object.entries(users));
  }

  hasToken(token: string): boolean {
    return this.users.has(token);
  }

  get tokens(): string[] {
    return [...this.users.keys()];
  }

  /** The user an Authorization header signs in, or the 401 to answer. */
  authenticate(header: string | undefined): UserInfo | ApiStatusError {
    if (header === undefined && this.unauthenticated === 'admin') return { name: SANDBOX_USERS.admin.name, groups: [...SANDBOX_USERS.admin.groups, AUTHENTICATED] };
    const result = authenticate(header, this.users);
    return result.kind === 'user' ? result.user : unauthorized();
  }

  /** The request's attributes (derived unless the server already did), and the 403 to answer when no rule allows them. */
  authorize(user: UserInfo, method: string, path: string, query: URLSearchParams, derived?: RequestAttributes): { attributes: RequestAttributes; refusal?: ApiStatusError } {
    const attributes = derived ?? requestAttributes(method, path, query);
    const decision = authorize(this.policy, user, attributes);
    return decision.allowed ? { attributes } : { attributes, refusal: forbidden(user, attributes, decision.reason) };
  }
}

const usersSchema = z
  .record(z.string().regex(/^[\x21-\x7e]+$/, 'a token of visible ASCII characters'), z.object({ name: z.string().min(1), groups: z.array(z.string().min(1)).default([]) }).strict())
  .superRefine((users, ctx) => {
    for (const token of Object.keys(users)) {
      if (token in SANDBOX_USERS) ctx.addIssue({ code: 'custom', path: [token], message: 'admin and lifeguard are built in: pick another token' });
    }
  });

/**
 * Who a request without credentials is: `anonymous` (system:anonymous, as kube-apiserver), or
 * `admin` for a plain-HTTP emulator served to kubectl, which sends no bearer token to an http://
 * server (client-go's rule): like kube-apiserver's former insecure port, it is then the
 * administrator. A request with a token is still that token's identity, held to the manifest.
 */
export type Unauthenticated = 'anonymous' | 'admin';

/** The shipped manifest, read once: every scenario starts an emulator. */
let shippedManifest: RbacObject[] | undefined;

/**
 * The emulator's access control from its options: `manifest` as YAML (default: the manifest
 * Lifeguard ships), and identities beyond SANDBOX_USERS by token.
 */
export function createAccessControl(manifest: string | undefined, users: unknown, unauthenticated?: Unauthenticated): AccessControl {
  const objects = manifest === undefined ? (shippedManifest ??= readRbacManifest(LIFEGUARD_RBAC_MANIFEST)) : parseRbacManifest(manifest, 'kube emulator options: rbacManifest');
  return new AccessControl(objects, { ...SANDBOX_USERS, ...parseSpec(usersSchema, users ?? {}, 'kube emulator options: users') }, unauthenticated);
}
