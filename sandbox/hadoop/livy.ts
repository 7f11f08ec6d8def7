import type { RequestHandler } from './switchable-server.ts';
import { sendJson, sendText } from './switchable-server.ts';

/** up: answers; error: HTTP 500; down/hang: the listener's business. */
export type LivyHealth = 'up' | 'down' | 'error' | 'hang';

/** Apache Livy's `GET /sessions`: `{ from, total, sessions: [] }`. */
export function livyHandler(health: () => LivyHealth): RequestHandler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return sendText(res, 405, 'HTTP 405 Method Not Allowed');
    if (path !== '/sessions') return sendText(res, 404, `"Not Found"`);
    if (health() === 'error') return sendText(res, 500, 'java.lang.IllegalStateException: session store unavailable');
    sendJson(res, 200, { from: 0, total: 0, sessions: [] });
  };
}
