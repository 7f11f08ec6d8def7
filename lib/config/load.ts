import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { lifeguardConfigSchema, type LifeguardConfig } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a parsed config object; the error lists every bad field by its path. */
export function parseConfig(raw: unknown, origin = 'configuration'): LifeguardConfig {
  const result = lifeguardConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(`${origin} is invalid:\n${formatIssues(result.error)}`);
  }
  return result.data;
}

export function loadConfigFile(path: string): LifeguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid YAML or JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, path);
}

/** Lambda: the config is inlined at bundle time (see serverless.ts) as LIFEGUARD_CONFIG_JSON. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): LifeguardConfig {
  const json = env.LIFEGUARD_CONFIG_JSON;
  if (!json) return parseConfig({}, 'default configuration');
  return parseConfig(JSON.parse(json), 'LIFEGUARD_CONFIG_JSON');
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}
