import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** A file the user named could not be read or parsed: bad input, exit 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * Reads a JSON or YAML document. A `.json` file (or one that starts like JSON) is parsed as JSON so
 * a broken one is reported in JSON's terms, not YAML's.
 */
export function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const looksLikeJson = path.toLowerCase().endsWith('.json') || /^\s*[{[]/.test(text);
  if (looksLikeJson) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new InputError(`${path} is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    // Merge keys (<<) let scenario files share node and pod definitions.
    return parseYaml(text, { prettyErrors: true, merge: true }) as unknown;
  } catch (err) {
    throw new InputError(`${path} is not valid YAML: ${(err as Error).message}`);
  }
}
