import type { FailoverInput } from '../../lib/dr/failover-input.ts';
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FollowedState } from '../../lib/dr/follow-execution.ts';
import type { RtoPhase, StandbyReport } from '../../lib/dr/rto.ts';
import { demoDrScenario } from '../../sandbox/dr/demo-scenario.ts';
import type { StepsReport } from '../../lib/dr/carry-steps.ts';
import { formatLostWork, formatStandby, formatStepsReport } from '../../lib/dr/format-failover.ts';
import type { LastSeen } from '../../lib/dr/last-seen.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../sandbox/dr/scenario.ts';
import type { FailoverResult } from '../../sandbox/dr/runner.ts';
import { formatIssues } from '../../lib/util/zod-issues.ts';
import type { CliContext } from '../context.ts';
import { UNREACHABLE_EXIT } from '../reach/probe.ts';
import { InputError, readDocument } from '../read-document.ts';
import { USAGE_EXIT, usageError } from '../usage.ts';

/**
 * `lifeguard drill --cluster NAME [--dry-run] [--keep|--retire] [--json] [--state-machine-arn ARN]
 * [--sandbox SCENARIO]`: starts a DR drill of the failover state machine and follows it state by
 * state. Without a state machine ARN (flag or LIFEGUARD_STATE_MACHINE_ARN) it needs --sandbox, and
 * then runs in the DR sandbox; with neither it exits 2.
 */

/** `--sandbox builtin`: the built-in demo scenario. */
const BUILT_IN = 'builtin';
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;
const notAnArn = (arn: string) => `'${arn}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`;

interface DrillOptions {
  cluster: string;
  dryRun?: boolean;
  keep?: boolean;
  retire?: boolean;
  resubmitSteps?: 'none' | 'pending' | 'pending-and-running';
  json?: boolean;
  html?: string;
  stateMachineArn?: string;
  sandbox?: string;
}

export function registerDrill(program: Command, ctx: CliContext): Command {
  const command = program
    .command('drill')
    .summary('start a DR drill of the failover state machine and follow it')
    .description(
      'Starts a drill execution of the failover state machine for one protected EMR cluster and follows ' +
        'it state by state, then prints the RTO per phase. It needs a state machine ARN (--state-machine-arn ' +
        'or $LIFEGUARD_STATE_MACHINE_ARN), or --sandbox to rehearse in the DR sandbox with no AWS account.',
    )
    .requiredOption('--cluster <name>', 'configured cluster name or EMR cluster id (j-…)')
    .option('--dry-run', 'plan the replacement and stop: nothing is created')
    .addOption(new Option('--keep', 'keep the old cluster after the switch (the drill default)').conflicts('retire'))
    .addOption(new Option('--retire', 'terminate the old cluster after the switch').conflicts('keep'))
    .addOption(
      new Option('--resubmit-steps <which>', "carry the old cluster's steps over to the replacement (a drill carries none by default; the old cluster keeps running them unless --retire)").choices([
        'none',
        'pending',
        'pending-and-running',
      ]),
    )
    .option('--json', 'print one JSON document: outcome, states, RTO, steps')
    .option('--html <file>', 'also write a picture of the failover phases and the RTO (one self-contained HTML page)')
    .addOption(
      new Option('--state-machine-arn <arn>', 'the stack output FailoverStateMachineArn (default: $LIFEGUARD_STATE_MACHINE_ARN)')
        .argParser((arn: string) => {
          if (!STATE_MACHINE_ARN.test(arn)) throw new InvalidArgumentError(notAnArn(arn));
          return arn;
        })
        .conflicts('sandbox'),
    )
    .option('--sandbox <scenario>', `run in the DR sandbox with this scenario file (its emr section), or '${BUILT_IN}' for the built-in one`)
    .addHelpText(
      'after',
      `
Exit codes: 0 the drill succeeded, 1 it failed, 2 bad usage or an unreadable or invalid scenario, 3 another
failover holds the cluster, or AWS could not be reached (checked first: a connect bounded to 3 s,
then sts:GetCallerIdentity).

Examples:
  $ lifeguard drill --cluster analytics --sandbox builtin --dry-run
  $ lifeguard drill --cluster analytics --sandbox sandbox/dr/examples/az-outage.yaml
  $ LIFEGUARD_STATE_MACHINE_ARN=arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-prod-failover \\
      lifeguard drill --cluster analytics --retire --json`,
    );
  return command.action(async (options: DrillOptions) => {
    const arn = options.stateMachineArn ?? ctx.env.LIFEGUARD_STATE_MACHINE_ARN;
    if (!options.stateMachineArn && arn) {
      if (options.sandbox) usageError(command, '--sandbox cannot be used with a state machine ARN ($LIFEGUARD_STATE_MACHINE_ARN is set)');
      if (!STATE_MACHINE_ARN.test(arn)) usageError(command, `$LIFEGUARD_STATE_MACHINE_ARN: ${notAnArn(arn)}`);
    }
    // A drill that silently ran in the sandbox would give a CI job with a missing ARN a green fake drill.
    if (!arn && options.sandbox === undefined) {
      usageError(command, 'no state machine to drill: pass --state-machine-arn ARN (or set LIFEGUARD_STATE_MACHINE_ARN; the stack output FailoverStateMachineArn), or --sandbox SCENARIO to rehearse without AWS');
    }
    let sandbox: Record<string, unknown> | undefined;
    if (options.sandbox !== undefined && !arn) {
      // Read before anything runs, as `simulate` reads its file: an unreadable one is bad input (2), said in a sentence.
      try {
        sandbox = options.sandbox === BUILT_IN ? { ...demoDrScenario() } : readEmrSection(options.sandbox);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        ctx.err(`lifeguard drill: ${e.message}`);
        return ctx.exit(USAGE_EXIT);
      }
      checkSandboxCluster(command, options.sandbox === BUILT_IN ? 'the built-in scenario' : options.sandbox, sandbox.clusters, options.cluster);
    }
    ctx.exit(await drill(options, arn, sandbox, ctx));
  });
}

