import { modelArnFormats } from './cfn-model.ts';

/**
 * Whether an ARN the template builds follows its service's ARN format: the model's `arnTemplate`s,
 * plus the formats of resource types the model gives none for, each from the Service Authorization
 * Reference ("Resource types defined by …" of that service). An ARN in an IAM policy may hold the
 * wildcards `*` and `?`: it passes when some ARN it matches has the format.
 */
const DOCUMENTED_ARN_FORMATS: Record<string, string[]> = {
  // Amazon EventBridge Scheduler: schedule (AWS::Scheduler::Schedule carries no arnTemplate).
  scheduler: ['arn:${Partition}:scheduler:${Region}:${Account}:schedule/${GroupName}/${ScheduleName}'],
  // Elastic Load Balancing V2: targetgroup, loadbalancer/app, loadbalancer/net.
  elasticloadbalancing: [
    'arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/${TargetGroupName}/${TargetGroupId}',
    'arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/app/${LoadBalancerName}/${LoadBalancerId}',
    'arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/net/${LoadBalancerName}/${LoadBalancerId}',
  ],
  // Amazon EC2 Auto Scaling: autoScalingGroup.
  autoscaling: ['arn:${Partition}:autoscaling:${Region}:${Account}:autoScalingGroup:${GroupId}:autoScalingGroupName/${GroupFriendlyName}'],
  // Amazon CloudWatch Logs: log-stream.
  logs: ['arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}'],
  // AWS Lambda: function alias and function version (a qualified function ARN).
  lambda: ['arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Qualifier}'],
  // Amazon EventBridge: rule on a custom event bus.
  events: ['arn:${Partition}:events:${Region}:${Account}:rule/${EventBusName}/${RuleName}'],
  // AWS Step Functions: execution.
  states: ['arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}'],
};

let formats: Map<string, string[]> | undefined;

/** Every known ARN format of one service prefix. */
export function arnFormats(service: string): string[] {
  formats ??= modelArnFormats();
  return [...(formats.get(service) ?? []), ...(DOCUMENTED_ARN_FORMATS[service] ?? [])];
}

type Atom = { literal: string } | { chars: RegExp; more: boolean };

/** What each variable of a format may hold: a name never spans the `:` that separates an ARN's fields. */
const VARIABLE_CHARS: Record<string, RegExp> = {
  Partition: /[a-z-]/,
  Region: /[a-z0-9-]/,
  Account: /[0-9]/,
};
const NAME_CHARS = /[^:\s]/;

function atoms(format: string): Atom[] {
  const out: Atom[] = [];
  for (const part of format.split(/(\$\{\w+\})/)) {
    const variable = /^\$\{(\w+)\}$/.exec(part)?.[1];
    if (variable) {
      const chars = VARIABLE_CHARS[variable] ?? NAME_CHARS;
      // One character or more.
      out.push({ chars, more: false }, { chars, more: true });
    } else {
      for (const literal of part) out.push({ literal });
    }
  }
  return out;
}

/** Whether `arn` (where `*` stands for any run of characters and `?` for one) can be an ARN of `format`. */
export function matchesArnFormat(arn: string, format: string): boolean {
  const pattern = atoms(format);
  const memo = new Map<number, boolean>();
  const from = (i: number, j: number): boolean => {
    const key = i * (pattern.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const atom = pattern[j];
    if (i === arn.length) result = pattern.slice(j).every((a) => 'more' in a && a.more);
    else if (arn[i] === '*') result = from(i + 1, j) || (atom !== undefined && from(i, j + 1));
    else if (atom === undefined) result = false;
    else if ('literal' in atom) result = (arn[i] === atom.literal || arn[i] === '?') && from(i + 1, j + 1);
    else {
      const fits = arn[i] === '?' || atom.chars.test(arn[i]!);
      result = atom.more ? from(i, j + 1) || (fits && from(i + 1, j)) : fits && from(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return from(0, 0);
}

/** What is wrong with an ARN, or undefined when it follows one of its service's formats. */
export function arnProblem(arn: string): string | undefined {
  const service = arn.split(':')[2] ?? '';
  const known = arnFormats(service);
  if (!known.length) return `no ARN format is known for service '${service}' (add it from the Service Authorization Reference)`;
  if (known.some((format) => matchesArnFormat(arn, format))) return undefined;
  return `${arn} follows none of the ARN formats of '${service}': ${known.join(', ')}`;
}
