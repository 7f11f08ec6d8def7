import type { ApiResponse } from './routes.ts';
import { badRequest } from './status.ts';

type Listed = { metadata: { name: string; namespace?: string } };

/**
 * A list response, ordered by namespace/name like the API server's storage, in pages when the
 * client sends `limit` (the `continue` token is opaque to clients: here, the next offset).
 */
export function listResponse(kind: string, apiVersion: string, items: Listed[], query: URLSearchParams, resourceVersion: string): ApiResponse {
  // Keys built once per item, not twice per comparison: a burst lists a thousand nodes thousands of times.
  const keyed = items.map((item) => ({ key: `${item.metadata.namespace ?? ''}/${item.metadata.name}`, item }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sorted = keyed.map((k) => k.item);
  const metadata: Record<string, unknown> = { resourceVersion };
  const limitRaw = query.get('limit');
  const token = query.get('continue');
  let offset = 0;
  if (token) {
    const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const match = decoded.match(/^offset:(\d+)$/);
    if (!match) throw badRequest(`continue key is not valid: "${token}"`);
    offset = Number(match[1]);
  }
  let page = sorted.slice(offset);
  if (limitRaw !== null && limitRaw !== '') {
    if (!/^\d+$/.test(limitRaw)) throw badRequest(`invalid limit "${limitRaw}": must be a non-negative integer`);
    const limit = Number(limitRaw);
    if (limit > 0 && page.length > limit) {
      page = page.slice(0, limit);
      metadata.continue = Buffer.from(`offset:${offset + limit}`, 'utf8').toString('base64url');
      metadata.remainingItemCount = sorted.length - offset - limit;
    }
  }
  return { status: 200, body: { kind, apiVersion, metadata, items: page } };
}
