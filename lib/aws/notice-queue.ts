import type { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { NoticeQueue, SelfInvoker } from './ports.ts';
import { onFirstUse } from '../util/on-first-use.ts';

/** What the lazily imported module must provide. */
interface SqsModule {
  SQSClient: typeof SQSClient;
  ChangeMessageVisibilityCommand: typeof ChangeMessageVisibilityCommand;
  SendMessageCommand: typeof SendMessageCommand;
}

/** The environment variable the stack sets to the notice queue's URL (deploy/interruption.ts). */
export const NOTICE_QUEUE_URL_ENV = 'LIFEGUARD_NOTICE_QUEUE_URL';

/**
 * The notice queue over SQS. The client module is imported on first use, not at cold start: most
 * batches neither fail nor hand a drain over.
 */
export class SqsNoticeQueue implements NoticeQueue, SelfInvoker {
  private readonly sqs: () => Promise<{ client: SQSClient; module: SqsModule }>;

  constructor(private readonly target: { region: string; queueUrl: string }) {
    this.sqs = onFirstUse(() => import('@aws-sdk/client-sqs').then((module) => ({ module, client: new module.SQSClient({ region: target.region }) })));
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    const { client, module } = await this.sqs();
    await client.send(new module.ChangeMessageVisibilityCommand({ QueueUrl: this.target.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.round(seconds) }));
  }

  /** A continuation (a drain handed over) as a new notice: the event source mapping delivers it within its batching window. */
  async invoke(payload: Record<string, unknown>): Promise<void> {
    const { client, module } = await this.sqs();
    await client.send(new module.SendMessageCommand({ QueueUrl: this.target.queueUrl, MessageBody: JSON.stringify(payload) }));
  }
}
