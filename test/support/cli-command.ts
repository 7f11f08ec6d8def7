import type { CliDeps } from '../../cli/context.ts';
import { runCli } from '../../cli/program.ts';

/** One `lifeguard` command as a test calls it: its arguments after the command's name. */
export const cliCommand =
  (command: string) =>
  (argv: string[], deps: CliDeps = {}): Promise<number> =>
    runCli([command, ...argv], deps);
