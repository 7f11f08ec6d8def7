import { resourceModel } from './cfn-model.ts';

/**
 * What CloudFormation would substitute, with sample values: the pseudo parameters of a stack in
 * us-east-1, a resource's name for its Ref, and for its Arn the model's ARN format filled with that
 * name. Enough to read an ARN or a state machine definition as AWS will see it.
 */

interface Resources {
  [id: string]: { Type: string; Properties?: Record<string, unknown> };
}

export const SAMPLE_PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'lifeguard-dev',
  'AWS::StackId': 'arn:aws:cloudformation:us-east-1:123456789012:stack/lifeguard-dev/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
};

/** The resource's own name when the template gives one (FunctionName, QueueName, Name, …), else its logical id. */
function nameOf(resources: Resources, id: string): string {
  const properties = resources[id]?.Properties ?? {};
  const named = Object.entries(properties).find(([key, value]) => /Name$/.test(key) && typeof value === 'string');
  return (named?.[1] as string | undefined) ?? id.toLowerCase();
}

/** A sample value of `Ref` or `Fn::GetAtt` on a resource, or of a pseudo parameter. */
export function sampleOf(resources: Resources, target: string, attribute?: string): string {
  if (attribute === undefined && target in SAMPLE_PSEUDO) return SAMPLE_PSEUDO[target]!;
  const resource = resources[target];
  if (!resource) return target;
  if (attribute !== 'Arn') return nameOf(resources, target);
  const format = resourceModel(resource.Type)?.arnTemplate ?? `arn:\${Partition}:unknown:\${Region}:\${Account}:\${Name}`;
  return format.replace(/\$\{(\w+)\}/g, (_, variable: string) =>
    variable === 'Partition' ? SAMPLE_PSEUDO['AWS::Partition']! : variable === 'Region' ? SAMPLE_PSEUDO['AWS::Region']! : variable === 'Account' ? SAMPLE_PSEUDO['AWS::AccountId']! : nameOf(resources, target),
  );
}

/** A sample value of any intrinsic that gives a string (Ref, Fn::GetAtt, Fn::Sub, Fn::Join), else undefined. */
export function sampleValue(resources: Resources, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const [fn, arg] = Object.entries(value)[0] ?? [];
  if (fn === 'Ref' && typeof arg === 'string') return sampleOf(resources, arg);
  if (fn === 'Fn::GetAtt') {
    const [target, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
    return sampleOf(resources, String(target), String(attribute));
  }
  if (fn === 'Fn::Sub') return sampleSub(resources, arg);
  if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
    const parts = arg[1].map((part) => sampleValue(resources, part));
    return parts.every((p) => p !== undefined) ? parts.join(String(arg[0])) : undefined;
  }
  return undefined;
}

/** Fn::Sub, in its string or [string, variables] form, with every `${…}` replaced by a sample value. */
export function sampleSub(resources: Resources, sub: unknown): string {
  const [text, variables] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, unknown>] : [String(sub), {}];
  return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    if (name in variables) return sampleValue(resources, variables[name]) ?? name;
    const [target, attribute] = name.split(/\.(.*)/);
    return sampleOf(resources, target!, attribute || undefined) ?? whole;
  });
}

/** A state machine's definition as Step Functions will receive it: its DefinitionString substituted and parsed. */
export function substitutedDefinition(resources: Resources, stateMachineId: string): Record<string, unknown> {
  const definition = resources[stateMachineId]?.Properties?.DefinitionString;
  if (definition === undefined) throw new Error(`${stateMachineId} has no DefinitionString`);
  const text = typeof definition === 'string' ? definition : sampleSub(resources, (definition as { 'Fn::Sub': unknown })['Fn::Sub']);
  return JSON.parse(text) as Record<string, unknown>;
}
