import type { RunJobFlowCommandInput } from '@aws-sdk/client-emr';
import type { EmrRoles } from '../config/dr.ts';
import { PlanningError } from './planning-error.ts';

/**
 * The state machine may pass only the roles the configuration names (deploy/dr-failover-iam.ts), so a request
 * naming any other role would fail at RunJobFlow, during the outage. The plan checks it first.
 */

export class PassedRoleError extends PlanningError {}

/** `arn:aws:iam::1:role/path/NAME` → `NAME`; a bare name stays itself. */
export function roleName(nameOrArn: string): string {
  return nameOrArn.includes(':') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/** Throws naming every role of the request that the configuration does not allow. */
export function assertPassedRoles(request: RunJobFlowCommandInput, roles: EmrRoles, where: string): void {
  const problems: string[] = [];
  const check = (field: string, value: string | undefined, allowedArn: string | undefined, allowedName: string | undefined, configKey: string) => {
    if (value === undefined) {
      if (field !== 'AutoScalingRole') problems.push(`${field} is missing`);
      return;
    }
    if (!allowedName) {
      problems.push(`${field} '${value}' is set but ${where}.roles.${configKey} is not configured`);
      return;
    }
    // An ARN must be the configured one exactly (another account's role of the same name is not).
    const matches = value.includes(':') ? value === allowedArn : value === allowedName;
    if (!matches) problems.push(`${field} '${value}' is not ${where}.roles.${configKey} (${allowedArn ?? allowedName})`);
  };
  check('ServiceRole', request.ServiceRole, roles.service, roleName(roles.service), 'service');
  const profile = roles.instanceProfile ?? roleName(roles.instance);
  const jobFlowRole = request.JobFlowRole;
  if (jobFlowRole === undefined) problems.push('JobFlowRole is missing');
  else if (roleName(jobFlowRole) !== profile) {
    problems.push(`JobFlowRole '${jobFlowRole}' is not the instance profile of ${where}.roles.instance (${profile})`);
  }
  check('AutoScalingRole', request.AutoScalingRole, roles.autoScaling, roles.autoScaling && roleName(roles.autoScaling), 'autoScaling');
  if (problems.length) {
    throw new PassedRoleError(`the replacement's request passes roles the state machine may not pass: ${problems.join('; ')}`);
  }
}
