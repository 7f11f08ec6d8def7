import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Log } from './log.ts';

/** The engine's Log port over a Powertools Logger (structured JSON lines in CloudWatch Logs). */
export function logFromPowertools(logger: Logger): Log {
  return {
    debug: (message, extra) => logger.debug(message, (extra ?? {}) as LogAttributes),
    info: (message, extra) => logger.info(message, (extra ?? {}) as LogAttributes),
    warn: (message, extra) => logger.warn(message, (extra ?? {}) as LogAttributes),
    error: (message, extra) => logger.error(message, (extra ?? {}) as LogAttributes),
  };
}
