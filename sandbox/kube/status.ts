/**
 * Kubernetes `Status` objects, the body of every failed API call (and of a successful eviction).
 * Reasons, codes and message shapes follow k8s.io/apimachinery/pkg/api/errors so that clients that
 * branch on them (kubectl, client-go, our engine) see what a real API server would send.
 */

export interface StatusCause {
  type?: string;
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** Thrown inside request handling; the server turns it into a Status response. */
export class ApiStatusError extends Error {
  override name = 'ApiStatusError';
  constructor(
    readonly body: StatusBody,
    /** Extra response headers (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message ?? body.reason ?? `HTTP ${body.code}`);
  }
  get code(): number {
    return this.body.code;
  }
}

function failure(code: number, reason: string | undefined, message: string, details?: StatusBody['details']): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (reason !== undefined) body.reason = reason;
  if (details !== undefined) body.details = details;
  return body;
}

export function successStatus(code: number): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

/** `resource` is the plural resource name ("pods", "nodes", "poddisruptionbudgets"). */
export function notFound(resource: string, name: string, group?: string): ApiStatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiStatusError(
    failure(404, 'NotFound', `${qualified} "${name}" not found`, { name, kind: resource, ...(group ? { group } : {}) }),
  );
}

export function pathNotFound(path: string): ApiStatusError {
  return new ApiStatusError(failure(404, 'NotFound', `the server could not find the requested resource (${path})`, {}));
}

export function conflict(resource: string, name: string, why: string): ApiStatusError {
  return new ApiStatusError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource }),
  );
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export function alreadyExists(resource: string, name: string, group?: string): ApiStatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiStatusError(failure(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, kind: resource, ...(group ? { group } : {}) }));
}

export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(failure(400, 'BadRequest', message));
}

export function methodNotAllowed(method: string, path: string): ApiStatusError {
  return new ApiStatusError(failure(405, 'MethodNotAllowed', `the server does not allow this method (${method}) on the requested resource (${path})`));
}

export function unsupportedMediaType(contentType: string, allowed: readonly string[]): ApiStatusError {
  return new ApiStatusError(
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${allowed.join(', ')} (got "${contentType}")`),
  );
}

export function requestTooLarge(limitBytes: number): ApiStatusError {
  return new ApiStatusError(failure(413, 'RequestEntityTooLarge', `the request body is larger than ${limitBytes} bytes`));
}

/**
 * A JSON patch whose operation cannot apply (a failed `test`, a missing path), answered as
 * kube-apiserver answers it: its patch handler wraps the json-patch error in
 * NewGenericServerResponse(422, ..., isUnexpectedResponse=false), which sends reason Invalid, this
 * fixed message and empty details — the json-patch text ("testing value /x failed: test failed")
 * never reaches the client. The emulator keeps it as `why` for its own timeline.
 */
export class PatchNotAppliedError extends ApiStatusError {
  constructor(readonly why: string) {
    super(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
  }
}

export function patchRejected(why: string): PatchNotAppliedError {
  return new PatchNotAppliedError(why);
}

/** Object validation failure: `Node "x" is invalid: spec.taints[0].effect: Unsupported value ...`. */
export function invalid(kind: string, name: string, problems: Array<{ field: string; message: string }>): ApiStatusError {
  const text = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
  return new ApiStatusError(
    failure(422, 'Invalid', `${kind} "${name}" is invalid: ${text}`, {
      name,
      kind: kind.toLowerCase() + 's',
      causes: problems.map((p) => ({ reason: 'FieldValueInvalid', message: p.message, field: p.field })),
    }),
  );
}

/** The eviction subresource's answer when a PodDisruptionBudget allows no disruption (no Retry-After). */
export function disruptionBudgetExceeded(pdbName: string, desiredHealthy: number, currentHealthy: number): ApiStatusError {
  return new ApiStatusError(
    failure(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [
        {
          reason: 'DisruptionBudget',
          message: `The disruption budget ${pdbName} needs ${desiredHealthy} healthy pods and has ${currentHealthy} currently`,
        },
      ],
    }),
  );
}

/** The eviction subresource's answer when several budgets select the pod: a Status with code 500 and no reason. */
export function multiplePdbs(): ApiStatusError {
  return new ApiStatusError(
    failure(500, undefined, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'),
  );
}

/** Injected faults: API priority-and-fairness throttling, internal errors, unavailability. */
export function injectedFault(code: number, retryAfterSeconds: number): ApiStatusError {
  switch (code) {
    case 429:
      return new ApiStatusError(
        failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }),
        { 'Retry-After': String(retryAfterSeconds) },
      );
    case 500:
      return new ApiStatusError(failure(500, 'InternalError', 'Internal error occurred: injected fault'));
    case 503:
      return new ApiStatusError(failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'), {
        'Retry-After': String(retryAfterSeconds),
      });
    case 504:
      return new ApiStatusError(failure(504, 'Timeout', 'the server was unable to return a response in the time allotted'));
    default:
      return new ApiStatusError(failure(code, 'Unknown', `injected fault (HTTP ${code})`));
  }
}

/** A watch from a resourceVersion the server no longer keeps (sent as a watch ERROR event). */
export function expired(resourceVersion: number, oldestKept: number): StatusBody {
  return failure(410, 'Expired', `too old resource version: ${resourceVersion} (${oldestKept})`);
}
