import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Clock } from '../util/clock.ts';

/**
 * Follows a Step Functions execution state by state (GetExecutionHistory, paged, only new
 * events each round) until it ends, then reads its output or error (DescribeExecution).
 */

export interface FollowedState {
  /** Seconds since the execution started. */
  t: number;
  state: string;
  event: 'entered' | 'failed' | 'retried' | 'caught';
  error?: string;
}

export interface FollowedExecution {
  executionArn: string;
  status: string;
  output?: unknown;
  error?: { error: string; cause: string };
  states: FollowedState[];
}

export interface FollowOptions {
  clock: Clock;
  pollSeconds?: number;
  /** Stop following (the execution keeps running) after this long. */
  maxWaitSeconds?: number;
  onState?: (state: FollowedState) => void;
}

export async function followExecution(sfn: SFNClient, executionArn: string, options: FollowOptions): Promise<FollowedExecution> {
  const pollMs = (options.pollSeconds ?? 5) * 1000;
  const deadline = options.clock.now() + (options.maxWaitSeconds ?? 7200) * 1000;
  const states: FollowedState[] = [];
  let seen = 0;
  let startedAt: number | undefined;
  for (;;) {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: false }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    for (const event of events.slice(seen)) {
      startedAt ??= event.timestamp?.getTime();
      const state = toState(event, startedAt ?? 0);
      if (state) {
        states.push(state);
        options.onState?.(state);
      }
    }
    seen = Math.max(seen, events.length);

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = described.status ?? 'UNKNOWN';
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      const result: FollowedExecution = { executionArn, status, states };
      if (described.output) result.output = JSON.parse(described.output);
      if (status !== 'SUCCEEDED') result.error = { error: described.error ?? status, cause: described.cause ?? '' };
      return result;
    }
    if (options.clock.now() >= deadline) return { executionArn, status, states };
    await options.clock.sleep(pollMs);
  }
}

function toState(event: HistoryEvent, startedAt: number): FollowedState | undefined {
  const t = Math.round(((event.timestamp?.getTime() ?? startedAt) - startedAt) / 100) / 10;
  if (event.stateEnteredEventDetails?.name) return { t, state: event.stateEnteredEventDetails.name, event: 'entered' };
  const failed = event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails;
  if (failed) return { t, state: String(event.type), event: 'failed', error: failed.error ?? 'unknown' };
  return undefined;
}
