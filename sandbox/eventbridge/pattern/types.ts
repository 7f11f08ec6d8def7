/**
 * Event pattern shapes: what a rule author writes (EventPattern) and what the matcher runs on once
 * a pattern has been validated (the compiled tree).
 */

export type JsonPrimitive = string | number | boolean | null;

/** One comparison object inside a field's array, e.g. `{ "prefix": "us-" }`. Validated by key. */
export type PatternOperator = { readonly [operator: string]: unknown };

/** An alternative for a leaf field: a literal JSON value or one comparison operator. */
export type PatternValue = JsonPrimitive | PatternOperator;

/**
 * An EventBridge event pattern: a JSON object whose leaves are non-empty arrays of alternatives
 * and whose objects descend into the event. `$or` holds an array of sub-patterns.
 */
export type EventPattern = {
  readonly [field: string]: readonly PatternValue[] | readonly EventPattern[] | EventPattern;
};

/** A numeric bound; `inclusive` distinguishes `>=`/`<=` from `>`/`<`. */
export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** A parsed IPv4 or IPv6 address range (both ends inclusive). */
export interface IpRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

/** A wildcard split on its unescaped `*`: n stars give n + 1 literal segments. */
export interface Glob {
  readonly segments: readonly string[];
}

/** A test on one leaf value of the event. */
export type ValueTest =
  | { readonly kind: 'exact'; readonly value: JsonPrimitive }
  | { readonly kind: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly glob: Glob }
  | { readonly kind: 'numeric'; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly kind: 'cidr'; readonly range: IpRange }
  /** Matches a leaf that none of `excluded` matches. */
  | { readonly kind: 'anything-but'; readonly excluded: readonly ValueTest[] };

/** Existence is a property of the field, not of one value: it is tested apart from ValueTest. */
export type Condition = ValueTest | { readonly kind: 'exists'; readonly exists: boolean };

export interface LeafField {
  readonly kind: 'leaf';
  readonly key: string;
  /** Field names from the event root to this field (`$or` levels left out), for `exists: false`. */
  readonly eventPath: readonly string[];
  readonly conditions: readonly Condition[];
}

export interface ObjectField {
  readonly kind: 'object';
  readonly key: string;
  readonly node: PatternNode;
}

/** One object level of a pattern: every field must match and, for each `$or`, one branch. */
export interface PatternNode {
  readonly fields: readonly (LeafField | ObjectField)[];
  readonly anyOf: readonly (readonly PatternNode[])[];
}
