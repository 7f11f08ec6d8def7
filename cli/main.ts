#!/usr/bin/env node
import { errorMessage } from '../lib/util/errors.ts';
/** The `lifeguard` command: cli/program.ts defines it, one module per subcommand under cli/commands/. */
import { runCli } from './program.ts';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`lifeguard: ${errorMessage(err)}`);
    process.exitCode = 1;
  },
);
