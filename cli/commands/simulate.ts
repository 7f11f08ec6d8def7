import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { readDocument } from '../read-document.ts';

/** An event step did nothing (no rule, no node, ignored) without `expect: ignored`, or something with it. */
export const UNEXPECTED_EVENTS_EXIT = 4;

/**
 * `lifeguard simulate SCENARIO [--json]`: exit 0 when the scenario ran (whatever Lifeguard decided), 2 when it
 * is invalid, 1 when the sandbox failed, 4 when an event did not do what the scenario expects of it.
 */
export function registerSimulate(program: Command, ctx: CliContext): Command {
  return program
    .command('simulate')
    .summary('run a scenario file in the embedded sandbox (no AWS account)')
    .description(
      'Runs a scenario (a cluster and a sequence of events, YAML or JSON; see docs/scenarios.md) on a ' +
        'simulated clock through the real handlers, and prints the timeline and a summary.',
    )
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--json', 'print one JSON document (the documented result) instead of the timeline')
    .option('-v, --verbose', 'print every line of the timeline (API requests, poll loops, lease renewals)')
    .option('--html <file>', 'also write a self-contained HTML picture of the run to this file')
    .addHelpText(
      'after',
      `
Exit codes: 0 the scenario ran, 1 the sandbox failed, 2 the scenario is invalid, 4 an event did
nothing (matched no rule or no node, or Lifeguard ignored it) and its step does not say
\`expect: ignored\` (or says it and Lifeguard acted).

Examples:
  $ lifeguard simulate sandbox/scenarios/demo.yaml
  $ lifeguard simulate my-cluster.yaml --verbose
  $ lifeguard simulate my-cluster.yaml --html run.html
  $ lifeguard simulate my-cluster.yaml --json > result.json`,
    )
    .action(async (file: string, options: { json?: boolean; verbose?: boolean; html?: string }) => ctx.exit(await simulate(file, options, ctx)));
}

async function simulate(file: string, options: { json?: boolean; verbose?: boolean; html?: string }, ctx: CliContext): Promise<number> {
  // Loaded on use: `lifeguard --help` should not start the sandbox's imports.
  const { parseScenario, ScenarioError } = await import('../../sandbox/scenario/load.ts');
  const { formatSummary } = await import('../../sandbox/scenario/format.ts');
  const { narrate } = await import('../../sandbox/scenario/narrate.ts');
  const { runScenario } = await import('../../sandbox/scenario/runner.ts');
  let scenario;
  try {
    // Read here, not by the loader: a broken .json file is then reported in JSON's terms.
    scenario = parseScenario(readDocument(file), file);
  } catch (err) {
    ctx.err(`lifeguard simulate: ${(err as Error).message}`);
    return 2;
  }
  try {
    const result = await runScenario(scenario);
    if (options.html) {
      const { renderHtml } = await import('../html-report.ts');
      writeFileSync(options.html, renderHtml(result));
      ctx.err(`wrote ${options.html}`);
    }
    ctx.out(options.json ? JSON.stringify(result, null, 2) : [...narrate(result, { verbose: options.verbose === true }), formatSummary(result)].join('\n'));
    // A rehearsal whose events fall through would pass in CI while testing nothing.
    for (const e of result.unexpectedEvents) ctx.err(`lifeguard simulate: events.${e.step} (${e.detailType}): ${e.problem}`);
    return result.unexpectedEvents.length ? UNEXPECTED_EVENTS_EXIT : 0;
  } catch (err) {
    // Events are checked before the run starts, so an invalid one lands here too.
    ctx.err(`lifeguard simulate: ${(err as Error).message}`);
    return err instanceof ScenarioError ? 2 : 1;
  }
}

