import type { Log } from '../lib/observability/log.ts';

// The engine's messages are written for Lambda, where a failed invocation is retried. From the
// command line nothing retries: the operator reruns the command.
const LAMBDA_ONLY = /;\s*the event will be retried$/;

const facts = (extra: Record<string, unknown> | undefined) => {
  const shown = Object.entries(extra ?? {}).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  return shown.length ? ` (${shown.map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : '';
};

/** The engine's log on stderr, one readable line per record; `quiet` keeps only warnings and errors. */
export function terminalLog(write: (line: string) => void, quiet: boolean): Log {
  const line = (prefix: string, message: string, extra?: Record<string, unknown>) => write(`${prefix}${message.replace(LAMBDA_ONLY, '')}${facts(extra)}`);
  return {
    debug: () => {},
    info: (message, extra) => {
      if (!quiet) line('', message, extra);
    },
    warn: (message, extra) => line('warning: ', message, extra),
    error: (message, extra) => line('error: ', message, extra),
  };
}
