/**
 * Validates an event pattern the way PutRule does and compiles it into the tree the matcher runs.
 * Every rejection names the JSON path of the offending part of the pattern.
 */
import { InvalidPatternError, formatPath } from './errors.ts';
import type { PathSegment } from './errors.ts';
import { parseCidr } from './ip.ts';
import type {
  Condition,
  EventPattern,
  LeafField,
  NumericBound,
  ObjectField,
  PatternNode,
  ValueTest,
} from './types.ts';
import { parseWildcard } from './wildcard.ts';
import { errorMessage } from '../../../lib/util/errors.ts';

const OR = '$or';

/** The comparison operators EventBridge documents; also the names a `$or` branch may not use as fields. */
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
] as const;
const OPERATOR_NAMES: ReadonlySet<string> = new Set(OPERATORS);

/** What `anything-but` accepts as an object: these four, each with one string or a list of them. */
const ANYTHING_BUT_OPERATORS: ReadonlySet<string> = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

export interface CompiledPattern {
  readonly pattern: EventPattern;
  readonly root: PatternNode;
}

/** Accepts the pattern as a JSON object or as its JSON text (CloudFormation allows both). */
export function compilePattern(raw: unknown): CompiledPattern {
  let pattern = raw;
  if (typeof raw === 'string') {
    try {
      pattern = JSON.parse(raw) as unknown;
    } catch (error) {
      fail([], `pattern text is not valid JSON (${errorMessage(error)})`);
    }
  }
  if (!isPlainObject(pattern)) fail([], `a pattern must be a JSON object, got ${describe(pattern)}`);
  const root = compileObject(pattern, [], [], false);
  return { pattern: pattern as EventPattern, root };
}

function compileObject(
  value: Record<string, unknown>,
  path: PathSegment[],
  eventPath: string[],
  insideOr: boolean,
): PatternNode {
  const entries = Object.entries(value);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');
  const fields: (LeafField | ObjectField)[] = [];
  const anyOf: PatternNode[][] = [];
  for (const [key, child] of entries) {
    const childPath = [...path, key];
    if (key === OR) {
      anyOf.push(compileOr(child, childPath, eventPath));
      continue;
    }
    if (insideOr && OPERATOR_NAMES.has(key)) {
      fail(childPath, `"${key}" is an operator name and cannot be a field name inside $or`);
    }
    if (Array.isArray(child)) {
      fields.push({ kind: 'leaf', key, eventPath: [...eventPath, key], conditions: compileLeaf(child, childPath) });
    } else if (isPlainObject(child)) {
      fields.push({ kind: 'object', key, node: compileObject(child, childPath, [...eventPath, key], insideOr) });
    } else {
      fail(childPath, `must be an array of values or an object, got ${describe(child)}`);
    }
  }
  return { fields, anyOf };
}

function compileOr(value: unknown, path: PathSegment[], eventPath: string[]): PatternNode[] {
  if (!Array.isArray(value)) fail(path, `$or must be an array of at least 2 objects, got ${describe(value)}`);
  if (value.length < 2) fail(path, `$or must hold at least 2 objects, got ${value.length}`);
  return value.map((branch, index) => {
    const branchPath = [...path, index];
    if (!isPlainObject(branch)) fail(branchPath, `each $or branch must be an object, got ${describe(branch)}`);
    return compileObject(branch, branchPath, eventPath, true);
  });
}

function compileLeaf(values: readonly unknown[], path: PathSegment[]): Condition[] {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  return values.map((value, index) => {
    const valuePath = [...path, index];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return { kind: 'exact', value };
    if (typeof value === 'number') return { kind: 'exact', value: finite(value, valuePath) };
    if (isPlainObject(value)) return compileOperator(value, valuePath);
    return fail(valuePath, `expected a string, number, boolean, null or an operator object, got ${describe(value)}`);
  });
}

function compileOperator(value: Record<string, unknown>, path: PathSegment[]): Condition {
  const [operator, ...others] = Object.keys(value);
  if (operator === undefined) fail(path, 'an operator object must hold one operator, got {}');
  if (others.length > 0) {
    fail(path, `an operator object holds exactly one operator, got ${[operator, ...others].join(', ')}`);
  }
  const argPath = [...path, operator];
  const arg = value[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof arg === 'string') return { kind: operator, value: arg, ignoreCase: false };
      if (isPlainObject(arg) && Object.keys(arg).length === 1 && 'equals-ignore-case' in arg) {
        return { kind: operator, value: string(arg['equals-ignore-case'], [...argPath, 'equals-ignore-case']), ignoreCase: true };
      }
      return fail(argPath, `expected a string or { "equals-ignore-case": string }, got ${describe(arg)}`);
    }
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: string(arg, argPath) };
    case 'wildcard':
      return { kind: 'wildcard', glob: wildcard(arg, argPath) };
    case 'numeric':
      return compileNumeric(arg, argPath);
    case 'cidr': {
      const range = parseCidr(string(arg, argPath));
      if (typeof range === 'string') fail(argPath, range);
      return { kind: 'cidr', range };
    }
    case 'exists':
      if (typeof arg !== 'boolean') fail(argPath, `expected true or false, got ${describe(arg)}`);
      return { kind: 'exists', exists: arg };
    case 'anything-but':
      return { kind: 'anything-but', excluded: compileAnythingBut(arg, argPath) };
    default:
      return fail(argPath, `unknown operator "${operator}"; expected one of ${OPERATORS.join(', ')}`);
  }
}

