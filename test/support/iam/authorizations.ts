import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';
import type { AwsCall } from '../../../sandbox/aws/calls.ts';
import { deliveryTo } from './collect.ts';
import { iamRequests, type IamRequest, type RequestWorld } from './requests.ts';
import type { PolicyDocument, Role, Rule, StackIam } from './stack-iam.ts';

/**
 * One authorization AWS performs: a request made with a role's credentials (its identity policies
 * decide), or made by a service principal on a resource whose own policy decides (a trust policy
 * for sts:AssumeRole, a Lambda permission, a queue or topic policy), with the aws:SourceArn and
 * aws:SourceAccount the service sends.
 */
export type Authorization = {
  /** call: a sandbox run made it; trust: a service assumes a role; delivery: a service writes to a target. */
  origin: 'call' | 'trust' | 'delivery';
  /** For the report: who, and on whose behalf. */
  what: string;
  request: IamRequest;
} & ({ role: Role } | { service: string; source: ServiceSource; resourcePolicy: PolicyDocument });

/** The aws:SourceArn and aws:SourceAccount a service sends with its request (absent: it sends none). */
export interface ServiceSource {
  arn?: string;
  account?: string;
}

export function callAuthorizations(calls: AwsCall[], iam: StackIam, world: RequestWorld): Authorization[] {
  const rules = iam.rules();
  return calls.flatMap((call): Authorization[] => {
    const requests = iamRequests(call, world);
    const caller = call.caller;
    const withRole = (role: Role, what: string) => requests.map((request): Authorization => ({ origin: 'call', what, request, role }));
    if ('function' in caller) return withRole(iam.functionRole(caller.function), `function ${caller.function}`);
    if ('stateMachine' in caller) return withRole(iam.stateMachine().role, 'failover state machine');
    if ('scheduler' in caller) return withRole(iam.roleByArn(caller.scheduler.roleArn), `Scheduler, schedule group ${caller.scheduler.group}`);
    const routes = routesOf(caller.eventbridge, rules, requests);
    if (!routes.length) {
      throw new Error(`no rule of the template delivers ${JSON.stringify(caller.eventbridge).slice(0, 200)} to ${requests.map((r) => r.resource).join(', ')}`);
    }
    return routes.flatMap(({ rule, target }) => eventBridgeDelivery(iam, world, rule, target.arn, target.roleArn, 'call'));
  });
}

/** The stack's rules that deliver this event (or fire this schedule) to the requests' target. */
function routesOf(delivery: { event: Record<string, unknown> } | { schedule: string }, rules: Rule[], requests: IamRequest[]) {
  const targets = new Set(requests.map((r) => r.resource));
  return rules.flatMap((rule) => {
    const fires = 'schedule' in delivery ? rule.schedule === delivery.schedule : !!rule.pattern && matchesPattern(validatePattern(rule.pattern), delivery.event);
    return fires ? rule.targets.filter((t) => targets.has(t.arn)).map((target) => ({ rule, target })) : [];
  });
}

/** EventBridge delivering for `rule` to `targetArn`: with the target's role, or through the target's resource policy. */
function eventBridgeDelivery(iam: StackIam, world: RequestWorld, rule: Rule, targetArn: string, roleArn: string | undefined, origin: 'call' | 'delivery'): Authorization[] {
  const requests = iamRequests({ caller: { eventbridge: { schedule: '' } }, ...deliveryTo(targetArn) }, world);
  const what = `EventBridge rule ${rule.logicalId}`;
  if (roleArn) return requests.map((request) => ({ origin, what, request, role: iam.roleByArn(roleArn) }));
  return requests.map((request) => ({
    origin,
    what,
    request,
    service: 'events.amazonaws.com',
    source: { arn: rule.arn, account: world.account },
    resourcePolicy: resourcePolicyOf(iam, targetArn),
  }));
}

function resourcePolicyOf(iam: StackIam, arn: string): PolicyDocument {
  return arn.split(':')[2] === 'lambda' ? iam.functionPolicy(arn) : iam.resourcePolicy(arn);
}

/**
 * What the template itself says services do, whether or not a run got there: every role assumed
 * by the service that uses it (with the source it sends), every rule target and dead-letter queue
 * written, every schedule's target and DLQ, Lambda's on-failure destinations and VPC attachments,
 * alarms notifying topics.
 */
