import { queryBool } from '../query.ts';

/**
 * What an authorizer judges: the attributes of one HTTP request, derived from its method, path and
 * query the way kube-apiserver's RequestInfoFactory derives them
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). Derived from the request line alone, not
 * from the emulator's routes, so a path the emulator does not serve is judged like any other.
 */

export type RequestAttributes =
  | {
      resourceRequest: true;
      /** get, list, watch, create, update, patch, delete, deletecollection (or proxy). */
      verb: string;
      apiGroup: string;
      apiVersion: string;
      /** Empty for a cluster-scoped request, and for a list or watch across namespaces. */
      namespace: string;
      resource: string;
      subresource: string;
      /** Empty for a collection, unless a list or watch selects exactly one name (metadata.name=). */
      name: string;
    }
  | {
      resourceRequest: false;
      /** The HTTP method, lower-cased. */
      verb: string;
      path: string;
    };

const API_PREFIXES = new Set(['api', 'apis']);
/** /api/v1 has no group segment. */
const GROUPLESS_PREFIXES = new Set(['api']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const SPECIAL_VERBS_WITHOUT_SUBRESOURCES = new Set(['proxy']);
/** Subresources of a namespace itself, not resources in it: /api/v1/namespaces/x/status. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** `path` as sent (percent-encoded); `query` the parsed query string. */
export function requestAttributes(method: string, path: string, query: URLSearchParams): RequestAttributes {
  const decoded = decodePath(path);
  const nonResource: RequestAttributes = { resourceRequest: false, verb: method.toLowerCase(), path: decoded };
  const trimmed = decoded.replace(/^\/+|\/+$/g, '');
  let parts = trimmed === '' ? [] : trimmed.split('/');
  if (parts.length < 3 || !API_PREFIXES.has(parts[0]!)) return nonResource;
  const prefix = parts[0]!;
  parts = parts.slice(1);
  let apiGroup = '';
  if (!GROUPLESS_PREFIXES.has(prefix)) {
    // /apis/{group}/{version} and shorter are discovery documents, not resources.
    if (parts.length < 3) return nonResource;
    apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  const apiVersion = parts[0]!;
  parts = parts.slice(1);

  let verb: string;
  if (SPECIAL_VERBS.has(parts[0]!) && parts.length >= 2) {
    // The deprecated /watch/... and /proxy/... forms name their verb in the path.
    verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }

  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts.length >= 3 && !SPECIAL_VERBS_WITHOUT_SUBRESOURCES.has(verb) ? parts[2]! : '';

  if (name === '' && verb === 'get') {
    verb = queryBool(query, 'watch') ? 'watch' : 'list';
    // A list or watch of exactly one name is authorized as that name (resourceNames rules apply).
    const only = exactName(query.get('fieldSelector'));
    if (only !== undefined && validPathSegmentName(only)) name = only;
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name };
}

/** Go's URL.Path is the decoded path; a malformed escape is kept as sent. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The value a field selector requires of metadata.name (fields.Selector.RequiresExactMatch): a
 * term `metadata.name=x` or `metadata.name==x` among its comma-separated terms, `\` escaping.
 */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of splitUnescaped(selector, ',')) {
    const match = /^metadata\.name(==|=)(.*)$/.exec(term);
    if (match) return unescape(match[2]!);
  }
  return undefined;
}

function splitUnescaped(text: string, separator: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === separator) {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

const unescape = (value: string) => value.replace(/\\(.)/g, '$1');

/** apimachinery's path.IsValidPathSegmentName: not "." or "..", no "/" or "%". */
function validPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/%]/.test(name);
}
