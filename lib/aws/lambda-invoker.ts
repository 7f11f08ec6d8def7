import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LifeguardError } from '../util/errors.ts';
import { onFirstUse } from '../util/on-first-use.ts';
import type { SelfInvoker } from './ports.ts';

/** What the lazily imported module must provide. */
interface LambdaModule {
  LambdaClient: typeof LambdaClient;
  InvokeCommand: typeof InvokeCommand;
}

/** Lambda did not queue the invocation (anything but 202 Accepted). */
export class LambdaInvokeError extends LifeguardError {}

/**
 * Work handed straight to one function by Lambda's asynchronous Invoke (InvocationType `Event`):
 * Lambda queues the event and answers 202 at once, and the function's own retry settings and
 * on-failure destination apply to it. `lifeguard redrive --to-function` replays dead letters this
 * way, for a stack whose notice queue is the problem; the deployed function itself hands work over
 * through its queue (lib/aws/notice-queue.ts). The client module is imported on the first call.
 */
export class LambdaInvoker implements SelfInvoker {
  private readonly lambda: () => Promise<{ client: LambdaClient; module: LambdaModule }>;

  constructor(private readonly target: { region: string; functionName: string }) {
    this.lambda = onFirstUse(() => import('@aws-sdk/client-lambda').then((module) => ({ module, client: new module.LambdaClient({ region: target.region }) })));
  }

  async invoke(payload: Record<string, unknown>): Promise<void> {
    const { functionName } = this.target;
    const { client, module } = await this.lambda();
    const response = await client.send(new module.InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    if (response.StatusCode !== 202) throw new LambdaInvokeError(`lambda:Invoke of ${functionName} answered ${String(response.StatusCode)}, not 202: the invocation was not queued`);
  }
}
