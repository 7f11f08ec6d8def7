import type { z } from 'zod';
import { didYouMean } from '../util/suggest.ts';

type Segment = PropertyKey;

/** `dr.clusters.0.probe.address`; `(root)` for the document itself. */
export const issuePath = (path: readonly Segment[]) => (path.length ? path.map(String).join('.') : '(root)');

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A short rendering of what the user wrote. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
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

/** zod's type names, as a YAML or JSON reader calls what they stand for. */
const TYPE_WORDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  set: 'a list',
  tuple: 'a list',
  null: 'null',
  never: 'no value (remove the field)',
};

const typeWords = (expected: string) => TYPE_WORDS[expected] ?? `${/^[aeiou]/i.test(expected) ? 'an' : 'a'} ${expected}`;

/** What is wrong, in words of the file (YAML/JSON), without zod's own "received …" tail. */
function whatIsWrong(issue: z.core.$ZodIssue): string {
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

/**
 * One line per problem, each `path: what is wrong (got …)`. `raw` is the document that was
 * validated, so each line can say what it held; `schema` lets an unknown field get a suggestion.
 */
export function formatIssues(error: z.ZodError, raw?: unknown, schema?: z.ZodType): string {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // The path is the mapping that holds the unknown key, so a parent-level check still finds it.
      for (const key of issue.keys) {
        const suggestion = schema ? didYouMean(key, knownFields(schema, issue.path)) : undefined;
        lines.push(`  - ${issuePath(issue.path)}: unknown field ${JSON.stringify(key)} (${suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : 'check its spelling and place'})`);
      }
      continue;
    }
    // A refinement over a whole object judges several fields: "got a mapping" would say nothing.
    const got = raw === undefined || issue.code === 'custom' ? '' : ` (got ${describeValue(valueAt(raw, issue.path))})`;
    lines.push(`  - ${issuePath(issue.path)}: ${whatIsWrong(issue)}${got}`);
  }
  return lines.join('\n');
}
