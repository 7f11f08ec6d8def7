import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drResources } from '../../../deploy/dr.ts';
import { drTestConfig } from '../../support/dr-config.ts';

const config = drTestConfig;

/** The planner's modules and the IAM service prefix of the client each one calls. */
const PLANNER_SOURCES = {
  'lib/dr/emr-source.ts': 'elasticmapreduce',
  'lib/dr/placement.ts': 'ec2',
  'lib/dr/instance-type-offerings.ts': 'ec2',
  'lib/dr/target-groups.ts': 'elasticloadbalancing',
} as const;

function actionsCalledBy(path: string, prefix: string): string[] {
  const source = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
  return [...source.matchAll(/new (\w+)Command\(/g)].map((m) => `${prefix}:${m[1]}`);
}

/**
 * Reading the planner's source complements the simulation of its calls
 * (test/package/iam-simulation.test.ts): every command it can send, also those no sandbox run sends
 * (instance fleets, following a replacement with ListClusters), and that it only reads.
 */
describe('the plan Lambda role', () => {
  it('grants every AWS call the planner makes (following a replacement needs ListClusters)', () => {
    const role = drResources(config).resources.DrPlanRole as {
      Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] | string }> } }> };
    };
    const granted = new Set(role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action)));
    const called = Object.entries(PLANNER_SOURCES).flatMap(([path, prefix]) => actionsCalledBy(path, prefix));
    expect(called).toContain('elasticmapreduce:ListClusters');
    for (const action of called) expect(granted, action).toContain(action);
  });

  it('grants only reads', () => {
    const role = drResources(config).resources.DrPlanRole as {
      Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] | string }> } }> };
    };
    const actions = role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action));
    for (const action of actions) expect(action).toMatch(/:(Describe|List|Get|CreateLogStream|PutLogEvents)/);
  });
});