export function serviceAuthorizations(iam: StackIam, world: RequestWorld): Authorization[] {
  const account = world.account;
  /** A service assuming `role`, sending what it really sends as aws:SourceArn and aws:SourceAccount. */
  const trust = (role: Role, service: string, what: string, sends: { sourceArn?: string; sourceAccount: boolean }): Authorization => ({
    origin: 'trust',
    what,
    request: { action: 'sts:AssumeRole', resource: role.arn, context: {} },
    service,
    source: { ...(sends.sourceArn ? { arn: sends.sourceArn } : {}), ...(sends.sourceAccount ? { account } : {}) },
    resourcePolicy: role.trust,
  });
  const byRole = (role: Role, what: string, action: string, resource: string, context: IamRequest['context'] = {}): Authorization => ({
    origin: 'delivery',
    what,
    request: { action, resource, context },
    role,
  });
  const out: Authorization[] = [];

  for (const fn of iam.functions()) {
    // Lambda documents no source keys for assuming an execution role: its trust may not require one.
    out.push(trust(fn.role, 'lambda.amazonaws.com', `Lambda, function ${fn.key}`, { sourceAccount: false }));
    if (fn.vpc) {
      const eni = `arn:${world.partition}:ec2:${world.region}:${account}:network-interface/eni-0sandbox000000001`;
      const what = `Lambda attaching function ${fn.key} to its VPC`;
      for (const subnet of fn.vpc.subnetIds) out.push(byRole(fn.role, what, 'ec2:CreateNetworkInterface', `arn:${world.partition}:ec2:${world.region}:${account}:subnet/${subnet}`));
      for (const group of fn.vpc.securityGroupIds) out.push(byRole(fn.role, what, 'ec2:CreateNetworkInterface', `arn:${world.partition}:ec2:${world.region}:${account}:security-group/${group}`));
      for (const action of ['CreateNetworkInterface', 'DeleteNetworkInterface', 'AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses']) out.push(byRole(fn.role, what, `ec2:${action}`, eni));
      out.push(byRole(fn.role, what, 'ec2:DescribeNetworkInterfaces', '*'));
    }
  }
  for (const [, fn] of invokeConfigs(iam)) {
    out.push(byRole(fn.role, `Lambda's on-failure destination of function ${fn.key}`, 'sqs:SendMessage', fn.onFailure));
  }

  // Lambda's pollers read a queue with the function's execution role (its SQS event source guide).
  for (const mapping of iam.queueMappings()) {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
      out.push(byRole(mapping.role, `Lambda's event source mapping of function ${mapping.functionKey}`, action, mapping.queueArn));
    }
  }

  const machine = iam.stateMachine();
  // Step Functions sends the state machine's ARN (its guide's confused-deputy example).
  out.push(trust(machine.role, 'states.amazonaws.com', 'Step Functions, the failover state machine', { sourceArn: machine.arn, sourceAccount: true }));

  for (const rule of iam.rules()) {
    for (const target of rule.targets) {
      // For a rule's targets EventBridge sends the rule's ARN (its confused-deputy guidance).
      if (target.roleArn) out.push(trust(iam.roleByArn(target.roleArn), 'events.amazonaws.com', `EventBridge rule ${rule.logicalId}`, { sourceArn: rule.arn, sourceAccount: true }));
      out.push(...eventBridgeDelivery(iam, world, rule, target.arn, target.roleArn, 'delivery'));
      if (target.deadLetterArn) {
        out.push({
          origin: 'delivery',
          what: `EventBridge rule ${rule.logicalId}, dead letters`,
          request: { action: 'sqs:SendMessage', resource: target.deadLetterArn, context: {} },
          service: 'events.amazonaws.com',
          source: { arn: rule.arn, account },
          resourcePolicy: iam.resourcePolicy(target.deadLetterArn),
        });
      }
    }
  }

  for (const use of iam.scheduleUses()) {
    const role = iam.roleByArn(use.roleArn);
    const what = `Scheduler, schedule group of function ${use.functionKey}`;
    // Scheduler sends the schedule group's ARN as aws:SourceArn (its confused-deputy guidance).
    out.push(trust(role, 'scheduler.amazonaws.com', what, { sourceArn: use.groupArn, sourceAccount: true }));
    out.push(byRole(role, what, 'sqs:SendMessage', use.targetArn));
    // A continuation that still fails after the retries goes to the DLQ, written with the same role.
    out.push(byRole(role, `${what}, dead letters`, 'sqs:SendMessage', use.deadLetterArn));
  }

  for (const alarm of iam.alarmActions()) {
    for (const topic of alarm.topics) {
      out.push({
        origin: 'delivery',
        what: `CloudWatch alarm ${alarm.arn.split(':').at(-1)}`,
        request: { action: 'sns:Publish', resource: topic, context: {} },
        service: 'cloudwatch.amazonaws.com',
        source: { arn: alarm.arn, account },
        resourcePolicy: iam.resourcePolicy(topic),
      });
    }
  }
  return out;
}

function invokeConfigs(iam: StackIam) {
  const functions = iam.functions();
  return Object.entries(iam.stack.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig')
    .flatMap(([id, r]) => {
      const destination = (r.Properties?.DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined)?.OnFailure?.Destination;
      if (!destination) return [];
      const name = iam.stack.resolveString(r.Properties?.FunctionName, `${id}.FunctionName`);
      const fn = functions.find((f) => f.arn.endsWith(`:function:${name}`));
      if (!fn) throw new Error(`${id} configures an unknown function ${name}`);
      return [[id, { ...fn, onFailure: iam.stack.resolveString(destination, `${id} OnFailure`) }] as const];
    });
}
