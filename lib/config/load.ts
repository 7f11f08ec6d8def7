import { formatIssues } from '../util/zod-issues.ts';
import { lifeguardConfigSchema, type LifeguardConfig } from './schema.ts';
import { ConfigError } from './errors.ts';

export { ConfigError } from './errors.ts';

/** Validates a parsed config object; the error lists every bad field by its path. */
export function parseConfig(raw: unknown, origin = 'configuration'): LifeguardConfig {
  const result = lifeguardConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(`${origin} is invalid:\n${formatIssues(result.error, raw ?? {}, lifeguardConfigSchema)}`);
  }
  return result.data;
}

/** Lambda: the config is inlined at bundle time (see serverless.ts) as LIFEGUARD_CONFIG_JSON. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): LifeguardConfig {
  const json = env.LIFEGUARD_CONFIG_JSON;
  if (!json) return parseConfig({}, 'default configuration');
  return parseConfig(JSON.parse(json), 'LIFEGUARD_CONFIG_JSON');
}

// Re-exported: other validators (scenarios, state machine inputs) format their issues the same way.
export { formatIssues };
