import type { SFNClient } from '@aws-sdk/client-sfn';
import type { MessageQueue, SelfInvoker } from '../lib/aws/ports.ts';
import type { Clock } from '../lib/util/clock.ts';
import type { CliIo } from './io.ts';
import type { Connect } from './reach/probe.ts';

/** What a command may need from outside; tests inject all of it. */
export interface CliDeps extends Partial<CliIo> {
  env?: NodeJS.ProcessEnv;
  sfn?: SFNClient;
  clock?: Clock;
  /** Ends a command that runs until stopped (emulator) instead of SIGINT / SIGTERM. */
  stop?: AbortSignal;
  /** SQS for `redrive` (else the AWS SDK, in the queue's region). */
  queues?: MessageQueue;
  /** Lambda's asynchronous Invoke of one function, for `redrive --to-function`. */
  invokerFor?: (functionName: string) => SelfInvoker;
  /** The TCP connect of the reachability check (cli/reach/probe.ts). */
  connect?: Connect;
}

/** What a command's action gets: the terminal, the environment, whatever a test injected, and its exit. */
export interface CliContext extends CliIo, Omit<CliDeps, keyof CliIo | 'env'> {
  env: NodeJS.ProcessEnv;
  /** The exit code the command's action decided on. */
  exit(code: number): void;
}
