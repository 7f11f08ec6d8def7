/**
 * Amazon EventBridge event patterns: validation (what PutRule accepts) and matching (what a rule
 * selects), following the EventBridge user guide. Used to route events in the sandbox and to prove
 * in tests that sample events match the rules the stack deploys.
 */
import { compilePattern } from './pattern/compile.ts';
import type { CompiledPattern } from './pattern/compile.ts';
import { matchNode } from './pattern/match.ts';
import type { EventPattern } from './pattern/types.ts';

export { InvalidPatternError } from './pattern/errors.ts';
export type { EventPattern, JsonPrimitive, PatternOperator, PatternValue } from './pattern/types.ts';

// Compiled once per pattern object: routing calls matchesPattern with the same rules many times.
// Patterns are treated as immutable once seen; build a new object rather than editing one in place.
const compiled = new WeakMap<object, CompiledPattern>();

/**
 * Checks `pattern` (a JSON object, or its JSON text) against EventBridge's pattern grammar and
 * returns it typed. Throws InvalidPatternError whose message starts with the offending path,
 * e.g. `detail.state[0].numeric: ...`.
 */
export function validatePattern(pattern: unknown): EventPattern {
  const result = compilePattern(pattern);
  compiled.set(result.pattern, result);
  return result.pattern;
}

/** True when `event` matches `pattern`. Throws InvalidPatternError for an invalid pattern. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  let result = compiled.get(pattern);
  if (!result) {
    result = compilePattern(pattern);
    compiled.set(pattern, result);
  }
  return matchNode(result.root, event);
}
