/**
 * The logging port. In Lambda it is the Powertools Logger (structured JSON); in the sandbox a
 * recorder that feeds the scenario timeline; in tests whatever the test needs to assert.
 */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLog: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

/** Keeps every record; for tests and the sandbox timeline. */
export class RecordingLog implements Log {
  readonly records: LogRecord[] = [];
  constructor(private readonly onRecord?: (record: LogRecord) => void) {}
  debug(message: string, extra: Record<string, unknown> = {}) { this.push('debug', message, extra); }
  info(message: string, extra: Record<string, unknown> = {}) { this.push('info', message, extra); }
  warn(message: string, extra: Record<string, unknown> = {}) { this.push('warn', message, extra); }
  error(message: string, extra: Record<string, unknown> = {}) { this.push('error', message, extra); }
  private push(level: LogRecord['level'], message: string, extra: Record<string, unknown>) {
    const record = { level, message, extra };
    this.records.push(record);
    this.onRecord?.(record);
  }
}
