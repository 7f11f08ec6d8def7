import { existsSync } from 'node:fs';
import { loadConfigFile } from '../lib/config/load.ts';
import type { LifeguardConfig } from '../lib/config/schema.ts';

/**
 * The configuration a package or deploy is built from: $LIFEGUARD_CONFIG, else
 * lifeguard.config.yaml, else the committed example (so `npm test` packages with no setup).
 */
export function deployConfig(env: NodeJS.ProcessEnv = process.env): { path: string; config: LifeguardConfig } {
  const path = env.LIFEGUARD_CONFIG ?? (existsSync('lifeguard.config.yaml') ? 'lifeguard.config.yaml' : 'lifeguard.config.example.yaml');
  return { path, config: loadConfigFile(path) };
}
