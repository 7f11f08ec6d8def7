import { didYouMean } from '../../lib/util/suggest.ts';
import { arnProblem } from './cfn-arn.ts';
import { DOCUMENTED_LIMITS, LOGICAL_ID, limitProblem, MAX_RESOURCES } from './cfn-limits.ts';
import { resourceModel, typeDefinition, type PropertyType, type Resource } from './cfn-model.ts';
import { SAMPLE_PSEUDO, sampleSub, sampleValue } from './cfn-sample.ts';

/**
 * A CloudFormation template checked against CloudFormation's own resource model: resource types,
 * property names, value types (intrinsic functions allowed where they can give the value),
 * required properties, allowed values, the attributes Fn::GetAtt names, every ARN the template
 * writes against its service's ARN format, and the documented limits the model lacks.
 */

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
  Condition?: unknown;
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string }>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export interface SchemaReport {
  resources: number;
  /** Property values checked, nested ones included. */
  properties: number;
  getAtts: number;
  arns: number;
  /** Values checked against a documented limit (cfn-limits.ts). */
  limits: number;
  /** `path: problem`, one line each; empty when the template passes. */
  findings: string[];
}

const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy']);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];
const PSEUDO = new Set([...Object.keys(SAMPLE_PSEUDO), 'AWS::NotificationARNs', 'AWS::NoValue']);
const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::If', 'Fn::Select', 'Fn::Split', 'Fn::GetAZs', 'Fn::ImportValue', 'Fn::FindInMap', 'Fn::Base64', 'Fn::Cidr', 'Fn::Length', 'Fn::ToJsonString', 'Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition']);
const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'date-time']);

type Kind = 'scalar' | 'list' | 'absent' | 'unknown';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The intrinsic function an object is, if it is one: a single key `Ref`, `Condition` or `Fn::…`. */
function intrinsic(value: unknown): [string, unknown] | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::')) ? [keys[0]!, value[keys[0]!]] : undefined;
}

const describe = (value: unknown) => (Array.isArray(value) ? 'a list' : isObject(value) ? 'an object' : JSON.stringify(value));

function typeName(type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return `list of ${typeName(type.element)}`;
    case 'map':
      return `map of ${typeName(type.element)}`;
    case 'union':
      return type.types.map(typeName).join(' | ');
    case 'ref':
      return typeDefinition(type).name;
    default:
      return type.type;
  }
}

export function checkTemplate(template: CfnTemplate): SchemaReport {
  return new TemplateChecker(template).run();
}

class TemplateChecker {
  private readonly report: SchemaReport = { resources: 0, properties: 0, getAtts: 0, arns: 0, limits: 0, findings: [] };

  constructor(private readonly template: CfnTemplate) {}

  run(): SchemaReport {
    const resources = Object.entries(this.template.Resources);
    if (resources.length > MAX_RESOURCES) this.find('Resources', `${resources.length} resources, CloudFormation allows ${MAX_RESOURCES}`);
    for (const [id, resource] of resources) this.resource(id, resource);
    this.references(this.template.Resources, 'Resources');
    if (this.template.Outputs) this.references(this.template.Outputs, 'Outputs');
    return this.report;
  }

  private find(path: string, problem: string) {
    this.report.findings.push(`${path}: ${problem}`);
  }

