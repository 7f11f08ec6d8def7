import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from './load.ts';
import type { LifeguardConfig } from './schema.ts';
import { errorMessage } from '../util/errors.ts';

// Apart from load.ts so that the functions, which get their configuration inlined, do not bundle a YAML parser.

/** Reads and validates a configuration file (YAML, or JSON by its extension). */
export function loadConfigFile(path: string): LifeguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(`cannot read ${path}: ${missing ? 'no such file' : errorMessage(err)}`, { cause: err });
  }
  // A JSON file is reported in JSON's terms: YAML's messages about it would only confuse.
  const json = path.toLowerCase().endsWith('.json');
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(`${path} is not valid ${json ? 'JSON' : 'YAML'}: ${errorMessage(err)}`, { cause: err });
  }
  return parseConfig(raw, path);
}
