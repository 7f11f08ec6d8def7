import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LifeguardError } from '../util/errors.ts';
import type { SelfInvoker } from './ports.ts';

/** What the lazily imported module must provide. */
interface LambdaModule {
  LambdaClient: typeof LambdaClient;
  InvokeCommand: typeof InvokeCommand;
}

/** Lambda did not queue the invocation (anything but 202 Accepted). */
export class SelfInvokeError extends LifeguardError {}

/**
 * SelfInvoker over Lambda's asynchronous Invoke (InvocationType `Event`): Lambda queues the event
 * and answers 202 at once; the function's own retry settings and on-failure destination apply to
 * it as to every asynchronous invocation. The function invokes itself by its name, which the Lambda
 * runtime sets in AWS_LAMBDA_FUNCTION_NAME. The client module is imported on the first hand-over,
 * not at cold start: most invocations never hand over.
 */
export class LambdaSelfInvoker implements SelfInvoker {
  private loaded: Promise<{ client: LambdaClient; module: LambdaModule }> | undefined;

  constructor(private readonly target: { region: string; functionName: string | undefined }) {}

  private lambda(): Promise<{ client: LambdaClient; module: LambdaModule }> {
    this.loaded ??= import('@aws-sdk/client-lambda').then((module) => ({ module, client: new module.LambdaClient({ region: this.target.region }) }));
    // A failed import is not cached: the next hand-over tries again.
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  async invoke(payload: Record<string, unknown>): Promise<void> {
    const functionName = this.target.functionName;
    if (!functionName) throw new SelfInvokeError('AWS_LAMBDA_FUNCTION_NAME is not set: only the deployed interruption function can hand a drain over to itself');
    const { client, module } = await this.lambda();
    const response = await client.send(new module.InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    if (response.StatusCode !== 202) throw new SelfInvokeError(`lambda:Invoke of ${functionName} answered ${String(response.StatusCode)}, not 202: the invocation was not queued`);
  }
}
