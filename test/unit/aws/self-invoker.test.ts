import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaSelfInvoker, SelfInvokeError } from '../../../lib/aws/self-invoker.ts';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const payload = { 'lifeguard-continuation': { type: 'resume-drain', nodeName: 'ip-10-0-1-10.ec2.internal', round: 1 } };

describe('LambdaSelfInvoker', () => {
  it('queues an asynchronous invocation of the function by its own name, the payload as JSON', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await new LambdaSelfInvoker({ region: 'us-east-1', functionName: 'lifeguard-prod-interruption' }).invoke(payload);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'lifeguard-prod-interruption', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual(payload);
  });

  it('fails when Lambda did not queue it, or when there is no function to invoke (outside Lambda)', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(new LambdaSelfInvoker({ region: 'us-east-1', functionName: 'f' }).invoke(payload)).rejects.toThrow(/answered 200, not 202/);
    await expect(new LambdaSelfInvoker({ region: 'us-east-1', functionName: undefined }).invoke(payload)).rejects.toBeInstanceOf(SelfInvokeError);
    lambda.on(InvokeCommand).rejects(new Error('AccessDeniedException: not authorized to perform lambda:InvokeFunction'));
    await expect(new LambdaSelfInvoker({ region: 'us-east-1', functionName: 'f' }).invoke(payload)).rejects.toThrow(/lambda:InvokeFunction/);
  });
});
