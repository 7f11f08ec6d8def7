import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.ts';
import type { LifeguardConfig } from '../../lib/config/schema.ts';
import { roleName } from '../../lib/dr/passed-roles.ts';
import type { AwsCall, SandboxDeployment } from '../../sandbox/aws/calls.ts';
import { failoverDefinition } from '../../statemachines/failover.ts';
import { DeployedStack } from '../support/deployed-stack.ts';
import { callAuthorizations, serviceAuthorizations, type Authorization } from '../support/iam/authorizations.ts';
import { collectCalls } from '../support/iam/collect.ts';
import { sandboxDeployment } from '../support/iam/deployment.ts';
import { packageWithConfig } from '../support/iam/package.ts';
import { formatReport } from '../support/iam/report.ts';
import type { RequestWorld } from '../support/iam/requests.ts';
import { iamScenarios, iamTestConfig } from '../support/iam/scenarios.ts';
import { evaluate, grantUses, unscopedGrants, type Verdict } from '../support/iam/simulate.ts';
import { StackIam, type Role } from '../support/iam/stack-iam.ts';

const ACCOUNT = '123456789012';

/**
 * Every AWS call the sandbox runs make, evaluated with AWS's policy logic against the role that
 * makes it in the packaged template; every role assumed by its service with the source that
 * service sends; every delivery the stack sets up; the grants nothing uses.
 */
