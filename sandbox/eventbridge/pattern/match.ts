/**
 * Runs a compiled pattern against an event. Semantics (Amazon EventBridge user guide, "Creating
 * event patterns", "Arrays in event patterns", "Comparison operators", "Content filtering"):
 * - fields of a pattern object are ANDed; the alternatives in a field's array are ORed;
 * - a pattern object descends into the event object under the same name; when the event holds an
 *   array there, one element must satisfy the whole sub-pattern (fields from different elements
 *   never combine into a match);
 * - operators look at leaf values only (strings, numbers, booleans, null); an event array
 *   matches when any of its leaf elements does;
 * - `exists: false` holds when no leaf value sits at the field's path anywhere in the event, so
 *   a field holding an object, or an empty array, counts as absent, and a null counts as present.
 */
import { inRange } from './ip.ts';
import type { Condition, JsonPrimitive, LeafField, NumericBound, PatternNode, ValueTest } from './types.ts';
import { matchesGlob } from './wildcard.ts';

export function matchNode(node: PatternNode, event: unknown): boolean {
  return matchAt(node, event, event);
}

/** `value` is what the event holds where this pattern object sits. */
function matchAt(node: PatternNode, value: unknown, root: unknown): boolean {
  const candidates = objectsIn(value);
  // With nothing to descend into, only absence conditions can still hold.
  if (candidates.length === 0) return matchObject(node, undefined, root);
  return candidates.some((candidate) => matchObject(node, candidate, root));
}

function matchObject(node: PatternNode, object: Record<string, unknown> | undefined, root: unknown): boolean {
  for (const field of node.fields) {
    const value = object === undefined ? undefined : own(object, field.key);
    const ok = field.kind === 'object' ? matchAt(field.node, value, root) : matchLeaf(field, value, root);
    if (!ok) return false;
  }
  return node.anyOf.every((branches) => branches.some((branch) => matchObject(branch, object, root)));
}

function matchLeaf(field: LeafField, value: unknown, root: unknown): boolean {
  const leaves = leavesOf(value);
  return field.conditions.some((condition) => testCondition(condition, leaves, field, root));
}

function testCondition(condition: Condition, leaves: readonly JsonPrimitive[], field: LeafField, root: unknown): boolean {
  if (condition.kind === 'exists') {
    return condition.exists ? leaves.length > 0 : leavesAtPath(root, field.eventPath).length === 0;
  }
  return leaves.some((leaf) => testValue(condition, leaf));
}

export function testValue(test: ValueTest, leaf: JsonPrimitive): boolean {
  switch (test.kind) {
    case 'exact':
      return leaf === test.value;
    case 'prefix':
      return typeof leaf === 'string' && (test.ignoreCase ? fold(leaf).startsWith(fold(test.value)) : leaf.startsWith(test.value));
    case 'suffix':
      return typeof leaf === 'string' && (test.ignoreCase ? fold(leaf).endsWith(fold(test.value)) : leaf.endsWith(test.value));
    case 'equals-ignore-case':
      return typeof leaf === 'string' && fold(leaf) === fold(test.value);
    case 'wildcard':
      return typeof leaf === 'string' && matchesGlob(test.glob, leaf);
    case 'numeric':
      // JSON numbers only: "5" in an event is a string and never satisfies a numeric comparison.
      return typeof leaf === 'number' && aboveLower(leaf, test.lower) && belowUpper(leaf, test.upper);
    case 'cidr':
      return typeof leaf === 'string' && inRange(test.range, leaf);
    case 'anything-but':
      return !test.excluded.some((excluded) => testValue(excluded, leaf));
  }
}

function aboveLower(value: number, bound: NumericBound | undefined): boolean {
  return bound === undefined || (bound.inclusive ? value >= bound.value : value > bound.value);
}

function belowUpper(value: number, bound: NumericBound | undefined): boolean {
  return bound === undefined || (bound.inclusive ? value <= bound.value : value < bound.value);
}

/** Case folding for the ignore-case operators. */
function fold(text: string): string {
  return text.toLowerCase();
}

/** The objects a sub-pattern can descend into: the value itself, or the objects in an array (nested arrays flattened). */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  return isObject(value) ? [value] : [];
}

/** The leaf values of a field: itself, or the non-object elements of an array (nested arrays flattened). */
function leavesOf(value: unknown): JsonPrimitive[] {
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  if (value === undefined || isObject(value)) return [];
  return isPrimitive(value) ? [value] : [];
}

/** Every leaf at `path`, through all objects and arrays on the way. */
function leavesAtPath(root: unknown, path: readonly string[]): JsonPrimitive[] {
  let current: unknown[] = [root];
  for (const key of path) {
    current = current.flatMap(objectsIn).map((object) => own(object, key)).filter((value) => value !== undefined);
  }
  return current.flatMap(leavesOf);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is JsonPrimitive {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
