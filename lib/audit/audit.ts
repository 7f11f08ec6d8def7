import { coexistenceFindings } from './checks/coexistence.ts';
import { nodeGroupFindings } from './checks/node-group.ts';
import { sparkApplications, sparkFindings } from './checks/spark.ts';
import { nodeGroupOf } from './node-groups.ts';
import { SEVERITIES, type AuditInput, type AuditOptions, type AuditReport } from './types.ts';

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = { spotWindowSeconds: 120, marginSeconds: 5 };

/** The Spark-readiness report: findings by what they are about (applications, then node groups), severe first within each. */
export function audit(input: AuditInput, source: string, options: AuditOptions = DEFAULT_AUDIT_OPTIONS): AuditReport {
  const findings = [...sparkFindings(input, options), ...nodeGroupFindings(input), ...coexistenceFindings(input)].sort(
    (a, b) =>
      b.scope.kind.localeCompare(a.scope.kind) ||
      a.scope.name.localeCompare(b.scope.name) ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.check.localeCompare(b.check),
  );
  const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
  return {
    source,
    summary: {
      severe: count('severe'),
      warning: count('warning'),
      info: count('info'),
      sparkApplications: sparkApplications(input.pods).length,
      nodeGroups: new Set(input.nodes.map(nodeGroupOf)).size,
      nodes: input.nodes.length,
      pods: input.pods.length,
    },
    findings,
  };
}