/** A --cluster the scenario does not have is a usage error, named by the flag the user wrote. */
function checkSandboxCluster(command: Command, scenario: string, clusters: unknown, cluster: string): void {
  if (!Array.isArray(clusters)) return; // the scenario's own validation names what is missing
  const known = clusters.flatMap((c: { name?: unknown; id?: unknown }) => [c.name, c.id]).filter((v): v is string => typeof v === 'string');
  if (!known.includes(cluster)) {
    const names = clusters.map((c: { name?: unknown; id?: unknown }) => `${String(c.name)} (${String(c.id)})`).join(', ');
    usageError(command, `--cluster: '${cluster}' is not a cluster of ${scenario} (it has: ${names})`);
  }
}


/** Exit codes: 0 ran to a successful end, 1 failed, 3 another failover holds the cluster or AWS did not answer. */
async function drill(values: DrillOptions, arn: string | undefined, sandbox: Record<string, unknown> | undefined, ctx: CliContext): Promise<number> {
  // The state machine's own input schema: what it would refuse is refused here first.
  const { parseFailoverInput } = await import('../../lib/dr/failover-input.ts');
  const input = parseFailoverInput({
    cluster: values.cluster,
    mode: 'drill',
    dryRun: values.dryRun === true,
    ...(values.keep || values.retire ? { retireOldCluster: values.retire === true } : {}),
    ...(values.resubmitSteps ? { resubmitSteps: values.resubmitSteps } : {}),
  });
  const progress = progressPrinter(values, ctx.out);
  let outcome: DrillOutcome | number;
  // The sandbox's whole picture (every cluster, the target switch), for the HTML page.
  let sandboxView: FailoverResult | undefined;
  try {
    if (arn) outcome = await drillInAws(arn, values, input, progress, ctx);
    else {
      const inSandbox = await drillInSandbox(values, input, sandbox!, progress, ctx);
      if (typeof inSandbox !== 'number') sandboxView = inSandbox.result;
      outcome = typeof inSandbox === 'number' ? inSandbox : inSandbox.outcome;
    }
  } catch (e) {
    ctx.err(`lifeguard drill: ${(e as Error).message}`);
    return 1;
  }
  if (typeof outcome === 'number') return outcome;
  await reportDrill(outcome, values, ctx, sandboxView);
  if (outcome.status !== 'SUCCEEDED') return 1;
  return outcome.outcome === 'AlreadyInProgress' ? 3 : 0;
}

