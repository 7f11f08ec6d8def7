/**
 * What a failed client-node call means: a KubeApiError with the server's reason and Retry-After,
 * and whether another try can help.
 */
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { KubeApiError, PATCH_NOT_APPLIED, isSeveralBudgetsRefusal, isTransient } from './port.ts';

/** Socket-level failures worth another try (the request may not have reached the server). */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

export interface CallKind {
  /** pods/eviction: a 429 carrying the DisruptionBudget cause is an answer, not throttling. */
  eviction?: boolean;
  /** A JSON patch: a 422 with the server's fixed message and no causes is a failed `test` op, not an invalid object. */
  jsonPatch?: boolean;
}

/**
 * What kube-apiserver answers when a JSON patch does not apply to the stored object (a `test` op
 * that fails, a path that is gone): the patch handler wraps the json-patch library's error in
 * NewGenericServerResponse(422, ..., isUnexpectedResponse=false), which keeps only this message,
 * reason Invalid and no causes (k8s.io/apiserver/pkg/endpoints/handlers/patch.go applyJSPatch;
 * k8s.io/apimachinery/pkg/api/errors NewGenericServerResponse). An object the patch makes invalid
 * is NewInvalid: `Node "x" is invalid: <field>: ...`, with a cause per field.
 */
export const JSON_PATCH_NOT_APPLIED_MESSAGE = 'the server rejected our request due to an error in our request';

export interface Failure {
  error: KubeApiError;
  retryable: boolean;
}

/** Turns whatever client-node threw into a KubeApiError and says whether another try can help. */
export function classify(err: unknown, operation: string, nowMs: number, kind: CallKind): Failure {
  // Already classified (a watch stream reports its own failures).
  if (err instanceof KubeApiError) return { error: err, retryable: isTransient(err) };
  if (err instanceof ApiException) {
    const status = err.code;
    const body: KubeStatus = parseStatus(err.body);
    const headers = (err.headers ?? {}) as Record<string, string>;
    const retryAfterSeconds = parseRetryAfter(headerValue(headers, 'retry-after'), nowMs) ?? positive(body.retryAfterSeconds);
    const detail = body.message ?? (status === 401 ? 'Unauthorized' : `HTTP ${status}`);
    if (kind.eviction && status === 429 && body.disruptionBudget) {
      return {
        error: new KubeApiError(`${operation}: refused by a PodDisruptionBudget: ${detail}`, 429, 'DisruptionBudget', retryAfterSeconds),
        retryable: false,
      };
    }
    if (kind.jsonPatch && status === 422 && body.reason === 'Invalid' && body.message === JSON_PATCH_NOT_APPLIED_MESSAGE && !body.hasCauses) {
      return {
        error: new KubeApiError(`${operation}: the JSON patch does not apply to the object as stored (a test op failed: it changed since it was read)`, 422, PATCH_NOT_APPLIED),
        retryable: false,
      };
    }
    const error = new KubeApiError(`${operation}: ${detail}`, status, body.reason, retryAfterSeconds);
    if (kind.eviction && isSeveralBudgetsRefusal(error)) {
      return { error, retryable: false };
    }
    return { error, retryable: TRANSIENT_STATUSES.has(status) };
  }
  const e = err as { name?: string; code?: string; type?: string; message?: string } | undefined;
  if (e?.name === 'AbortError' || e?.type === 'aborted') {
    return { error: new KubeApiError(`${operation}: request timed out`, 0, 'Timeout'), retryable: true };
  }
  const code = e?.code;
  const message = e?.message ?? String(err);
  const transient = (code !== undefined && TRANSIENT_SOCKET_CODES.has(code)) || /socket hang up/i.test(message);
  return {
    error: new KubeApiError(`${operation}: ${message}`, 0, code ?? 'ConnectionError'),
    retryable: transient,
  };
}

/** The parts of a Kubernetes `Status` error body that decide what to do next. */
interface KubeStatus {
  message?: string;
  reason?: string;
  retryAfterSeconds?: number;
  /** A StatusCause of kind DisruptionBudget (policy/v1), or the message of servers that predate causes. */
  disruptionBudget: boolean;
  /** The Status names causes (a validation failure names one per field). */
  hasCauses: boolean;
}

const statusBodySchema = z.object({
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .object({
      retryAfterSeconds: z.number().optional(),
      // StatusCause's Go field `Type` is serialised as `reason`.
      causes: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .optional(),
});

/** client-node hands the error body over as text (a Status JSON, or plain text from a throttling filter). */
function parseStatus(body: unknown): KubeStatus {
  let raw: unknown = body;
  if (typeof body === 'string') {
    try {
      raw = JSON.parse(body);
    } catch {
      const text = body.trim();
      return { ...(text ? { message: text.slice(0, 500) } : {}), disruptionBudget: false, hasCauses: false };
    }
  }
  const parsed = statusBodySchema.safeParse(raw);
  if (!parsed.success) return { disruptionBudget: false, hasCauses: false };
  const { message, reason, details } = parsed.data;
  const disruptionBudget =
    (details?.causes ?? []).some((cause) => cause.reason === 'DisruptionBudget') ||
    /disruption budget/i.test(message ?? '');
  return {
    ...(message !== undefined ? { message } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(details?.retryAfterSeconds !== undefined ? { retryAfterSeconds: details.retryAfterSeconds } : {}),
    disruptionBudget,
    hasCauses: (details?.causes?.length ?? 0) > 0,
  };
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

