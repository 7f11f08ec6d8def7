import { CommanderError, type Command } from 'commander';

/** Every usage error exits with this code (documented in docs/cli.md). */
export const USAGE_EXIT = 2;

/**
 * Rejects the command line the way commander does for its own checks: `error: …`, the pointer to
 * `--help`, exit code 2. For rules commander cannot express (a value read from the environment).
 */
export function usageError(command: Command, message: string): never {
  command.error(`error: ${message}`, { exitCode: USAGE_EXIT, code: 'lifeguard.usage' });
}

/** Commander reports help and --version as errors under exitOverride: those are successes. */
export function exitCodeOf(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
  if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : USAGE_EXIT;
  return USAGE_EXIT;
}

export { CommanderError };
