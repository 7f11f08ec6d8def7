import type { z } from 'zod';
import { didYouMean } from './suggest.ts';

/**
 * The one way Lifeguard words a zod issue, for every input it validates: the configuration and
 * scenarios (YAML), EventBridge events and dead letters (JSON), state machine inputs and the CLI.
 * Each line is `path: what is wrong (got …)`.
 */

type Segment = PropertyKey;

/**
 * `dr.clusters.0.probe.address`, `detail.affectedEntities.1.entityValue`; `(root)` for the document
 * itself. Dots only, as the configuration's own messages and docs/scenarios.md write a path.
 */
export const issuePath = (path: readonly Segment[]): string => (path.length ? path.map(String).join('.') : '(root)');

/** `outer` then `inner`, both written by issuePath. */
export function joinPaths(outer: string, inner: string | undefined): string {
  const root = issuePath([]);
  if (!inner || inner === root) return outer;
  return outer === root ? inner : `${outer}.${inner}`;
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * A short rendering of what the input held. "an object" and "a list" are the words readers of both
 * YAML and JSON know (JSON, JSON Schema and the Kubernetes API say "object"; YAML's "mapping" is
 * the spec's word, not the one people use).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const noun = (origin: string, n: number | bigint) =>
  origin === 'string' ? `${n} character(s)` : origin === 'array' || origin === 'set' ? `${n} item(s)` : String(n);

/**
 * The message a schema gave for this check (`.never({ error: 'replaced by …' })`, `.min(2, 'at
 * least 2: …')`), or undefined when it gave none: zod's own English messages all start like
 * these, and read as zod speaks ("Invalid input: expected int, received string").
 */
function schemaMessage(issue: z.core.$ZodIssue): string | undefined {
  return /^(Invalid|Too (big|small)|Unrecognized key)/.test(issue.message) ? undefined : issue.message;
}

/** zod's type names, in the words of describeValue. */
const TYPE_WORDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  map: 'an object',
  array: 'a list',
  set: 'a list',
  tuple: 'a list',
  null: 'null',
  never: 'no value (remove the field)',
};

const typeWords = (expected: string) => TYPE_WORDS[expected] ?? `${/^[aeiou]/i.test(expected) ? 'an' : 'a'} ${expected}`;

/** What is wrong, without zod's own "received …" tail (the caller says what came). */
export function whatIsWrong(issue: z.core.$ZodIssue): string {
  // What the schema says about its own field is the most useful thing to show.
  const own = schemaMessage(issue);
  if (own !== undefined) return own;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeWords(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `expected at least ${noun(issue.origin, issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'too_big':
      return `expected at most ${noun(issue.origin, issue.maximum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'invalid_format':
      return `expected ${issue.format}`;
    default:
      return issue.message;
  }
}

/** The slice of zod's schema definitions needed to walk a schema down a path. */
interface SchemaDef {
  type: string;
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
}

/** The field names the schema allows at `path`, to suggest one for a misspelt field. */
export function knownFields(schema: z.ZodType, path: readonly Segment[]): string[] {
  let def: SchemaDef | undefined = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = () => {
    // Optional, default, prefault, nullable and readonly wrap a schema; a pipe reads its input side.
    while (def && (def.innerType || (def.type === 'pipe' && def.in))) def = (def.innerType ?? def.in)!._zod.def;
  };
  for (const segment of path) {
    unwrap();
    const next: { _zod: { def: SchemaDef } } | undefined =
      def?.type === 'object' ? def.shape?.[String(segment)] : def?.type === 'array' ? def.element : def?.type === 'record' ? def.valueType : undefined;
    def = next?._zod.def;
  }
  unwrap();
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

export interface IssueContext {
  /** The input that was validated, so a line can say what it held; leave it out to say nothing. */
  value?: unknown;
  /** The schema, so an unknown field gets a suggestion. */
  schema?: z.ZodType;
  /** Where the validated input sits in a larger document: prefixed to every path. */
  at?: readonly Segment[];
}

/** One problem: its path, as written by issuePath, and its line. */
export interface IssueLine {
  path: string;
  line: string;
}

/** One entry per problem (an unknown-fields issue gives one per field), in zod's order. */
export function describeIssues(error: z.ZodError, context: IssueContext = {}): IssueLine[] {
  const at = context.at ?? [];
  const out: IssueLine[] = [];
  for (const issue of error.issues) {
    const path = issuePath([...at, ...issue.path]);
    if (issue.code === 'unrecognized_keys') {
      // The path is the object that holds the unknown key, so a parent-level check still finds it.
      for (const key of issue.keys) {
        const suggestion = context.schema ? didYouMean(key, knownFields(context.schema, issue.path)) : undefined;
        out.push({ path, line: `${path}: unknown field ${JSON.stringify(key)} (${suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : 'check its spelling and place'})` });
      }
      continue;
    }
    const value = valueAt(context.value, issue.path);
    // A refinement over a whole object judges several fields: "got an object" would say nothing.
    const wholeObject = issue.code === 'custom' && typeof value === 'object' && value !== null;
    const got = !('value' in context) || wholeObject ? '' : ` (got ${describeValue(value)})`;
    out.push({ path, line: `${path}: ${whatIsWrong(issue)}${got}` });
  }
  return out;
}

/** Every problem on one line, `; ` between them: for a message that is one line. */
export const issuesInline = (error: z.ZodError, context?: IssueContext): string =>
  describeIssues(error, context)
    .map((i) => i.line)
    .join('; ');

/**
 * One line per problem, each `  - path: what is wrong (got …)`. `raw` is the document that was
 * validated, so each line can say what it held; `schema` lets an unknown field get a suggestion.
 */
export function formatIssues(error: z.ZodError, raw?: unknown, schema?: z.ZodType): string {
  const context: IssueContext = { ...(raw === undefined ? {} : { value: raw }), ...(schema ? { schema } : {}) };
  return describeIssues(error, context)
    .map((i) => `  - ${i.line}`)
    .join('\n');
}
