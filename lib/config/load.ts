import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatIssues } from './issues.ts';
import { lifeguardConfigSchema, type LifeguardConfig } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a parsed config object; the error lists every bad field by its path. */
export function parseConfig(raw: unknown, origin = 'configuration'): LifeguardConfig {
  const result = lifeguardConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(`${origin} is invalid:\n${formatIssues(result.error, raw ?? {}, lifeguardConfigSchema)}`);
  }
  return result.data;
}

export function loadConfigFile(path: string): LifeguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(`cannot read ${path}: ${missing ? 'no such file' : (err as Error).message}`);
  }
  // A JSON file is reported in JSON's terms: YAML's messages about it would only confuse.
  const json = path.toLowerCase().endsWith('.json');
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(`${path} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  return parseConfig(raw, path);
}

/** Lambda: the config is inlined at bundle time (see serverless.ts) as LIFEGUARD_CONFIG_JSON. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): LifeguardConfig {
  const json = env.LIFEGUARD_CONFIG_JSON;
  if (!json) return parseConfig({}, 'default configuration');
  return parseConfig(JSON.parse(json), 'LIFEGUARD_CONFIG_JSON');
}

// Re-exported: other validators (scenarios, state machine inputs) format their issues the same way.
export { formatIssues };
