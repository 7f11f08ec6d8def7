import type { RequestHandler } from './switchable-server.ts';
import { sendJson, sendText } from './switchable-server.ts';

/** up: answers; error: HTTP 500; down/hang: the listener's business. */
export type LivyHealth = 'up' | 'down' | 'error' | 'hang';

/** A session as Livy's `GET /sessions` lists it (the fields Lifeguard reads). */
export interface LivySession {
  id: number;
  name?: string | undefined;
  appId?: string | undefined;
  kind: string;
  state: string;
}

/** Apache Livy's `GET /sessions`: `{ from, total, sessions: [...] }`. */
export function livyHandler(health: () => LivyHealth, sessions: () => LivySession[] = () => []): RequestHandler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return sendText(res, 405, 'HTTP 405 Method Not Allowed');
    if (path !== '/sessions') return sendText(res, 404, `"Not Found"`);
    if (health() === 'error') return sendText(res, 500, 'java.lang.IllegalStateException: session store unavailable');
    const listed = sessions().map((s) => ({ id: s.id, name: s.name ?? null, appId: s.appId ?? null, owner: null, proxyUser: null, kind: s.kind, state: s.state, log: [], appInfo: {} }));
    sendJson(res, 200, { from: 0, total: listed.length, sessions: listed });
  };
}
