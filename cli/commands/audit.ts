import { Option, type Command } from 'commander';
import type { AuditInput, AuditOptions, Severity } from '../../lib/audit/types.ts';
import type { CliContext } from '../context.ts';

interface AuditCliOptions {
  emr?: string | true;
  kubeconfig?: string;
  context?: string;
  scenario?: string;
  config?: string;
  json?: boolean;
  failOn: 'severe' | 'warning';
}

/** Exit codes: 0 nothing at the --fail-on level, 1 findings at that level, 2 bad usage or input, 3 the cluster could not be read. */
export function registerAudit(program: Command, ctx: CliContext): Command {
  return program
    .command('audit')
    .summary('check a cluster (or a scenario) for Spark interruption readiness')
    .description(
      'Reads the cluster in your kubeconfig (read-only: nodes, pods, PodDisruptionBudgets, Spark drivers\' ' +
        'configuration ConfigMaps) or the cluster of a scenario file, and reports per Spark application ' +
        'executors without the decommission hook, executor grace that cannot fit a Spot window, drivers on ' +
        'Spot and missing fallback storage; per node group budgets that never allow a disruption, pods no ' +
        'controller recreates and DaemonSets that do not tolerate Lifeguard\'s taint. Each finding says why it ' +
        'matters and the fix. See docs/audit.md.',
    )
    .addOption(
      new Option('--emr [cluster-id]', "audit EMR disaster-recovery readiness instead: this cluster (j-…), or every dr.clusters[] of --config or of --scenario's emr section").conflicts([
        'kubeconfig',
        'context',
      ]),
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current context)')
    .addOption(new Option('--scenario <file>', 'audit the cluster section of a scenario file instead').conflicts(['kubeconfig', 'context']))
    .option('--config <file>', 'Lifeguard configuration whose drain margin to use (default: the scenario\'s, else 5 s)')
    .option('--json', 'print the report as one JSON document (see docs/audit.md)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that makes the exit code 1').choices(['severe', 'warning']).default('severe'))
    .addHelpText(
      'after',
      `
Exit codes: 0 no finding at the --fail-on level, 1 such findings, 2 bad usage or input, 3 the cluster could
not be reached or read (checked first: a connect bounded to 3 s, then one read).

Examples:
  $ lifeguard audit --kubeconfig ~/.kube/config --context prod
  $ lifeguard audit --scenario sandbox/scenarios/demo.yaml
  $ lifeguard audit --json --fail-on warning > audit.json
  $ lifeguard audit --emr --config lifeguard.config.yaml
  $ lifeguard audit --emr j-2AXXXXXXGAPLF
  $ lifeguard audit --emr --scenario sandbox/dr/examples/az-outage.yaml`,
    )
    .action(async (options: AuditCliOptions) => ctx.exit(await runAudit(options, ctx)));
}


async function runAudit(options: AuditCliOptions, ctx: CliContext): Promise<number> {
  const fail = (message: string, code: number) => {
    ctx.err(`lifeguard audit: ${message}`);
    return code;
  };
  if (options.emr !== undefined) {
    const { runEmrAudit } = await import('../audit-emr.ts');
    const { report, code, message } = await runEmrAudit({ emr: options.emr, config: options.config, scenario: options.scenario }, ctx.env);
    if (!report) return fail(message ?? 'the DR audit failed', code);
    const { formatEmrAudit } = await import('../../lib/audit/dr/audit-emr.ts');
    if (options.json) ctx.out(JSON.stringify(report, null, 2));
    else for (const line of formatEmrAudit(report)) ctx.out(line);
    return failing(report, options.failOn) ? 1 : 0;
  }
  // Loaded on use, like every command's engine.
  const { DEFAULT_AUDIT_OPTIONS, audit } = await import('../../lib/audit/audit.ts');
  const { formatAudit } = await import('../../lib/audit/format.ts');
  const { parseConfig } = await import('../../lib/config/load.ts');
  const { loadConfigFile } = await import('../../lib/config/file.ts');
  const optionsFrom = (marginSeconds: number): AuditOptions => ({ ...DEFAULT_AUDIT_OPTIONS, marginSeconds });
  let input: AuditInput;
  let source: string;
  let auditOptions: AuditOptions = DEFAULT_AUDIT_OPTIONS;
  try {
    if (options.config) auditOptions = optionsFrom(loadConfigFile(options.config).interruption.drain.marginSeconds);
  } catch (err) {
    return fail((err as Error).message, 2);
  }

  const { readCluster } = await import('../../lib/audit/read-cluster.ts');
  if (options.scenario) {
    const { auditScenario } = await import('../audit-scenario.ts');
    let loaded;
    try {
      loaded = await auditScenario(options.scenario, readCluster);
    } catch (err) {
      return fail((err as Error).message, 2);
    }
    input = loaded.input;
    source = `scenario ${options.scenario} (cluster ${loaded.clusterName})`;
    if (!options.config && loaded.config) auditOptions = optionsFrom(parseConfig(loaded.config, `${options.scenario}: config`).interruption.drain.marginSeconds);
  } else {
    const { kubeConfigFromFile, kubeconfigSource } = await import('../../lib/kube/connect.ts');
    const { unreachable } = await import('../reach/check.ts');
    const { kubeTarget } = await import('../reach/kube-target.ts');
    const { UNREACHABLE_EXIT } = await import('../reach/probe.ts');
    let kc;
    try {
      kc = kubeConfigFromFile(options.kubeconfig, options.context);
    } catch (err) {
      return fail((err as Error).message, 2);
    }
    const problem = await unreachable(kubeTarget(kc, kubeconfigSource(options.kubeconfig)), ctx);
    if (problem) return fail(problem, UNREACHABLE_EXIT);
    source = `cluster ${kc.getCurrentCluster()?.server ?? '?'} (context ${kc.getCurrentContext()})`;
    try {
      input = await readCluster(kc);
    } catch (err) {
      return fail(`cannot read the cluster: ${(err as Error).message}`, 3);
    }
  }

  const report = audit(input, source, auditOptions);
  if (options.json) ctx.out(JSON.stringify(report, null, 2));
  else for (const line of formatAudit(report)) ctx.out(line);
  return failing(report, options.failOn) ? 1 : 0;
}

function failing(report: { summary: Record<Severity, number> }, level: Severity): boolean {
  return report.summary.severe > 0 || (level === 'warning' && report.summary.warning > 0);
}
