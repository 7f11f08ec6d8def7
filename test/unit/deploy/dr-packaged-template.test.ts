import { describe, expect, it } from 'vitest';
import { packagedTemplate } from '../../support/template.ts';

/** The failover's IAM and RunJobFlow call as `osls package` really wrote them. */
describe('packaged failover stack', () => {
  const template = packagedTemplate();
  const role = template.Resources.FailoverStateMachineRole?.Properties as {
    Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }> } }>;
  };
  const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);

  it('passes roles only by their configured ARNs, to a named service principal each, with StringLike', () => {
    const passRole = statements.filter((s) => s.Action.includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThanOrEqual(2);
    for (const statement of passRole) {
      expect(statement.Resource).toEqual(expect.arrayContaining([expect.stringMatching(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/)]));
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
      expect(Object.keys(statement.Condition ?? {})).toEqual(['StringLike']);
      expect(statement.Condition?.StringLike?.['iam:PassedToService']).toMatch(/^(elasticmapreduce|ec2|application-autoscaling)\.amazonaws\.com\*$/);
    }
  });

  it('creates replacements with the AWS SDK RunJobFlow integration', () => {
    const definition = JSON.stringify(template.Resources.FailoverStateMachine?.Properties);
    expect(definition).toContain('arn:${AWS::Partition}:states:::aws-sdk:emr:runJobFlow');
    expect(definition).not.toContain('elasticmapreduce:createCluster');
  });
});
