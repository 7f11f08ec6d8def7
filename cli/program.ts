import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerConfig } from './commands/config.ts';
import { registerDrill } from './commands/drill.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerHandle } from './commands/handle.ts';
import { registerRedrive } from './commands/redrive.ts';
import { registerSimulate } from './commands/simulate.ts';
import type { CliContext, CliDeps } from './context.ts';
import { terminalIo } from './io.ts';
import { CommanderError, exitCodeOf } from './usage.ts';

export const cliVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function buildProgram(ctx: CliContext): Command {
  const program = new Command('lifeguard')
    .description('Spark-aware interruption handling for EKS and disaster recovery for EMR')
    .version(cliVersion, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    // Settings below are inherited by every subcommand created with .command().
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => ctx.out(text.trimEnd()),
      writeErr: (text) => ctx.err(text.trimEnd()),
    })
    .showHelpAfterError("run 'lifeguard --help' for usage")
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 failed (audit: a severe finding), 2 bad usage or input,
3 the cluster or AWS could not be reached (handle, audit, drill, redrive check first),
or drill: another failover holds the cluster; 4 simulate: an event did nothing. See docs/cli.md.

Examples:
  $ lifeguard simulate sandbox/scenarios/demo.yaml
  $ lifeguard emulator sandbox/scenarios/demo.yaml
  $ lifeguard config validate lifeguard.config.yaml
  $ lifeguard handle dead-letter.json --validate-only
  $ lifeguard redrive --queue https://sqs.us-east-1.amazonaws.com/123456789012/NAME --dry-run
  $ lifeguard audit --kubeconfig ~/.kube/config
  $ lifeguard drill --cluster analytics --dry-run`,
    );
  for (const register of [registerSimulate, registerEmulator, registerHandle, registerRedrive, registerDrill, registerAudit, registerConfig]) {
    const command = register(program, ctx);
    command.showHelpAfterError(`run 'lifeguard ${command.name()} --help' for usage and examples`);
  }
  return program;
}

/** Runs the `lifeguard` command line (without the node and script arguments); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  let code = 0;
  const ctx: CliContext = {
    out: deps.out ?? terminalIo.out,
    err: deps.err ?? terminalIo.err,
    env: deps.env ?? process.env,
    ...(deps.sfn ? { sfn: deps.sfn } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.stop ? { stop: deps.stop } : {}),
    ...(deps.queues ? { queues: deps.queues } : {}),
    ...(deps.invokerFor ? { invokerFor: deps.invokerFor } : {}),
    ...(deps.connect ? { connect: deps.connect } : {}),
    exit: (c) => {
      code = c;
    },
  };
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOf(error);
    throw error;
  }
}
