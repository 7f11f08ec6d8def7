#!/usr/bin/env node
/** The `lifeguard` command: cli/program.ts defines it, one module per subcommand under cli/commands/. */
import { runCli } from './program.ts';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`lifeguard: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
