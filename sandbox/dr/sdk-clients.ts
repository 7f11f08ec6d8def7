import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EMRClient } from '@aws-sdk/client-emr';

/**
 * Real AWS SDK v3 clients whose commands the in-memory services answer: a middleware at the
 * initialize step hands the command's input to the service and returns its output, so code that
 * takes SDK clients (the failover planner) runs unchanged in the sandbox.
 */
type Answer = (action: string, input: Record<string, unknown>) => unknown;

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'SANDBOX', secretAccessKey: 'SANDBOX' },
  maxAttempts: 1,
};

function answeredBy<C>(client: C, answer: Answer): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (_next, context) => async (args) => {
      const action = (context.commandName ?? '').replace(/Command$/, '');
      const output = (await answer(action, (args.input ?? {}) as Record<string, unknown>)) as Record<string, unknown>;
      return { output: { $metadata: { httpStatusCode: 200 }, ...output }, response: {} };
    },
    { step: 'initialize', name: 'lifeguardSandboxAnswer', priority: 'high' },
  );
  return client;
}

export function sandboxEmrClient(answer: Answer): EMRClient {
  return answeredBy(new EMRClient(clientConfig), answer);
}

export function sandboxElbv2Client(answer: Answer): ElasticLoadBalancingV2Client {
  return answeredBy(new ElasticLoadBalancingV2Client(clientConfig), answer);
}

export function sandboxEc2Client(answer: Answer): EC2Client {
  return answeredBy(new EC2Client(clientConfig), answer);
}
