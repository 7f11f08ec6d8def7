import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
const TEMPLATE = `.serverless/${TEMPLATE_FILE}`;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface PackagedTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

/**
 * The CloudFormation template `osls package` really produced. `npm test` packages before vitest
 * runs; run alone, the test packages first (offline, no credentials needed).
 */
export function packagedTemplate(): PackagedTemplate {
  // Packaging needs an explicit configuration: the committed example unless LIFEGUARD_CONFIG names one.
  const env = { ...process.env, LIFEGUARD_CONFIG: process.env.LIFEGUARD_CONFIG ?? 'lifeguard.config.example.yaml' };
  // The example keeps its placeholders on purpose: it is packaged here, never deployed (as `npm run package:example`).
  if (!existsSync(TEMPLATE)) execFileSync('npx', ['osls', 'package', '--stage', 'dev', '--allow-placeholders'], { stdio: 'ignore', env });
  return JSON.parse(readFileSync(TEMPLATE, 'utf8'));
}

/**
 * Packages the stack for another configuration and stage, as `npm run package` would (offline,
 * about 15 s), into a directory of its own that is removed afterwards; returns the template.
 */
export function packageTemplate(configFile: string, stage: string): PackagedTemplate {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-package-'));
  try {
    execFileSync('npx', ['osls', 'package', '--stage', stage, '--package', dir, '--allow-placeholders'], {
      stdio: 'pipe',
      env: { ...process.env, LIFEGUARD_CONFIG: configFile, LIFEGUARD_STAGE: stage },
    });
    return JSON.parse(readFileSync(join(dir, TEMPLATE_FILE), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const resourcesOfType = (template: { Resources: Record<string, CfnResource> }, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
