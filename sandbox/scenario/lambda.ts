import type { InterruptionReport } from '../../lib/interruption/report.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';

/**
 * event: an EventBridge delivery; schedule: a one-time schedule firing (a scheduled drain, a
 * revert, a look at a node back from maintenance); continuation: a drain handed over by an
 * invocation whose time ran out; retry: Lambda trying a failed asynchronous invocation again.
 */
export type InvocationTrigger = 'event' | 'schedule' | 'continuation' | 'retry';

export interface Invocation {
  /** The request id (holds the node's lease). */
  id: string;
  /** Index of the step in `events`, for an event and its retries. */
  step?: number;
  trigger: InvocationTrigger;
  /** 1 for the first try, 2 and 3 for Lambda's retries. */
  attempt: number;
  /** The EventBridge rule that delivered it, or the schedule that fired. */
  rule?: string;
  schedule?: string;
  /** Epoch ms. */
  deliveredAt: number;
  startedAt: number;
  endedAt?: number;
  report?: InterruptionReport;
  error?: string;
}

/** Lambda's asynchronous invocation: two retries of a failed invocation, about 1 then 2 minutes later. */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

export interface LambdaOptions {
  clock: VirtualClock;
  /** The function's timeout: `remainingMs` counts down from it. */
  timeoutMs: number;
  /** How many retries a failed invocation gets (the function's maximumRetryAttempts). */
  maxRetries: number;
  handler: (payload: unknown, invocation: { id: string; remainingMs(): number }) => Promise<InterruptionReport>;
  onStart?: (invocation: Invocation) => void;
  onEnd?: (invocation: Invocation) => void;
}

/**
 * The interruption function as Lambda runs it, on the virtual clock: each delivery is an
 * invocation with its own request id and time limit; one that fails is retried asynchronously.
 * An invocation still running at its timeout is recorded as timed out (Lambda would kill it).
 */
export class SimulatedLambda {
  readonly invocations: Invocation[] = [];
  private readonly running = new Set<Promise<void>>();
  private seq = 0;

  constructor(private readonly options: LambdaOptions) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  invoke(payload: unknown, origin: Pick<Invocation, 'trigger' | 'step' | 'rule' | 'schedule'>, attempt = 1): void {
    const { clock } = this.options;
    const startedAt = clock.now();
    const invocation: Invocation = {
      id: `req-${String(++this.seq).padStart(4, '0')}`,
      ...origin,
      attempt,
      deliveredAt: startedAt,
      startedAt,
    };
    this.invocations.push(invocation);
    this.options.onStart?.(invocation);
    const remainingMs = () => Math.max(0, startedAt + this.options.timeoutMs - clock.now());
    const ended = (error?: string) => {
      if (invocation.endedAt !== undefined) return;
      invocation.endedAt = clock.now();
      if (error !== undefined) invocation.error = error;
      this.options.onEnd?.(invocation);
      if (error !== undefined && attempt <= this.options.maxRetries) {
        const delay = LAMBDA_ASYNC_RETRY_DELAYS_MS[attempt - 1] ?? LAMBDA_ASYNC_RETRY_DELAYS_MS.at(-1)!;
        clock.schedule(delay, () => this.invoke(payload, { ...origin, trigger: 'retry' }, attempt + 1));
      }
    };
    const cancelTimeout = clock.schedule(this.options.timeoutMs, () => ended(`timed out after ${this.options.timeoutMs / 1000} s`));
    const run = this.options.handler(payload, { id: invocation.id, remainingMs }).then(
      (report) => {
        if (invocation.endedAt === undefined) invocation.report = report;
        ended();
      },
      (err: unknown) => ended(err instanceof Error ? err.message : String(err)),
    );
    const tracked = run.finally(() => {
      cancelTimeout();
      this.running.delete(tracked);
    });
    this.running.add(tracked);
  }
}
