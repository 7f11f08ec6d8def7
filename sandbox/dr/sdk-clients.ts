import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EMRClient } from '@aws-sdk/client-emr';
import { DR_SDK_MAX_ATTEMPTS } from '../../lib/dr/sdk-retry.ts';

/**
 * Real AWS SDK v3 clients whose commands the in-memory services answer, with the Lambdas' retry
 * settings. The answer is given at the deserialize step, inside the SDK's own retry loop, so a
 * throttled call is retried exactly as in a Lambda; the back-off it computes is slept on the
 * virtual clock (an RTO under throttling includes it) instead of on a wall-clock timer.
 */
type Answer = (action: string, input: Record<string, unknown>) => unknown;

export interface SandboxClientOptions {
  /** Sleeps simulated time (the scenario's virtual clock). */
  sleep: (ms: number) => Promise<void>;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: unknown): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface SandboxableClient {
  config: { retryStrategy: () => Promise<RetryStrategy> };
  middlewareStack: {
    add(
      middleware: (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority: 'high' },
    ): void;
  };
}

const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'SANDBOX', secretAccessKey: 'SANDBOX' },
  maxAttempts: DR_SDK_MAX_ATTEMPTS,
};

function answeredBy<C>(client: C, answer: Answer, options: SandboxClientOptions): C {
  const sandboxable = client as unknown as SandboxableClient;
  sandboxable.middlewareStack.add(
    (_next, context) => async (args) => {
      const action = (context.commandName ?? '').replace(/Command$/, '');
      const output = (await answer(action, (args.input ?? {}) as Record<string, unknown>)) as Record<string, unknown>;
      return { output: { $metadata: { httpStatusCode: 200 }, ...output }, response: {} };
    },
    { step: 'deserialize', name: 'lifeguardSandboxAnswer', priority: 'high' },
  );
  // The client's own strategy decides whether and how long to back off; the wait itself is virtual.
  const own = sandboxable.config.retryStrategy;
  sandboxable.config.retryStrategy = async () => {
    const strategy = await own();
    return {
      acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope),
      refreshRetryTokenForRetry: async (token, errorInfo) => {
        const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
        await options.sleep(next.getRetryDelay());
        // Keeps the token's other members (its retry cost) for recordSuccess.
        return Object.assign(Object.create(next) as RetryToken, { getRetryDelay: () => 0 });
      },
      recordSuccess: (token) => strategy.recordSuccess(token),
    };
  };
  return client;
}

export function sandboxEmrClient(answer: Answer, options: SandboxClientOptions): EMRClient {
  return answeredBy(new EMRClient(clientConfig), answer, options);
}

export function sandboxElbv2Client(answer: Answer, options: SandboxClientOptions): ElasticLoadBalancingV2Client {
  return answeredBy(new ElasticLoadBalancingV2Client(clientConfig), answer, options);
}

export function sandboxEc2Client(answer: Answer, options: SandboxClientOptions): EC2Client {
  return answeredBy(new EC2Client(clientConfig), answer, options);
}
