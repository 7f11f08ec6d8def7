import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parse as parseYaml } from 'yaml';
import { followExecution, type FollowedState } from '../../lib/dr/follow-execution.ts';
import type { RtoPhase } from '../../lib/dr/rto.ts';
import { systemClock, type Clock } from '../../lib/util/clock.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';
import { demoDrScenario } from '../../sandbox/dr/demo-scenario.ts';
import { runFailoverScenario } from '../../sandbox/dr/runner.ts';
import type { DrScenarioSpec } from '../../sandbox/dr/scenario.ts';

/**
 * `lifeguard drill --cluster NAME [--dry-run] [--keep|--retire] [--json] [--state-machine-arn ARN]
 * [--sandbox SCENARIO]`: starts a DR drill of the failover state machine and follows it state by
 * state. Without a state machine ARN (flag or LIFEGUARD_STATE_MACHINE_ARN) it needs --sandbox, and
 * then runs in the DR sandbox; with neither it exits 2.
 */

export interface DrillDeps {
  sfn?: SFNClient;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const USAGE =
  'usage: lifeguard drill --cluster NAME [--dry-run] [--keep|--retire] [--json] [--state-machine-arn ARN | --sandbox SCENARIO|builtin]';
/** `--sandbox builtin`: the built-in demo scenario. */
const BUILT_IN = 'builtin';

/** Exit codes: 0 ran to a successful end, 1 failed, 2 bad usage, 3 another failover holds the cluster. */
export async function run(argv: string[], deps: DrillDeps = {}): Promise<number> {
  const out = deps.out ?? ((line) => console.log(line));
  const err = deps.err ?? ((line) => console.error(line));
  const env = deps.env ?? process.env;
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        cluster: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        retire: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'state-machine-arn': { type: 'string' },
        sandbox: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    err(`lifeguard drill: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (!values.cluster) {
    err(`lifeguard drill: --cluster is required\n${USAGE}`);
    return 2;
  }
  if (values.keep && values.retire) {
    err(`lifeguard drill: --keep and --retire are exclusive\n${USAGE}`);
    return 2;
  }
  const arn = values['state-machine-arn'] ?? env.LIFEGUARD_STATE_MACHINE_ARN;
  if (arn && values.sandbox) {
    err(`lifeguard drill: --sandbox and a state machine ARN are exclusive\n${USAGE}`);
    return 2;
  }
  // A drill that silently ran in the sandbox would give a CI job with a missing ARN a green fake drill.
  if (!arn && values.sandbox === undefined) {
    err(`lifeguard drill: no state machine to drill: pass --state-machine-arn ARN (or set LIFEGUARD_STATE_MACHINE_ARN; the stack output FailoverStateMachineArn), or --sandbox SCENARIO to rehearse without AWS\n${USAGE}`);
    return 2;
  }
  if (arn && !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(arn)) {
    err(`lifeguard drill: '${arn}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
    return 2;
  }

  const input: Record<string, unknown> = { cluster: values.cluster, mode: 'drill', dryRun: values['dry-run'] };
  if (values.keep || values.retire) input.retireOldCluster = values.retire;
  // Poll loops re-enter the same states every few seconds: show each state once, and every failure.
  const shown = new Set<string>();
  const progress = (s: FollowedState) => {
    if (s.event === 'entered' && shown.has(s.state)) return;
    shown.add(s.state);
    if (!values.json) out(`  [+${s.t.toFixed(1).padStart(7)}s] ${s.event === 'entered' ? '' : `${s.event}: `}${s.state}${s.error ? ` (${s.error})` : ''}`);
  };

  let outcome: DrillOutcome;
  try {
    if (arn) {
      const sfn = deps.sfn ?? new SFNClient({ region: arn.split(':')[3] });
      const name = `drill-${values.cluster}-${new Date((deps.clock ?? systemClock).now()).toISOString().replace(/[-:.]/g, '')}`.slice(0, 80);
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));
      if (!started.executionArn) throw new Error('StartExecution returned no executionArn');
      if (!values.json) out(`drill of ${values.cluster}: ${started.executionArn}`);
      const followed = await followExecution(sfn, started.executionArn, { clock: deps.clock ?? systemClock, onState: progress });
      outcome = { where: 'aws', ...followed, outcome: outcomeOf(followed.status, followed.output, followed.error) };
    } else {
      const spec = values.sandbox && values.sandbox !== BUILT_IN ? loadScenario(values.sandbox) : demoDrScenario(values.cluster);
      if (!values.json) out(`drill of ${values.cluster} in the DR sandbox (${values.sandbox ?? 'built-in scenario'}; no AWS account used)`);
      const trigger = { at: 0, cluster: values.cluster, mode: 'drill' as const, dryRun: values['dry-run'], ...(input.retireOldCluster === undefined ? {} : { retireOldCluster: Boolean(input.retireOldCluster) }) };
      const result = await runFailoverScenario({ ...spec, triggers: [trigger] }, { clock: new VirtualClock(), onState: (_id, s) => progress(s) });
      const execution = result.executions[0]!;
      outcome = {
        where: 'sandbox',
        executionArn: execution.id,
        status: execution.status,
        outcome: execution.outcome,
        output: execution.output,
        error: execution.error,
        states: execution.states,
      };
    }
  } catch (e) {
    err(`lifeguard drill: ${(e as Error).message}`);
    return 1;
  }

  const report = (outcome.output as { report?: DrillReport } | undefined)?.report;
  if (values.json) {
    out(JSON.stringify({ ...outcome, rto: report ? { rtoSeconds: report.rtoSeconds, totalSeconds: report.totalSeconds, phases: report.phases } : null }));
  } else {
    out(summary(outcome, report));
  }
  if (outcome.status !== 'SUCCEEDED') return 1;
  return outcome.outcome === 'AlreadyInProgress' ? 3 : 0;
}

interface DrillReport {
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
    );
  }
  return lines.join('\n');
}

/** A scenario file: its `emr` section, or the whole document when it is only that section. */
function loadScenario(path: string): DrScenarioSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  const doc = parseYaml(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new Error(`${path}: not a scenario (expected a YAML or JSON object)`);
  const emr = (doc.emr ?? doc) as Record<string, unknown>;
  // The drill supplies its own trigger.
  return { ...emr, triggers: [] } as unknown as DrScenarioSpec;
}
