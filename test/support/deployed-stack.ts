import { createHash } from 'node:crypto';
import { partitionOf } from '../../lib/util/partition.ts';
import type { CfnResource } from './template.ts';

/**
 * A packaged template as CloudFormation would resolve it in one account and region: `Ref`,
 * `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` become the concrete names and ARNs a deployment gets, so
 * policies and definitions can be read (and simulated) with real ARNs. A resource without a name
 * property gets a generated one, `<stack>-<logical id>-<suffix>`, as CloudFormation gives it.
 */

export interface StackLocation {
  account: string;
  region: string;
  stackName: string;
}

export interface Template {
  Resources: Record<string, CfnResource>;
}


/** Every ARN of this resource type: `Ref` and `Fn::GetAtt <id>.Arn`, from its physical name. */
interface TypeModel {
  /** The property that names it; absent, CloudFormation generates a name. */
  nameProperty?: string;
  ref: 'name' | 'arn' | 'url';
  arn: (name: string, at: ArnParts) => string;
}

interface ArnParts {
  partition: string;
  region: string;
  account: string;
  urlSuffix: string;
}

const TYPES: Record<string, TypeModel> = {
  'AWS::IAM::Role': { nameProperty: 'RoleName', ref: 'name', arn: (n, a) => `arn:${a.partition}:iam::${a.account}:role/${n}` },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', ref: 'name', arn: (n, a) => `arn:${a.partition}:lambda:${a.region}:${a.account}:function:${n}` },
  'AWS::SQS::Queue': { nameProperty: 'QueueName', ref: 'url', arn: (n, a) => `arn:${a.partition}:sqs:${a.region}:${a.account}:${n}` },
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', ref: 'name', arn: (n, a) => `arn:${a.partition}:dynamodb:${a.region}:${a.account}:table/${n}` },
  'AWS::Events::Rule': { nameProperty: 'Name', ref: 'name', arn: (n, a) => `arn:${a.partition}:events:${a.region}:${a.account}:rule/${n}` },
  // API destinations and connections carry a generated id after their name.
  'AWS::Events::ApiDestination': { nameProperty: 'Name', ref: 'name', arn: (n, a) => `arn:${a.partition}:events:${a.region}:${a.account}:api-destination/${n}/${suffix(n)}` },
  'AWS::Events::Connection': { nameProperty: 'Name', ref: 'name', arn: (n, a) => `arn:${a.partition}:events:${a.region}:${a.account}:connection/${n}/${suffix(n)}` },
  'AWS::SNS::Topic': { nameProperty: 'TopicName', ref: 'arn', arn: (n, a) => `arn:${a.partition}:sns:${a.region}:${a.account}:${n}` },
  'AWS::StepFunctions::StateMachine': { nameProperty: 'StateMachineName', ref: 'arn', arn: (n, a) => `arn:${a.partition}:states:${a.region}:${a.account}:stateMachine:${n}` },
  'AWS::Scheduler::ScheduleGroup': { nameProperty: 'Name', ref: 'name', arn: (n, a) => `arn:${a.partition}:scheduler:${a.region}:${a.account}:schedule-group/${n}` },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', ref: 'name', arn: (n, a) => `arn:${a.partition}:logs:${a.region}:${a.account}:log-group:${n}:*` },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', ref: 'name', arn: (n, a) => `arn:${a.partition}:cloudwatch:${a.region}:${a.account}:alarm:${n}` },
  'AWS::S3::Bucket': { nameProperty: 'BucketName', ref: 'name', arn: (n, a) => `arn:${a.partition}:s3:::${n}` },
};

const suffix = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 12);

export class DeployedStack {
  readonly partition: string;
  private readonly parts: ArnParts;

  constructor(
    readonly template: Template,
    readonly at: StackLocation,
  ) {
    this.partition = partitionOf(at.region);
    this.parts = { partition: this.partition, region: at.region, account: at.account, urlSuffix: this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com' };
  }

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }

  /** The resource's physical name: its name property, else the one CloudFormation generates. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const property = TYPES[resource.Type]?.nameProperty;
    const named = property ? resource.Properties?.[property] : undefined;
    if (named !== undefined) return this.string(named, `${logicalId}.${property}`);
    return `${this.at.stackName}-${logicalId}-${suffix(logicalId).toUpperCase()}`.slice(0, 64);
  }

  arn(logicalId: string): string {
    const resource = this.resource(logicalId);
    const model = TYPES[resource.Type];
    if (!model) throw new Error(`no ARN model for ${resource.Type} (${logicalId})`);
    return model.arn(this.physicalName(logicalId), this.parts);
  }

  /** Every intrinsic in `value` resolved, recursively. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') return this.ref(String(arg));
    if (entries.length === 1 && key === 'Fn::GetAtt') return this.getAtt(arg);
    if (entries.length === 1 && key === 'Fn::Sub') return this.sub(arg);
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, items] = arg as [string, unknown[]];
      return (this.resolve(items) as unknown[]).map((item, i) => this.string(item, `Fn::Join item ${i}`)).join(separator);
    }
    if (entries.length === 1 && key?.startsWith('Fn::')) throw new Error(`the stack model does not resolve ${key}`);
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  resolveString(value: unknown, what: string): string {
    return this.string(this.resolve(value), what);
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': this.partition,
      'AWS::Region': this.at.region,
      'AWS::AccountId': this.at.account,
      'AWS::StackName': this.at.stackName,
      'AWS::URLSuffix': this.parts.urlSuffix,
    };
    if (name in pseudo) return pseudo[name]!;
    const resource = this.resource(name);
    const model = TYPES[resource.Type];
    if (!model) {
      // Versions and the like: only their identity matters here.
      if (resource.Type === 'AWS::Lambda::Version') return `${this.resolveString(resource.Properties?.FunctionName, `${name}.FunctionName`)}:1`;
      return this.physicalName(name);
    }
    if (model.ref === 'arn') return this.arn(name);
    if (model.ref === 'url') return `https://sqs.${this.at.region}.${this.parts.urlSuffix}/${this.at.account}/${this.physicalName(name)}`;
    return this.physicalName(name);
  }

  private getAtt(arg: unknown): string {
    const [id, attribute] = Array.isArray(arg) ? (arg as [string, string]) : String(arg).split('.');
    if (attribute !== 'Arn') throw new Error(`the stack model resolves only Fn::GetAtt ${id}.Arn, not .${attribute}`);
    return this.arn(id!);
  }

  private sub(arg: unknown): string {
    const [template, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    const values = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, this.resolveString(v, `Fn::Sub variable ${k}`)]));
    // `${!Literal}` stays `${Literal}`; `${Name}` is a variable, a pseudo parameter, a Ref or a GetAtt.
    return template.replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in values) return values[name]!;
      return name.includes('.') ? this.getAtt(name) : this.ref(name);
    });
  }

  private string(value: unknown, what: string): string {
    if (typeof value !== 'string') throw new Error(`${what} does not resolve to a string: ${JSON.stringify(value)}`);
    return value;
  }
}
