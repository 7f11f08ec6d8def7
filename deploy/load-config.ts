import { existsSync } from 'node:fs';
import { loadConfigFile } from '../lib/config/file.ts';
import { ConfigError } from '../lib/config/load.ts';
import type { LifeguardConfig } from '../lib/config/schema.ts';
import { ALLOW_PLACEHOLDERS_FLAG, placeholderMessage, placeholdersIn } from './placeholders.ts';

export const DEFAULT_CONFIG_FILE = 'lifeguard.config.yaml';

/**
 * Which configuration file a package or deploy uses: $LIFEGUARD_CONFIG, else lifeguard.config.yaml.
 * Never the committed example by accident: with neither, undefined.
 */
export function configFilePath(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string | undefined {
  if (env.LIFEGUARD_CONFIG) return env.LIFEGUARD_CONFIG;
  return exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

export const NO_CONFIG_MESSAGE =
  `no configuration: create ${DEFAULT_CONFIG_FILE} (cp lifeguard.config.example.yaml ${DEFAULT_CONFIG_FILE}, then edit it) ` +
  'or set LIFEGUARD_CONFIG to its path. The example configuration is never deployed by default.';

/** The configuration a package or deploy is built from; refuses to guess one. */
export function deployConfig(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): { path: string; config: LifeguardConfig } {
  const path = configFilePath(env, exists);
  if (!path) throw new ConfigError(NO_CONFIG_MESSAGE);
  return { path, config: loadConfigFile(path) };
}

/**
 * For serverless.ts: a configuration problem ends the command with its own message (exit 2), not
 * wrapped in the framework's "Cannot parse serverless.ts" and a stack trace.
 */
export function deployConfigOrExit(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): { path: string; config: LifeguardConfig } {
  let loaded;
  try {
    loaded = deployConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`lifeguard: ${err.message}`);
    process.exit(2);
  }
  const refusal = placeholderRefusal(loaded, argv);
  if (refusal) {
    console.error(`lifeguard: ${refusal}`);
    process.exit(2);
  }
  return loaded;
}

/** The commands that build or ship the stack: they refuse the example's placeholders. */
const SHIPPING_COMMANDS = new Set(['package', 'deploy']);

/**
 * Why `osls package` or `osls deploy` (argv as the framework's process has it: node, script,
 * command, options) must not go on with this configuration, or undefined.
 */
export function placeholderRefusal(loaded: { path: string; config: LifeguardConfig }, argv: readonly string[]): string | undefined {
  if (!SHIPPING_COMMANDS.has(argv[2] ?? '') || argv.includes(ALLOW_PLACEHOLDERS_FLAG)) return undefined;
  const found = placeholdersIn(loaded.config);
  return found.length ? placeholderMessage(loaded.path, found) : undefined;
}