/** Poll loops re-enter the same states every few seconds: show each state once, and every failure. */
function progressPrinter(values: DrillOptions, out: (line: string) => void): (s: FollowedState) => void {
  const shown = new Set<string>();
  return (s) => {
    if (s.event === 'entered' && shown.has(s.state)) return;
    shown.add(s.state);
    if (!values.json) out(`  [+${s.t.toFixed(1).padStart(7)}s] ${s.event === 'entered' ? '' : `${s.event}: `}${s.state}${s.error ? ` (${s.error})` : ''}`);
  };
}

/** A drill execution of the deployed state machine, followed to its end; UNREACHABLE_EXIT when Step Functions does not answer. */
async function drillInAws(arn: string, values: DrillOptions, input: FailoverInput, progress: (s: FollowedState) => void, ctx: CliContext): Promise<DrillOutcome | number> {
  // Loaded on use: the SDK and the DR sandbox take a second to import, `--help` should not wait.
  const { systemClock } = await import('../../lib/util/clock.ts');
  const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const { followExecution } = await import('../../lib/dr/follow-execution.ts');
  // The ARN matched STATE_MACHINE_ARN: its fourth field is the region.
  const region = arn.split(':')[3]!;
  const { awsEndpoint, awsTarget, endpointOverride } = await import('../reach/aws-target.ts');
  const endpoint = endpointOverride(ctx.env, 'SFN');
  if (!ctx.sfn) {
    // A client given by the caller is its own business; the one built here is checked first.
    const { unreachable } = await import('../reach/check.ts');
    const problem = await unreachable(awsTarget({ service: 'AWS Step Functions', endpoint: awsEndpoint(ctx.env, 'SFN', 'states', region), region, env: ctx.env }), ctx);
    if (problem) {
      ctx.err(`lifeguard drill: ${problem}`);
      return UNREACHABLE_EXIT;
    }
  }
  const sfn = ctx.sfn ?? new SFNClient({ region, ...(endpoint ? { endpoint } : {}) });
  const name = `drill-${values.cluster}-${new Date((ctx.clock ?? systemClock).now()).toISOString().replace(/[-:.]/g, '')}`.slice(0, 80);
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));
  if (!started.executionArn) throw new Error('StartExecution returned no executionArn');
  if (!values.json) ctx.out(`drill of ${values.cluster}: ${started.executionArn}`);
  const followed = await followExecution(sfn, started.executionArn, { clock: ctx.clock ?? systemClock, onState: progress });
  return { where: 'aws', ...followed, outcome: outcomeOf(followed.status, followed.output, followed.error) };
}

/** The drill in the DR sandbox, on the scenario given (or the built-in one); USAGE_EXIT when the trigger does not fit it. */
async function drillInSandbox(
  values: DrillOptions,
  input: FailoverInput,
  sandbox: Record<string, unknown>,
  progress: (s: FollowedState) => void,
  ctx: CliContext,
): Promise<{ outcome: DrillOutcome; result: FailoverResult } | number> {
  const { VirtualClock } = await import('../../sandbox/clock/virtual-clock.ts');
  const { runFailoverScenario } = await import('../../sandbox/dr/runner.ts');
  const trigger = {
    at: 0,
    cluster: values.cluster,
    mode: 'drill' as const,
    dryRun: values.dryRun === true,
    ...(input.retireOldCluster === undefined ? {} : { retireOldCluster: input.retireOldCluster }),
    ...(input.resubmitSteps === undefined ? {} : { resubmitSteps: input.resubmitSteps }),
  };
  let spec: DrScenarioSpec;
  try {
    spec = scenarioWith(sandbox, values.sandbox!, trigger);
  } catch (e) {
    ctx.err(`lifeguard drill: ${(e as Error).message}`);
    return USAGE_EXIT;
  }
  if (!values.json) ctx.out(`drill of ${values.cluster} in the DR sandbox (${values.sandbox ?? 'built-in scenario'}; no AWS account used)`);
  const result = await runFailoverScenario(spec, { clock: new VirtualClock(), onState: (_id, s) => progress(s) });
  const execution = result.executions[0]!;
  const outcome: DrillOutcome = {
    where: 'sandbox',
    executionArn: execution.id,
    status: execution.status,
    outcome: execution.outcome,
    output: execution.output,
    error: execution.error,
    states: execution.states,
  };
  return { outcome, result };
}

