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

/**
 * Not a failure of anything outside: an answer that exists only after a wait (a lookup that must
 * wait for its next allowed LIST). Retried like a transient failure, after at least `retryAfterMs`;
 * when time runs out it fails the delivery, which is then retried, instead of a wrong answer.
 */
export class RetryLaterError extends LifeguardError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
