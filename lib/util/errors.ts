/**
 * Lifeguard's one error model. Every error of its own extends LifeguardError: its name is its
 * class name (log lines and Step Functions error names stay stable), and the error it wraps is
 * always carried as `cause`. Callers branch on families with `instanceof`, never on name strings.
 */
export class LifeguardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message of anything thrown, for a log line or a report. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError) return [error.message, ...error.errors.map(errorMessage)].join('; ');
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}
