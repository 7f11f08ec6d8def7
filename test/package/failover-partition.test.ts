import { describe, expect, it } from 'vitest';
import { taskStates, taskTarget } from '../../lib/dr/task-resources.ts';
import { DeployedStack } from '../support/deployed-stack.ts';
import { packagedTemplate } from '../support/template.ts';

/**
 * The failover definition as `osls package` wrote it must run in every partition the configuration
 * accepts: the China and GovCloud partitions reject a service integration named `arn:aws:states:::`.
 */
describe('the packaged failover definition in every partition', () => {
  const template = packagedTemplate();
  const definitionString = template.Resources.FailoverStateMachine!.Properties!.DefinitionString;

  it('names no partition itself: every ARN takes the stack’s', () => {
    expect(JSON.stringify(definitionString)).not.toMatch(/arn:aws[a-z-]*:/);
  });

  it.each([
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('in %s every Task state calls a %s ARN', (region, partition) => {
    const stack = new DeployedStack(template, { account: '123456789012', region, stackName: 'lifeguard-dev' });
    const definition = JSON.parse(stack.resolveString(definitionString, 'FailoverStateMachine.DefinitionString')) as { States: Record<string, unknown> };
    const resources = taskStates(definition).map((t) => String(t.resource));
    expect(resources.length).toBeGreaterThanOrEqual(10);
    for (const resource of resources) {
      expect(resource.startsWith(`arn:${partition}:`), resource).toBe(true);
      expect(() => taskTarget(resource)).not.toThrow();
    }
    expect(resources).toContain(`arn:${partition}:states:::aws-sdk:emr:runJobFlow`);
    expect(resources).toContain(`arn:${partition}:lambda:${region}:123456789012:function:lifeguard-dev-drPlan`);
  });
});
