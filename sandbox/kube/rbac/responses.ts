import { ApiStatusError, type StatusBody } from '../status.ts';
import type { UserInfo } from './authorizer.ts';
import type { RequestAttributes } from './request-info.ts';

/**
 * The Status bodies kube-apiserver answers a request it will not serve: 403 from
 * responsewriters.Forbidden (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go)
 * through apierrors.NewForbidden, and 401 for a token nobody issued.
 */

/** Go's %q for the names and paths here (printable text: JSON's quoting is the same). */
const quote = (text: string) => JSON.stringify(text);

/** kube-apiserver keeps its error messages from looking like HTML. */
const sanitize = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What the user may not do, as forbiddenMessage words it. */
export function forbiddenMessage(user: UserInfo, request: RequestAttributes): string {
  const who = `User ${quote(user.name)} cannot ${request.verb}`;
  if (!request.resourceRequest) return `${who} path ${quote(request.path)}`;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope = request.namespace ? `in the namespace ${quote(request.namespace)}` : 'at the cluster scope';
  return `${who} resource ${quote(resource)} in API group ${quote(request.apiGroup)} ${scope}`;
}

/** `reason` is the authorizer's (empty, or `RBAC: ...`), appended after a colon as the server does. */
export function forbidden(user: UserInfo, request: RequestAttributes, reason: string): ApiStatusError {
  const why = sanitize(forbiddenMessage(user, request)) + (reason ? `: ${reason}` : '');
  let message: string;
  const details: NonNullable<StatusBody['details']> = {};
  if (!request.resourceRequest) {
    message = `forbidden: ${why}`;
  } else {
    // The group-qualified resource names the object, without its subresource: pods "x", not pods/eviction.
    const qualified = request.apiGroup ? `${request.resource}.${request.apiGroup}` : request.resource;
    message = !qualified ? `forbidden: ${why}` : request.name ? `${qualified} ${quote(request.name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
    if (request.name) details.name = request.name;
    if (request.apiGroup) details.group = request.apiGroup;
    if (request.resource) details.kind = request.resource;
  }
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 };
  return new ApiStatusError(body, { 'X-Content-Type-Options': 'nosniff' });
}

export function unauthorized(): ApiStatusError {
  return new ApiStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
}