  private resource(id: string, resource: CfnResource) {
    const at = `Resources.${id}`;
    if (!LOGICAL_ID.pattern.test(id)) this.find(at, `not a valid logical id (${LOGICAL_ID.doc})`);
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) this.find(at, `unknown resource attribute '${key}'`);
    if (resource.DeletionPolicy !== undefined && !DELETION_POLICIES.includes(String(resource.DeletionPolicy))) this.find(`${at}.DeletionPolicy`, `${describe(resource.DeletionPolicy)} is not one of ${DELETION_POLICIES.join(', ')}`);
    if (resource.UpdateReplacePolicy !== undefined && !UPDATE_REPLACE_POLICIES.includes(String(resource.UpdateReplacePolicy))) {
      this.find(`${at}.UpdateReplacePolicy`, `${describe(resource.UpdateReplacePolicy)} is not one of ${UPDATE_REPLACE_POLICIES.join(', ')}`);
    }
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!(String(dependency) in this.template.Resources)) this.find(`${at}.DependsOn`, `no resource '${String(dependency)}'`);
    }
    if (resource.Condition !== undefined && !(String(resource.Condition) in (this.template.Conditions ?? {}))) this.find(`${at}.Condition`, `no condition '${String(resource.Condition)}'`);

    this.report.resources++;
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') return;
    const model = resourceModel(resource.Type);
    if (!model) {
      this.find(at, `CloudFormation has no resource type '${resource.Type}'`);
      return;
    }
    this.properties(`${at}.Properties`, resource.Properties ?? {}, model.properties, resource.Type);
  }

  /** An object of named properties: a resource's Properties or a nested type's value. */
  private properties(path: string, value: unknown, model: Resource['properties'], owner: string) {
    if (intrinsic(value)?.[0] === 'Fn::If') return this.branches(path, value, (p, branch) => this.properties(p, branch, model, owner));
    if (!isObject(value)) return this.find(path, `expected an object (${owner}), got ${describe(value)}`);
    const known = Object.keys(model);
    for (const [key, property] of Object.entries(value)) {
      const spec = model[key];
      if (!spec) {
        const suggestion = didYouMean(key, known);
        this.find(`${path}.${key}`, `${owner} has no property '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
        continue;
      }
      this.report.properties++;
      this.value(`${path}.${key}`, property, spec.type, `${owner}.${key}`);
    }
    for (const [key, spec] of Object.entries(model)) {
      const given = value[key];
      if (spec.required && (given === undefined || intrinsic(given)?.[1] === 'AWS::NoValue')) this.find(`${path}.${key}`, `required by ${owner}, missing`);
    }
  }

  /** Each branch of an Fn::If, AWS::NoValue ones left out. */
  private branches(path: string, value: unknown, check: (path: string, branch: unknown) => void) {
    const arg = intrinsic(value)![1];
    if (!Array.isArray(arg) || arg.length !== 3) return this.find(path, 'Fn::If takes [condition, value if true, value if false]');
    if (!(String(arg[0]) in (this.template.Conditions ?? {}))) this.find(path, `Fn::If names no condition '${String(arg[0])}'`);
    arg.slice(1).forEach((branch, i) => {
      if (intrinsic(branch)?.[1] !== 'AWS::NoValue') check(`${path}[Fn::If ${i ? 'false' : 'true'}]`, branch);
    });
  }

  private value(path: string, value: unknown, type: PropertyType, owner: string) {
    const fn = intrinsic(value);
    if (fn) return this.intrinsicValue(path, value, fn, type, owner);
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return this.find(path, `expected a string, got ${describe(value)}`);
        if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) return this.find(path, `${describe(value)} is not one of ${type.allowedValues.join(', ')}`);
        return this.limit(path, value, owner);
      case 'number':
        if (!(typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))))) this.find(path, `expected a number, got ${describe(value)}`);
        return;
      case 'integer':
        if (!(Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)))) return this.find(path, `expected an integer, got ${describe(value)}`);
        if (type.allowedValues && !type.allowedValues.includes(Number(value))) this.find(path, `${describe(value)} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'boolean':
        if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) this.find(path, `expected a boolean, got ${describe(value)}`);
        return;
      case 'json':
        return;
      case 'null':
        if (value !== null) this.find(path, `expected null, got ${describe(value)}`);
        return;
      case 'tag':
        return this.properties(path, value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, 'Tag');
      case 'array':
        if (!Array.isArray(value)) return this.find(path, `expected a list (${typeName(type)}), got ${describe(value)}`);
        value.forEach((element, i) => this.value(`${path}.${i}`, element, type.element, owner));
        return;
      case 'map':
        if (!isObject(value)) return this.find(path, `expected a map (${typeName(type)}), got ${describe(value)}`);
        for (const [key, element] of Object.entries(value)) this.value(`${path}.${key}`, element, type.element, owner);
        return;
      case 'ref': {
        const definition = typeDefinition(type);
        return this.properties(path, value, definition.properties, `${owner.split('.')[0]}.${definition.name}`);
      }
      case 'union':
        return this.union(path, value, type.types, owner);
    }
  }

  /** A value of one of several types: fine when one of them takes it without a finding. */
  private union(path: string, value: unknown, types: PropertyType[], owner: string) {
    let closest: SchemaReport | undefined;
    for (const member of types) {
      const trial = new TemplateChecker(this.template);
      trial.value(path, value, member, owner);
      if (!trial.report.findings.length) return this.absorb(trial.report, []);
      if (!closest || trial.report.findings.length < closest.findings.length) closest = trial.report;
    }
    this.find(path, `${describe(value)} is none of ${types.map(typeName).join(' | ')}`);
    this.absorb(closest!, closest!.findings);
  }

  private absorb(trial: SchemaReport, findings: string[]) {
    this.report.properties += trial.properties;
    this.report.limits += trial.limits;
    this.report.findings.push(...findings);
  }

  /** A documented limit on a literal value (cfn-limits.ts). */
  private limit(path: string, value: string | number | boolean, owner: string) {
    const limit = DOCUMENTED_LIMITS[owner];
    if (!limit) return;
    this.report.limits++;
    const problem = limitProblem(String(value), limit);
    if (problem) this.find(path, problem);
  }

  /** An intrinsic function where a value of `type` is expected: what it gives must fit. */
  private intrinsicValue(path: string, value: unknown, [fn, arg]: [string, unknown], type: PropertyType, owner: string) {
    if (fn === 'Fn::If') return this.branches(path, value, (p, branch) => this.value(p, branch, type, owner));
    const gives = this.kindOf(fn, arg);
    if (gives === 'absent' || gives === 'unknown' || type.type === 'json') return;
    const fits = (t: PropertyType): boolean =>
      t.type === 'json' || (t.type === 'union' ? t.types.some(fits) : gives === 'scalar' ? SCALARS.has(t.type) : t.type === 'array');
    if (!fits(type)) this.find(path, `${fn} gives ${gives === 'scalar' ? 'a string' : 'a list'} where ${typeName(type)} is expected`);
  }

  /** What an intrinsic function gives: a string, a list, nothing (AWS::NoValue), or unknown. */
  private kindOf(fn: string, arg: unknown): Kind {
    if (fn === 'Ref') {
      if (arg === 'AWS::NoValue') return 'absent';
      if (arg === 'AWS::NotificationARNs') return 'list';
      const parameter = this.template.Parameters?.[String(arg)];
      return parameter?.Type?.startsWith('List<') || parameter?.Type === 'CommaDelimitedList' ? 'list' : 'scalar';
    }
    if (fn === 'Fn::GetAtt') {
      const [target, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/);
      const type = resourceModel(this.template.Resources[target!]?.Type ?? '')?.attributes[attribute!]?.type;
      return type === undefined ? 'unknown' : type.type === 'array' ? 'list' : 'scalar';
    }
    return ['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr'].includes(fn) ? 'list' : 'scalar';
  }

  /** Every Ref, Fn::GetAtt and Fn::Sub names something that exists; every ARN written follows its format. */
  private references(value: unknown, path: string) {
    if (Array.isArray(value)) return value.forEach((v, i) => this.references(v, `${path}.${i}`));
    if (typeof value === 'string') return this.arn(path, value);
    if (!isObject(value)) return;
    const fn = intrinsic(value);
    if (fn) {
      const [name, arg] = fn;
      if (!INTRINSICS.has(name)) this.find(path, `unknown intrinsic function '${name}'`);
      if (name === 'Ref') this.ref(path, String(arg));
      if (name === 'Fn::GetAtt') {
        const [target, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/);
        this.getAtt(path, target!, attribute ?? '');
      }
      if (name === 'Fn::Sub') this.sub(path, arg);
      if (name === 'Fn::Join') return this.join(path, value, arg);
      // The Sub's own text is checked above; its variables and the other arguments are walked.
      const inner = name === 'Fn::Sub' ? (Array.isArray(arg) ? arg[1] : undefined) : arg;
      if (name !== 'Ref' && name !== 'Fn::GetAtt') this.references(inner, `${path}.${name}`);
      return;
    }
    for (const [key, v] of Object.entries(value)) this.references(v, `${path}.${key}`);
  }

  /** An ARN may be joined from parts (`arn:`, the partition, …): it is checked whole, its literal parts are not ARNs. */
  private join(path: string, value: unknown, arg: unknown) {
    if (!(Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string')) return this.find(path, 'Fn::Join takes [delimiter, list]');
    const joined = sampleValue(this.template.Resources, value);
    if (joined?.startsWith('arn:')) this.arn(path, joined);
    const parts = arg[1];
    if (Array.isArray(parts)) parts.forEach((part, i) => typeof part !== 'string' && this.references(part, `${path}.Fn::Join.${i}`));
    else this.references(parts, `${path}.Fn::Join`);
  }

  private ref(path: string, target: string) {
    if (!(target in this.template.Resources || PSEUDO.has(target) || target in (this.template.Parameters ?? {}))) this.find(path, `Ref names nothing: no resource, parameter or pseudo parameter '${target}'`);
  }

  private getAtt(path: string, target: string, attribute: string) {
    this.report.getAtts++;
    const resource = this.template.Resources[target];
    if (!resource) return this.find(path, `Fn::GetAtt names no resource '${target}'`);
    const model = resourceModel(resource.Type);
    // A custom resource has whatever attributes it returns; an unknown type is reported once, where it is declared.
    if (!model) return;
    const attributes = Object.keys(model.attributes);
    if (!attributes.includes(attribute)) {
      const suggestion = didYouMean(attribute, attributes);
      this.find(path, `${resource.Type} has no attribute '${attribute}' for Fn::GetAtt (it has ${attributes.join(', ') || 'none'})${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
    }
  }

  private sub(path: string, arg: unknown) {
    const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [arg, {}];
    if (typeof text !== 'string' || !isObject(variables)) return this.find(path, 'Fn::Sub takes a string or [string, variables]');
    for (const [, literal, name] of text.matchAll(/\$\{(!?)([^}]+)\}/g)) {
      if (literal || name! in variables) continue;
      const [target, attribute] = name!.split(/\.(.*)/);
      if (attribute) this.getAtt(`${path}.Fn::Sub \${${name}}`, target!, attribute);
      else this.ref(`${path}.Fn::Sub \${${name}}`, target!);
    }
    if (text.startsWith('arn:')) this.arn(path, sampleSub(this.template.Resources, arg));
  }

  private arn(path: string, value: string) {
    if (!value.startsWith('arn:')) return;
    this.report.arns++;
    const problem = arnProblem(value);
    if (problem) this.find(path, problem);
  }
}
