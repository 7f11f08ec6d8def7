import { KubeApiError } from './port.ts';

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/**
 * Every item of a LIST read in pages (big clusters are listed in chunks instead of one huge
 * response). A 410 Gone means the continue token outlived the server's snapshot: the list starts
 * over once, from nothing.
 */
export async function listInPages<T>(page: (continueToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let continueToken: string | undefined;
  let restarted = false;
  for (;;) {
    let current: Page<T>;
    try {
      current = await page(continueToken);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 410 && continueToken && !restarted) {
        restarted = true;
        continueToken = undefined;
        items.length = 0;
        continue;
      }
      throw err;
    }
    items.push(...current.items);
    continueToken = current.metadata?._continue || undefined;
    if (!continueToken) return items;
  }
}
