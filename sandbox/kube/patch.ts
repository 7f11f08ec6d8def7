import { badRequest, patchRejected } from './status.ts';

/**
 * The three PATCH flavours the API server accepts for built-in objects:
 * - JSON patch (RFC 6902), including `test`, applied atomically: any failing operation → 422;
 * - JSON merge patch (RFC 7386): objects merge, `null` deletes, arrays are replaced;
 * - strategic merge patch: like merge patch, except lists that declare a merge key merge element by
 *   element, plus the `$patch` / `$deleteFromPrimitiveList` / `$setElementOrder` directives. Node
 *   `spec.taints` declares no patch strategy in the Kubernetes API, so it is replaced wholesale.
 */

export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;
export type PatchContentType = (typeof PATCH_CONTENT_TYPES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------- JSON patch (RFC 6902)

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw patchRejected(`invalid array index "${token}" in ${pointer}`);
  const index = Number(token);
  if (index > length || (!forAdd && index === length)) throw patchRejected(`array index ${index} out of bounds in ${pointer}`);
  return index;
}

/** Resolves the parent container of `pointer`; fails when an intermediate path is missing. */
function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; last: string } {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, pointer)]!;
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token]!;
    else throw patchRejected(`doc is missing path: "${pointer}": missing value`);
  }
  return { parent: node, last: tokens[tokens.length - 1]! };
}

function getAt(doc: Json, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= node.length) return undefined;
      node = node[Number(token)];
    } else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function addAt(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw patchRejected(`doc is missing path: "${pointer}": cannot add to a scalar`);
  return doc;
}

function removeAt(doc: Json, pointer: string): { doc: Json; removed: Json } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw patchRejected('cannot remove the whole document');
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
    return { doc, removed: removed! };
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const removed = parent[last]!;
    delete parent[last];
    return { doc, removed };
  }
  throw patchRejected(`unable to remove nonexistent key: ${last}: missing value`);
}

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be an array of operations');
  let doc = clone(document) as Json;
  patch.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest(`JSON patch operation ${i} needs string "op" and "path"`);
    }
    const { op, path } = raw;
    const needsValue = op === 'add' || op === 'replace' || op === 'test';
    if (needsValue && !Object.prototype.hasOwnProperty.call(raw, 'value')) {
      throw badRequest(`JSON patch operation ${i} (${op} ${path}) has no "value"`);
    }
    const value = raw.value as Json;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, clone(value));
        break;
      case 'remove':
        doc = removeAt(doc, path).doc;
        break;
      case 'replace': {
        if (getAt(doc, path) === undefined) throw patchRejected(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        doc = removeAt(doc, path).doc;
        doc = addAt(doc, path, clone(value));
        break;
      }
      case 'move':
      case 'copy': {
        if (typeof raw.from !== 'string') throw badRequest(`JSON patch operation ${i} (${op}) needs a string "from"`);
        const source = getAt(doc, raw.from);
        if (source === undefined) throw patchRejected(`${op} operation does not apply: doc is missing from path: ${raw.from}`);
        if (op === 'move') doc = removeAt(doc, raw.from).doc;
        doc = addAt(doc, path, clone(source));
        break;
      }
      case 'test': {
        const actual = getAt(doc, path);
        const matches = actual === undefined ? value === null : deepEqual(actual, value);
        if (!matches) throw patchRejected(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`JSON patch operation ${i} has unknown op "${op}"`);
    }
  });
  return doc;
}

// ---------------------------------------------------------------- JSON merge patch (RFC 7386)

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value) as Json;
  }
  return result;
}

// ---------------------------------------------------------------- strategic merge patch

/**
 * Lists with a patch strategy in the Node / Pod schemas that the emulator serves. Keyed by the
 * dotted path of the list (array positions dropped); the value is the merge key, or `null` for a
 * list of scalars merged as a set.
 */
const MERGE_KEYS: Record<string, string | null> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': null,
  'spec.podCIDRs': null,
  'status.conditions': 'type',
  'status.addresses': 'type',
  'status.images': null,
};

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

function strategicMergeList(path: string, current: Json | undefined, patch: Json[]): Json[] {
  const mergeKey = MERGE_KEYS[path];
  if (mergeKey === undefined) return patch.map((item) => stripDirectives(item));
  const base = Array.isArray(current) ? clone(current) : [];
  if (mergeKey === null) {
    for (const item of patch) if (!base.some((existing) => deepEqual(existing, item))) base.push(item);
    return base;
  }
  for (const item of patch) {
    if (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, mergeKey)) {
      throw badRequest(`strategic merge patch: every element of ${path} needs its merge key "${mergeKey}"`);
    }
    const index = base.findIndex((existing) => isObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]));
    if (item.$patch === 'delete') {
      if (index >= 0) base.splice(index, 1);
    } else if (index >= 0) {
      base[index] = strategicMerge(path, base[index], item) as Json;
    } else {
      base.push(stripDirectives(item));
    }
  }
  return base;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$') && v !== null) out[k] = stripDirectives(v);
  return out;
}

function strategicMerge(path: string, target: Json | undefined, patch: Json): Json | undefined {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch !== undefined) throw badRequest(`strategic merge patch: unknown $patch directive "${String(patch.$patch)}" at ${path || '(root)'}`);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key === '$patch' || key.startsWith(SET_ELEMENT_ORDER) || key === '$retainKeys') continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((x) => !value.some((v) => deepEqual(v, x)));
      continue;
    }
    if (key.startsWith('$')) throw badRequest(`strategic merge patch: unknown directive "${key}" at ${path || '(root)'}`);
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = strategicMergeList(childPath, result[key], value);
    } else {
      const merged = strategicMerge(childPath, result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  return strategicMerge('', clone(target) as Json, patch) ?? {};
}

export function applyPatch(contentType: PatchContentType, target: unknown, patch: unknown): unknown {
  switch (contentType) {
    case 'application/json-patch+json':
      return applyJsonPatch(target, patch);
    case 'application/merge-patch+json':
      if (!isObject(patch)) throw badRequest('a merge patch must be a JSON object');
      return applyMergePatch(target, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(target, patch);
  }
}
