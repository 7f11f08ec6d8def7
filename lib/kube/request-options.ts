import { type ConfigurationOptions, Observable, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/**
 * Per-call options: a middleware that bounds each HTTP exchange in real time and, with
 * `keepAlive`, swaps the agent client-node made for this request (after authentication, so it
 * carries the cluster's TLS settings) for one keep-alive agent shared by every request of the
 * client. Proxy agents are left alone. The object-style API runs call options through its
 * observable pipeline, so the middleware returns client-node's Observable, as its own
 * setHeaderOptions does.
 */
export function requestOptions(timeoutMs: number, keepAlive: boolean): ConfigurationOptions {
  let shared: HttpAgent | undefined;
  const timeout: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      if (keepAlive) {
        const fresh = context.getAgent();
        if (fresh?.constructor === HttpsAgent) shared ??= new HttpsAgent({ ...(fresh as HttpsAgent).options, keepAlive: true });
        else if (fresh?.constructor === HttpAgent) shared ??= new HttpAgent({ keepAlive: true });
        if (shared && fresh?.constructor === shared.constructor) context.setAgent(shared);
      }
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [timeout], middlewareMergeStrategy: 'append' };
}
