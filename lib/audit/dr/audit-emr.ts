import { SEVERITIES } from '../types.ts';
import { jobDataFindings, metastoreFindings, warehouseFindings, zoneResourceFindings } from './data-checks.ts';
import { loadBalancingFindings, roleFindings, servingClusterFindings, stepFindings, zoneFindings } from './failover-checks.ts';
import { standbyFindings } from './standby-checks.ts';
import type { DrAuditReport, DrFinding, EmrAuditInput } from './types.ts';

const CHECKS: Array<(input: EmrAuditInput) => DrFinding[]> = [
  metastoreFindings,
  warehouseFindings,
  jobDataFindings,
  zoneFindings,
  roleFindings,
  loadBalancingFindings,
  zoneResourceFindings,
  stepFindings,
  standbyFindings,
  servingClusterFindings,
];

/** The DR-readiness report of EMR clusters: findings by cluster, severe first. */
export function auditEmr(inputs: EmrAuditInput[], source: string): DrAuditReport {
  const findings = inputs
    .flatMap((input) => CHECKS.flatMap((check) => check(input)))
    .sort((a, b) => a.scope.name.localeCompare(b.scope.name) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.check.localeCompare(b.check));
  const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
  return { source, summary: { severe: count('severe'), warning: count('warning'), info: count('info'), clusters: inputs.length }, findings };
}

const LABEL = { severe: 'SEVERE ', warning: 'WARNING', info: 'INFO   ' } as const;

export function formatEmrAudit(report: DrAuditReport): string[] {
  const lines = [`DR-readiness audit of ${report.source}: ${report.summary.clusters} EMR cluster(s)`];
  let scope = '';
  for (const f of report.findings) {
    if (f.scope.name !== scope) {
      lines.push('', `EMR cluster ${f.scope.name}`);
      scope = f.scope.name;
    }
    lines.push(`  ${LABEL[f.severity]} ${f.check}: ${f.message}`, `          why: ${f.why}`, `          fix: ${f.fix}`);
  }
  const { severe, warning, info } = report.summary;
  lines.push('', report.findings.length ? `${severe} severe, ${warning} warning(s), ${info} note(s)` : 'no findings: a failover of every cluster audited can go ahead and loses nothing the audit can see');
  return lines;
}