/** The outcome with its RTO, steps and lost work: a summary, or --json; and --html, with the sandbox's whole picture when there is one. */
async function reportDrill(outcome: DrillOutcome, values: DrillOptions, ctx: CliContext, sandboxView: FailoverResult | undefined): Promise<void> {
  const report = (outcome.output as { report?: DrillReport } | undefined)?.report;
  if (values.json) {
    ctx.out(
      JSON.stringify({
        ...outcome,
        rto: report ? { rtoSeconds: report.rtoSeconds, totalSeconds: report.totalSeconds, phases: report.phases } : null,
        steps: report?.steps ?? null,
        lostWork: report?.lostWork ?? null,
      }),
    );
  } else {
    ctx.out(summary(outcome, report));
  }
  if (values.html) {
    const { renderDrillHtml } = await import('../html-report.ts');
    writeFileSync(values.html, renderDrillHtml(values.cluster, outcome.outcome, report, sandboxView));
    ctx.err(`wrote ${values.html}`);
  }
}

interface DrillReport {
  standby?: StandbyReport | null;
  steps?: StepsReport | null;
  lostWork?: LastSeen | null;
  warnings?: string[];
  rtoSeconds: number;
  totalSeconds: number;
  phases: Record<RtoPhase, number>;
  newClusterId: string;
  newMasterIp: string;
  availabilityZone: string;
  oldClusterRetired: boolean;
}

interface DrillOutcome {
  where: 'aws' | 'sandbox';
  executionArn: string;
  status: string;
  outcome: string;
  output?: unknown;
  error?: { error: string; cause: string } | undefined;
  states: FollowedState[];
}

function outcomeOf(status: string, output: unknown, error?: { error: string }): string {
  if (status === 'SUCCEEDED') return String((output as { outcome?: unknown } | undefined)?.outcome ?? 'Succeeded');
  return error?.error ?? status;
}

function summary(o: DrillOutcome, report: DrillReport | undefined): string {
  const lines = [`outcome: ${o.outcome} (${o.status})`];
  if (o.error) lines.push(`error: ${o.error.error}: ${o.error.cause}`);
  if (o.outcome === 'DryRun') lines.push(`plan: ${JSON.stringify((o.output as { plan?: unknown }).plan, null, 2)}`);
  if (report) {
    lines.push(
      `new cluster ${report.newClusterId} in ${report.availabilityZone}, master ${report.newMasterIp}; old cluster ${report.oldClusterRetired ? 'retired' : 'kept'}`,
      `RTO ${report.rtoSeconds}s (total ${report.totalSeconds}s):`,
      ...Object.entries(report.phases).map(([phase, seconds]) => `  ${phase.padEnd(9)} ${String(seconds).padStart(7)}s`),
      ...(report.standby ? formatStandby(report.standby) : []),
      ...(report.warnings ?? []).map((w) => `warning: ${w}`),
      ...(report.steps ? formatStepsReport(report.steps) : []),
      ...(report.lostWork === undefined ? [] : formatLostWork(report.lostWork, 'drill')),
    );
  }
  return lines.join('\n');
}

/** A scenario file's `emr` section (or the whole document when it is only that section), unvalidated. Throws InputError. */
function readEmrSection(path: string): Record<string, unknown> {
  const doc = readDocument(path);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(`${path}: not a scenario (expected a YAML or JSON mapping)`);
  const section = (doc as Record<string, unknown>).emr ?? doc;
  if (!section || typeof section !== 'object' || Array.isArray(section)) throw new InputError(`${path}: its emr section is not a mapping (docs/scenarios.md)`);
  return section as Record<string, unknown>;
}

/** The scenario's emr section with the drill's own trigger in place of any it has, validated. */
function scenarioWith(section: Record<string, unknown>, origin: string, trigger: NonNullable<DrScenarioSpec['triggers']>[number]): DrScenarioSpec {
  const spec = { ...section, triggers: [trigger] };
  const parsed = drScenarioSchema.safeParse(spec);
  if (!parsed.success) throw new Error(`${origin}: not a valid emr scenario (docs/scenarios.md):\n${formatIssues(parsed.error, spec, drScenarioSchema)}`);
  return parsed.data;
}