function compileAnythingBut(arg: unknown, path: PathSegment[]): ValueTest[] {
  if (typeof arg === 'string') return [{ kind: 'exact', value: arg }];
  if (typeof arg === 'number') return [{ kind: 'exact', value: finite(arg, path) }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) fail(path, 'empty arrays are not allowed');
    const kind = typeof arg[0];
    return arg.map((item, index) => {
      const itemPath = [...path, index];
      if ((typeof item !== 'string' && typeof item !== 'number') || typeof item !== kind) {
        fail(itemPath, `an anything-but list holds only strings or only numbers, got ${describe(item)}`);
      }
      return { kind: 'exact', value: typeof item === 'number' ? finite(item, itemPath) : item };
    });
  }
  if (isPlainObject(arg)) {
    const [operator, ...others] = Object.keys(arg);
    if (operator === undefined || others.length > 0 || !ANYTHING_BUT_OPERATORS.has(operator)) {
      const got = operator === undefined ? '{}' : [operator, ...others].join(', ');
      fail(path, `anything-but takes one of ${[...ANYTHING_BUT_OPERATORS].join(', ')}, got ${got}`);
    }
    const argPath = [...path, operator];
    const raw = arg[operator];
    const items = Array.isArray(raw) ? raw : [raw];
    if (items.length === 0) fail(argPath, 'empty arrays are not allowed');
    return items.map((item, index) => {
      const itemPath = Array.isArray(raw) ? [...argPath, index] : argPath;
      const text = string(item, itemPath);
      switch (operator) {
        case 'prefix':
        case 'suffix':
          if (text === '') fail(itemPath, `an anything-but ${operator} must not be empty`);
          return { kind: operator, value: text, ignoreCase: false };
        case 'equals-ignore-case':
          return { kind: 'equals-ignore-case', value: text };
        default:
          return { kind: 'wildcard', glob: wildcard(text, itemPath) };
      }
    });
  }
  return fail(path, `expected a string, a number, a list of strings or numbers, or an operator object, got ${describe(arg)}`);
}

const LOWER_OPERATORS: Readonly<Record<string, boolean>> = { '>': false, '>=': true };
const UPPER_OPERATORS: Readonly<Record<string, boolean>> = { '<': false, '<=': true };

/** `[op, n]` or `[">"|">=", n, "<"|"<=", m]` with n < m; `=` stands alone. */
function compileNumeric(arg: unknown, path: PathSegment[]): Condition {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    fail(path, `expected [operator, number] or [">" or ">=", number, "<" or "<=", number], got ${describe(arg)}`);
  }
  const operator: unknown = arg[0];
  const value = numericValue(arg[1], [...path, 1]);
  if (operator === '=') {
    if (arg.length !== 2) fail([...path, 2], '"=" cannot be combined with another comparison');
    return { kind: 'numeric', lower: { value, inclusive: true }, upper: { value, inclusive: true } };
  }
  if (typeof operator === 'string' && operator in UPPER_OPERATORS) {
    if (arg.length !== 2) fail([...path, 2], `an upper bound ("${operator}") must come last`);
    return { kind: 'numeric', upper: { value, inclusive: UPPER_OPERATORS[operator] === true } };
  }
  if (typeof operator !== 'string' || !(operator in LOWER_OPERATORS)) {
    fail([...path, 0], `unknown numeric operator ${describe(operator)}; expected =, <, <=, > or >=`);
  }
  const lower: NumericBound = { value, inclusive: LOWER_OPERATORS[operator] === true };
  if (arg.length === 2) return { kind: 'numeric', lower };
  const upperOperator: unknown = arg[2];
  if (typeof upperOperator !== 'string' || !(upperOperator in UPPER_OPERATORS)) {
    fail([...path, 2], `the second comparison must be "<" or "<=", got ${describe(upperOperator)}`);
  }
  const upper: NumericBound = { value: numericValue(arg[3], [...path, 3]), inclusive: UPPER_OPERATORS[upperOperator] === true };
  if (!(lower.value < upper.value)) {
    fail(path, `the lower bound (${lower.value}) must be less than the upper bound (${upper.value})`);
  }
  return { kind: 'numeric', lower, upper };
}

function numericValue(value: unknown, path: PathSegment[]): number {
  if (typeof value !== 'number') fail(path, `expected a number, got ${describe(value)}`);
  return finite(value, path);
}

function finite(value: number, path: PathSegment[]): number {
  if (!Number.isFinite(value)) fail(path, `expected a finite number, got ${String(value)}`);
  return value;
}

function string(value: unknown, path: PathSegment[]): string {
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
  return value;
}

function wildcard(value: unknown, path: PathSegment[]) {
  const glob = parseWildcard(string(value, path));
  if (typeof glob === 'string') fail(path, glob);
  return glob;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fail(path: readonly PathSegment[], problem: string): never {
  throw new InvalidPatternError(formatPath(path), problem);
}
