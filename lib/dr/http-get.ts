import { errorMessage, LifeguardError } from '../util/errors.ts';

/** The probe's request ran out of time (headers or the whole answer). */
export class HttpGetTimeout extends LifeguardError {}
/** An answer bigger than a health endpoint's ever is: not read further. */
export class ResponseTooLargeError extends LifeguardError {}
/**
 * One bounded HTTP GET for health probing. It never throws: a refusal, a timeout or a reset comes
 * back as a failure with a reason an operator can act on.
 */

export interface HttpGetOptions {
  fetch: typeof fetch;
  /** Until the response headers arrive: covers an unreachable host and a daemon that accepts but never answers. */
  connectTimeoutMs: number;
  /** The whole exchange, body included. */
  totalTimeoutMs: number;
  now: () => number;
}

export type HttpGetResult =
  | { kind: 'response'; status: number; text: string; location: string | null; latencyMs: number }
  | { kind: 'failure'; reason: string; latencyMs: number };

/** Health bodies are small; anything bigger is not the endpoint we expect. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const started = options.now();
  const elapsed = () => Math.max(0, options.now() - started);
  const controller = new AbortController();
  let timeoutReason: string | undefined;
  const abortWith = (reason: string) => () => {
    timeoutReason ??= reason;
    controller.abort(new HttpGetTimeout(reason));
  };
  // Real timers on purpose: they bound real sockets, whatever clock the caller measures with.
  const headersTimer = setTimeout(abortWith(`timeout: no response within ${options.connectTimeoutMs} ms`), options.connectTimeoutMs);
  const totalTimer = setTimeout(abortWith(`timeout: no complete answer within ${options.totalTimeoutMs} ms`), options.totalTimeoutMs);
  try {
    const response = await options.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      // A standby ResourceManager redirects to the active one: that is an answer about this host.
      redirect: 'manual',
      signal: controller.signal,
    });
    clearTimeout(headersTimer);
    const text = await readBody(response);
    return { kind: 'response', status: response.status, text, location: response.headers.get('location'), latencyMs: elapsed() };
  } catch (err) {
    return { kind: 'failure', reason: timeoutReason ?? describeError(err), latencyMs: elapsed() };
  } finally {
    clearTimeout(headersTimer);
    clearTimeout(totalTimer);
  }
}

async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ResponseTooLargeError(`response body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const KNOWN_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timeout waiting for headers',
};

/** fetch wraps the socket error in `cause` (an AggregateError when several addresses were tried). */
export function describeError(err: unknown): string {
  const code = errorCode(err);
  if (code) return `${KNOWN_CODES[code] ?? 'request failed'} (${code})`;
  return errorMessage(err);
}

function errorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return errorCode(cause, depth + 1);
}
