import type { AuditReport, Finding } from './types.ts';

const LABEL: Record<Finding['severity'], string> = { severe: 'SEVERE ', warning: 'WARNING', info: 'INFO   ' };
const SCOPE_TITLE: Record<Finding['scope']['kind'], string> = { 'spark-application': 'Spark application', 'node-group': 'Node group', handler: 'Interruption handler' };
const scopeTitle = (f: Finding) => `${SCOPE_TITLE[f.scope.kind]} ${f.scope.name}`;

/** The report for a terminal: findings grouped by application and node group, each with why and fix. */
export function formatAudit(report: AuditReport): string[] {
  const { summary } = report;
  const lines = [
    `Spark-readiness audit of ${report.source}: ${summary.sparkApplications} Spark application(s), ${summary.nodeGroups} node group(s), ${summary.nodes} node(s), ${summary.pods} pod(s)`,
  ];
  let scope = '';
  for (const finding of report.findings) {
    const title = scopeTitle(finding);
    if (title !== scope) {
      lines.push('', title);
      scope = title;
    }
    lines.push(`  ${LABEL[finding.severity]} ${finding.check}: ${finding.message}`, `          why: ${finding.why}`, `          fix: ${finding.fix}`);
  }
  lines.push(
    '',
    report.findings.length
      ? `${summary.severe} severe, ${summary.warning} warning(s), ${summary.info} note(s)`
      : 'no findings: every Spark application and node group is ready for interruptions',
  );
  return lines;
}