describe('IAM by simulation: the packaged stack allows exactly what Lifeguard does', () => {
  let iam: StackIam;
  let config: LifeguardConfig;
  let deployment: SandboxDeployment;
  let world: RequestWorld;
  let calls: AwsCall[];
  let authorizations: Authorization[];
  let verdicts: Verdict[];
  /** Each sourced trust relationship, asked for by the same service on behalf of another account's resource. */
  let foreign: Verdict[];
  let runs: number;

  beforeAll(async () => {
    const scenarios = iamScenarios();
    runs = scenarios.length;
    const raw = iamTestConfig(scenarios);
    config = parseConfig(raw);
    const stack = new DeployedStack(packageWithConfig(raw), { account: ACCOUNT, region: config.region, stackName: 'lifeguard-dev' });
    iam = new StackIam(stack, 'lifeguard-dev-');
    deployment = sandboxDeployment(iam, { service: 'lifeguard', stage: 'dev', eventSource: config.eventSource });
    world = { partition: stack.partition, region: config.region, account: ACCOUNT, instanceProfileRole: instanceProfileRoles(config) };
    calls = await collectCalls(scenarios, { deployment, config, rules: iam.rules() });
    authorizations = [...callAuthorizations(calls, iam, world), ...serviceAuthorizations(iam, world)];
    verdicts = await Promise.all(authorizations.map((a) => evaluate(a, ACCOUNT)));
    foreign = await Promise.all(authorizations.flatMap((a) => (a.origin === 'trust' && 'service' in a && a.source.arn ? [evaluate(fromAnotherAccount(a), ACCOUNT)] : [])));
  }, 300_000);

  it('runs the packaged failover definition in the sandbox', () => {
    const packaged = iam.stack.resolveString(iam.stack.resource('FailoverStateMachine').Properties!.DefinitionString, 'DefinitionString');
    expect(failoverDefinition(deployment.failover)).toEqual(JSON.parse(packaged));
  });

  it('allows every call of the sandbox runs to the role that makes it', () => {
    const made = verdicts.filter((v) => v.authorization.origin === 'call');
    expect(made.length).toBeGreaterThan(100);
    expect(made.filter((v) => !v.allowed).map(explain)).toEqual([]);
  });

  it('lets every service assume its role with the aws:SourceArn and aws:SourceAccount it sends', () => {
    const trust = verdicts.filter((v) => v.authorization.origin === 'trust');
    expect(trust.filter((v) => !v.allowed).map(explain)).toEqual([]);
    // Every role of the stack is assumed by some service the check knows.
    const assumed = new Set(trust.map((v) => v.authorization.request.resource));
    expect(iam.roles.filter((r) => !assumed.has(r.arn)).map((r) => r.logicalId)).toEqual([]);
  });

  it("lets no service use a role for another account's resource (confused deputy)", () => {
    expect(foreign.length).toBeGreaterThan(0);
    expect(foreign.filter((v) => v.allowed).map(explain)).toEqual([]);
  });

  it('lets every service deliver where the stack points it: targets, dead letters, destinations, VPC', () => {
    const deliveries = verdicts.filter((v) => v.authorization.origin === 'delivery');
    expect(deliveries.filter((v) => !v.allowed).map(explain)).toEqual([]);
  });

  it('grants nothing on * without a condition but reads of APIs with no resource-level permissions', async () => {
    expect(await unscopedGrants(iam.roles)).toEqual([]);
  });

  it.each([
    ['InterruptionRole', 'events:PutEvents'],
    ['InterruptionRole', 'autoscaling:RecordLifecycleActionHeartbeat'],
    ['InterruptionSchedulerRole', 'sqs:SendMessage'],
    ['FailoverStateMachineRole', 'elasticloadbalancing:RegisterTargets'],
    ['DrPlanRole', 'ec2:DescribeSubnets'],
  ])('catches a removed statement: without the one granting %s %s, its requests are denied, and no others', async (roleId, action) => {
    const role = iam.role(roleId);
    const holding = role.policies.flatMap((p) => p.document.Statement).filter((s) => [s.Action].flat().includes(action));
    expect(holding).toHaveLength(1);
    const without: Role = { ...role, policies: role.policies.map((p) => ({ ...p, document: { ...p.document, Statement: p.document.Statement.filter((s) => s !== holding[0]) } })) };
    const byRole = authorizations.filter((a) => 'role' in a && a.role.logicalId === roleId);
    const results = await Promise.all(byRole.map((a) => evaluate(a, ACCOUNT, without)));
    const denied = new Set(results.filter((r) => !r.allowed).map((r) => r.authorization.request.action));
    expect(denied).toContain(action);
    expect([...denied].filter((a) => ![holding[0]!.Action].flat().includes(a))).toEqual([]);
  });

  it("catches a Scheduler trust scoped to schedules instead of their group: Scheduler sends the group's ARN", async () => {
    const role = iam.role('InterruptionSchedulerRole');
    const assume = authorizations.find((a) => a.origin === 'trust' && a.request.resource === role.arn && 'service' in a && a.service === 'scheduler.amazonaws.com');
    if (!assume || !('service' in assume)) throw new Error('no Scheduler trust relationship was checked');
    expect((await evaluate(assume, ACCOUNT)).allowed).toBe(true);
    const schedules = `${assume.source.arn!.replace(':schedule-group/', ':schedule/')}/*`;
    const [statement] = assume.resourcePolicy.Statement;
    const { ArnEquals: _group, ...others } = statement!.Condition ?? {};
    const scopedToSchedules = { ...assume.resourcePolicy, Statement: [{ ...statement!, Condition: { ...others, ArnLike: { 'aws:SourceArn': schedules } } }] };
    expect((await evaluate({ ...assume, resourcePolicy: scopedToSchedules }, ACCOUNT)).allowed).toBe(false);
  });

  it('prints the report: calls per service, trust relationships, grants no call uses', async () => {
    const grants = await grantUses(iam.roles, verdicts.filter((v) => v.allowed).map((v) => v.authorization), ACCOUNT);
    console.log(formatReport({ runs, verdicts, foreign, grants }));
    expect(grants.some((g) => g.uses > 0)).toBe(true);
  }, 120_000);
});

function explain(v: Verdict): string {
  const a = v.authorization;
  const sent = 'service' in a ? ` by ${a.service} sending ${JSON.stringify(a.source)}` : '';
  return `${a.what}: ${a.request.action} on ${a.request.resource} ${JSON.stringify(a.request.context)}${sent} → ${v.result}`;
}

/** The same request, by the same service, for the same kind of resource in another account. */
function fromAnotherAccount(a: Extract<Authorization, { service: string }>): Authorization {
  const other = '999999999999';
  return { ...a, source: { arn: a.source.arn!.replace(`:${ACCOUNT}:`, `:${other}:`), account: other } };
}

/** RunJobFlow names the instance profile; the configuration names the role in it. */
function instanceProfileRoles(config: LifeguardConfig): (profile: string) => string {
  const roles = new Map(config.dr.clusters.map((c) => [c.roles.instanceProfile ?? roleName(c.roles.instance), c.roles.instance]));
  return (profile) => {
    const role = roles.get(roleName(profile));
    if (!role) throw new Error(`instance profile ${profile} is no configured cluster's`);
    return role;
  };
}
