import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const TEMPLATE = '.serverless/cloudformation-template-update-stack.json';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/**
 * The CloudFormation template `osls package` really produced. `npm test` packages before vitest
 * runs; run alone, the test packages first (offline, no credentials needed).
 */
export function packagedTemplate(): { Resources: Record<string, CfnResource> } {
  // Packaging needs an explicit configuration: the committed example unless LIFEGUARD_CONFIG names one.
  const env = { ...process.env, LIFEGUARD_CONFIG: process.env.LIFEGUARD_CONFIG ?? 'lifeguard.config.example.yaml' };
  if (!existsSync(TEMPLATE)) execFileSync('npx', ['osls', 'package', '--stage', 'dev'], { stdio: 'ignore', env });
  return JSON.parse(readFileSync(TEMPLATE, 'utf8'));
}

export const resourcesOfType = (template: { Resources: Record<string, CfnResource> }, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
