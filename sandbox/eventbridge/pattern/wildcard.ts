/**
 * The `wildcard` operator: `*` stands for any run of characters (also none); `\*` is a literal
 * asterisk and `\\` a literal backslash. Two `*` in a row and any other escape are invalid.
 */
import type { Glob } from './types.ts';

/** Splits a wildcard on its unescaped stars; a problem description when malformed. */
export function parseWildcard(text: string): Glob | string {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') {
        return `invalid escape at character ${i + 1}: only \\* and \\\\ may follow a backslash`;
      }
      current += next;
      i++;
    } else if (char === '*') {
      if (text[i + 1] === '*') return `consecutive wildcard characters at character ${i + 1} are not allowed`;
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return { segments };
}

export function matchesGlob(glob: Glob, value: string): boolean {
  const { segments } = glob;
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  // Each middle segment taken at its leftmost place leaves the most room for the ones after it.
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const found = value.indexOf(segment, position);
    if (found < 0 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}
