import { EC2Client } from '@aws-sdk/client-ec2';
import * as elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EMRClient } from '@aws-sdk/client-emr';
import { DR_SDK_MAX_ATTEMPTS } from '../../lib/dr/sdk-retry.ts';
import { ServiceError } from './service-error.ts';

/**
 * Real AWS SDK v3 clients whose commands the in-memory services answer, with the Lambdas' retry
 * settings. The answer is given at the deserialize step, inside the SDK's own retry loop, so a
 * throttled call is retried exactly as in a Lambda; the back-off it computes is slept on the
 * virtual clock (an RTO under throttling includes it) instead of on a wall-clock timer.
 */
type Answer = (action: string, input: Record<string, unknown>) => unknown;

export interface SandboxClientOptions {
  /** Sleeps simulated time (the scenario's virtual clock); the timer is set at the call. */
  sleep: (ms: number) => Promise<void>;
  /**
   * Awaits a sleep while letting the clock advance. The caller (a Lambda's code) runs as tracked
   * work on the clock, so the clock waits for it, except while it is parked on one of its timers.
   */
  park: (sleeping: Promise<void>) => Promise<void>;
  /** Attempts per call (default: the plan Lambda's, DR_SDK_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

interface RetryToken {
  getRetryCount(): number;
}

interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: unknown): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface BackoffStrategy {
  setDelayBase(delay: number): void;
  computeNextBackoffDelay(retryCount: number): number;
}

/** The SDK's cap on one back-off (its standard strategy's maximum retry delay). */
const MAX_BACKOFF_MS = 20_000;

/**
 * Exponential back-off (base × 2^i, capped) at the mean of the SDK's full jitter, slept on the
 * virtual clock. The sleep starts as the delay is computed, so the clock has a timer to advance to
 * while the strategy waits out its own (0 ms) timer; otherwise it would see an idle world and run on.
 */
function virtualBackoff(sleep: (ms: number) => Promise<void>): BackoffStrategy & { takeDelay(): Promise<void> } {
  let base = 100;
  // Concurrent retries of one client: each computes, then (after the strategy's 0 ms timer, in
  // the same order) takes its wait.
  const pending: Array<Promise<void>> = [];
  return {
    setDelayBase: (delay) => {
      base = delay;
    },
    computeNextBackoffDelay: (retryCount) => {
      pending.push(sleep(Math.min(base * 2 ** retryCount, MAX_BACKOFF_MS) / 2));
      return 0;
    },
    takeDelay: () => pending.shift() ?? Promise.resolve(),
  };
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
  // The client's own strategy decides whether to retry and computes the back-off from its own
  // delay base (throttling has a longer one); the wait itself is virtual. The strategy sleeps that
  // back-off on a wall-clock timer, so its back-off computer is swapped for one that returns 0 to it
  // and hands the delay, at its jitter's mean (deterministic runs), to the virtual clock instead.
  const own = sandboxable.config.retryStrategy;
  sandboxable.config.retryStrategy = async () => {
    const strategy = (await own()) as RetryStrategy & { retryBackoffStrategy?: BackoffStrategy };
    if (!strategy.retryBackoffStrategy) throw new Error('sandbox: the AWS SDK retry strategy has no retryBackoffStrategy to make virtual');
    const backoff = virtualBackoff(options.sleep);
    strategy.retryBackoffStrategy = backoff;
    return {
      acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope),
      refreshRetryTokenForRetry: async (token, errorInfo) => {
        const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
        await options.park(backoff.takeDelay());
        return next;
      },
      recordSuccess: (token) => strategy.recordSuccess(token),
    };
  };
  return client;
}

const configFor = (options: SandboxClientOptions) => ({ ...clientConfig, maxAttempts: options.maxAttempts ?? DR_SDK_MAX_ATTEMPTS });

export function sandboxEmrClient(answer: Answer, options: SandboxClientOptions): EMRClient {
  return answeredBy(new EMRClient(configFor(options)), answer, options);
}

/**
 * ELBv2 speaks the query protocol: an error code its model declares (TargetGroupNotFound) reaches
 * the caller as that exception's name (TargetGroupNotFoundException); any other code as itself.
 */
export const elbv2ErrorName = (code: string): string => (`${code}Exception` in elbv2Sdk ? `${code}Exception` : code);

export function sandboxElbv2Client(answer: Answer, options: SandboxClientOptions): ElasticLoadBalancingV2Client {
  const named: Answer = async (action, input) => {
    try {
      return await answer(action, input);
    } catch (err) {
      if (err instanceof ServiceError) throw new ServiceError(elbv2ErrorName(err.name), err.message);
      throw err;
    }
  };
  return answeredBy(new ElasticLoadBalancingV2Client(configFor(options)), named, options);
}

export function sandboxEc2Client(answer: Answer, options: SandboxClientOptions): EC2Client {
  return answeredBy(new EC2Client(configFor(options)), answer, options);
}
