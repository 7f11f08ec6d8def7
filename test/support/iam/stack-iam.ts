import { SCHEDULER_ENV } from '../../../lib/aws/scheduler.ts';
import type { DeployedStack } from '../deployed-stack.ts';

/**
 * The IAM side of a packaged stack, resolved for one account and region: its roles (trust and
 * identity policies), the resource policies services deliver through (Lambda permissions, queue
 * and topic policies), its EventBridge rules and targets, and the schedule groups its functions
 * schedule into.
 */

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface Role {
  logicalId: string;
  arn: string;
  trust: PolicyDocument;
  policies: Array<{ name: string; document: PolicyDocument }>;
}

export interface RuleTarget {
  arn: string;
  roleArn?: string;
  deadLetterArn?: string;
}

export interface Rule {
  logicalId: string;
  arn: string;
  pattern?: Record<string, unknown>;
  schedule?: string;
  targets: RuleTarget[];
}

/** Where a function schedules work (its environment), and with which role Scheduler runs it. */
export interface ScheduleUse {
  functionKey: string;
  groupArn: string;
  roleArn: string;
  targetArn: string;
  deadLetterArn: string;
}

type Props = Record<string, unknown>;

export class StackIam {
  readonly roles: Role[];

  constructor(
    readonly stack: DeployedStack,
    /** `<service>-<stage>-`: how the stack names its functions. */
    private readonly functionPrefix: string,
  ) {
    this.roles = this.ofType('AWS::IAM::Role').map(([id, props]) => {
      if (props.ManagedPolicyArns) throw new Error(`role ${id} has managed policies: the simulation evaluates inline policies only`);
      return {
        logicalId: id,
        arn: stack.arn(id),
        trust: stack.resolve(props.AssumeRolePolicyDocument) as PolicyDocument,
        policies: ((props.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }> | undefined) ?? []).map((p) => ({
          name: p.PolicyName,
          document: stack.resolve(p.PolicyDocument) as PolicyDocument,
        })),
      };
    });
  }

  role(logicalId: string): Role {
    const role = this.roles.find((r) => r.logicalId === logicalId);
    if (!role) throw new Error(`no role ${logicalId} in the template`);
    return role;
  }

  roleByArn(arn: string): Role {
    const role = this.roles.find((r) => r.arn === arn);
    if (!role) throw new Error(`no role of the template has the ARN ${arn}`);
    return role;
  }

  /** The stack's functions: key (as in serverless.ts), ARN, role, and what Lambda does with it. */
  functions(): Array<{ key: string; logicalId: string; arn: string; role: Role; vpc?: { subnetIds: string[]; securityGroupIds: string[] }; environment: Record<string, string> }> {
    return this.ofType('AWS::Lambda::Function').map(([id, props]) => {
      const name = this.stack.resolveString(props.FunctionName, `${id}.FunctionName`);
      if (!name.startsWith(this.functionPrefix)) throw new Error(`function ${name} is not named ${this.functionPrefix}<key>`);
      const vpc = props.VpcConfig as { SubnetIds: string[]; SecurityGroupIds: string[] } | undefined;
      return {
        key: name.slice(this.functionPrefix.length),
        logicalId: id,
        arn: this.stack.arn(id),
        role: this.roleByArn(this.stack.resolveString(props.Role, `${id}.Role`)),
        ...(vpc ? { vpc: { subnetIds: vpc.SubnetIds, securityGroupIds: vpc.SecurityGroupIds } } : {}),
        environment: this.stack.resolve((props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, string>,
      };
    });
  }

  functionRole(key: string): Role {
    const fn = this.functions().find((f) => f.key === key);
    if (!fn) throw new Error(`the template has no function ${this.functionPrefix}${key}`);
    return fn.role;
  }

  stateMachine(): { arn: string; role: Role } {
    const [[id, props] = []] = this.ofType('AWS::StepFunctions::StateMachine');
    if (!id || !props) throw new Error('the template has no state machine');
    return { arn: this.stack.arn(id), role: this.roleByArn(this.stack.resolveString(props.RoleArn, `${id}.RoleArn`)) };
  }

  rules(): Rule[] {
    return this.ofType('AWS::Events::Rule').map(([id, props]) => ({
      logicalId: id,
      arn: this.stack.arn(id),
      ...(props.EventPattern ? { pattern: props.EventPattern as Record<string, unknown> } : {}),
      ...(props.ScheduleExpression ? { schedule: String(props.ScheduleExpression) } : {}),
      targets: ((props.Targets as Props[] | undefined) ?? []).map((t) => ({
        arn: this.stack.resolveString(t.Arn, `${id} target Arn`),
        ...(t.RoleArn ? { roleArn: this.stack.resolveString(t.RoleArn, `${id} target RoleArn`) } : {}),
        ...((t.DeadLetterConfig as Props | undefined)?.Arn ? { deadLetterArn: this.stack.resolveString((t.DeadLetterConfig as Props).Arn, `${id} target DLQ`) } : {}),
      })),
    }));
  }

  /** The SQS event source mappings: which function's role Lambda's pollers read which queue with. */
  queueMappings(): Array<{ functionKey: string; role: Role; queueArn: string }> {
    const functions = this.functions();
    return this.ofType('AWS::Lambda::EventSourceMapping').map(([id, props]) => {
      const name = this.stack.resolveString(props.FunctionName, `${id}.FunctionName`);
      const fn = functions.find((f) => f.arn === name || f.arn.endsWith(`:function:${name}`));
      if (!fn) throw new Error(`${id} maps to an unknown function ${name}`);
      return { functionKey: fn.key, role: fn.role, queueArn: this.stack.resolveString(props.EventSourceArn, `${id}.EventSourceArn`) };
    });
  }

  /** What the functions schedule: the environment deploy/schedules.ts gives them. */
  scheduleUses(): ScheduleUse[] {
    return this.functions().flatMap((fn) => {
      const group = fn.environment[SCHEDULER_ENV.groupName];
      if (!group) return [];
      const { partition, at } = { partition: this.stack.partition, at: this.stack.at };
      return [
        {
          functionKey: fn.key,
          groupArn: `arn:${partition}:scheduler:${at.region}:${at.account}:schedule-group/${group}`,
          roleArn: fn.environment[SCHEDULER_ENV.roleArn]!,
          targetArn: fn.environment[SCHEDULER_ENV.targetArn]!,
          deadLetterArn: fn.environment[SCHEDULER_ENV.deadLetterArn]!,
        },
      ];
    });
  }

  /** Lambda's resource policy of a function, as AddPermission builds it from the stack's permissions. */
  functionPolicy(functionArn: string): PolicyDocument {
    const statements = this.ofType('AWS::Lambda::Permission')
      .filter(([id, p]) => this.stack.resolveString(p.FunctionName, `${id}.FunctionName`) === functionArn)
      .map(([id, p]): Statement => {
        const condition: Record<string, Record<string, unknown>> = {};
        if (p.SourceArn) condition.ArnLike = { 'AWS:SourceArn': this.stack.resolveString(p.SourceArn, `${id}.SourceArn`) };
        if (p.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': this.stack.resolveString(p.SourceAccount, `${id}.SourceAccount`) };
        return {
          Sid: id,
          Effect: 'Allow',
          Principal: { Service: String(p.Principal) },
          Action: String(p.Action),
          Resource: functionArn,
          ...(Object.keys(condition).length ? { Condition: condition } : {}),
        };
      });
    return { Version: '2012-10-17', Statement: statements };
  }

  /** The queue's or topic's policy document (AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy), empty without one. */
  resourcePolicy(arn: string): PolicyDocument {
    const statements: Statement[] = [];
    for (const [id, props] of this.ofType('AWS::SQS::QueuePolicy')) {
      const queues = (props.Queues as unknown[]).map((q) => this.stack.resolveString(q, `${id}.Queues`));
      if (queues.some((url) => url.endsWith(`/${arn.split(':').at(-1)}`))) statements.push(...(this.stack.resolve(props.PolicyDocument) as PolicyDocument).Statement);
    }
    for (const [id, props] of this.ofType('AWS::SNS::TopicPolicy')) {
      const topics = (props.Topics as unknown[]).map((t) => this.stack.resolveString(t, `${id}.Topics`));
      if (topics.includes(arn)) statements.push(...(this.stack.resolve(props.PolicyDocument) as PolicyDocument).Statement);
    }
    return { Version: '2012-10-17', Statement: statements };
  }

  /** Alarms and the SNS topics they notify. */
  alarmActions(): Array<{ arn: string; topics: string[] }> {
    return this.ofType('AWS::CloudWatch::Alarm')
      .filter(([, p]) => p.AlarmActions)
      .map(([id, p]) => ({ arn: this.stack.arn(id), topics: (p.AlarmActions as unknown[]).map((a) => this.stack.resolveString(a, `${id}.AlarmActions`)) }));
  }

  private ofType(type: string): Array<[string, Props]> {
    return Object.entries(this.stack.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, r.Properties ?? {}]);
  }
}
