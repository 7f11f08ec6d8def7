import type { InterruptionReport } from '../../lib/interruption/report.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { errorMessage } from '../../lib/util/errors.ts';

/**
 * event: an EventBridge delivery; schedule: a one-time schedule firing (a scheduled drain, a
 * revert, a look at a node back from maintenance); continuation: a drain handed over by an
 * invocation whose time ran out; retry: Lambda trying a failed asynchronous invocation again.
 */
export type InvocationTrigger = 'event' | 'schedule' | 'continuation' | 'retry';

export interface Invocation {
  /** The request id (holds the node's lease). */
  id: string;
  /** The execution environment that ran it; `coldStart` when it was created for this invocation. */
  environment: string;
  coldStart: boolean;
  /** Times Lambda found no concurrency for it and put it back on its queue before it ran. */
  throttles: number;
  /** Index of the step in `events`, for an event and its retries. */
  step?: number;
  trigger: InvocationTrigger;
  /** 1 for the first try, 2 and 3 for Lambda's retries. */
  attempt: number;
  /** The EventBridge rule that delivered it, or the schedule that fired. */
  rule?: string;
  schedule?: string;
  /** Epoch ms: when the event reached Lambda, and when the handler began (after any throttling and cold start). */
  deliveredAt: number;
  startedAt: number;
  endedAt?: number;
  report?: InterruptionReport;
  error?: string;
}

/** Lambda's asynchronous invocation: two retries of a failed invocation, about 1 then 2 minutes later. */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
/** A throttled asynchronous event goes back on Lambda's queue: retried after 1 s, doubling up to 5 min. */
export const THROTTLE_RETRY_FIRST_MS = 1_000;
export const THROTTLE_RETRY_MAX_MS = 300_000;
const SCALING_WINDOW_MS = 10_000;

type Handler = (payload: unknown, invocation: { id: string; remainingMs(): number }) => Promise<InterruptionReport>;

export interface LambdaOptions {
  clock: VirtualClock;
  /** The function's timeout: `remainingMs` counts down from it. */
  timeoutMs: number;
  /** How many retries a failed invocation gets (the function's maximumRetryAttempts). */
  maxRetries: number;
  /** Most environments at once: the reserved concurrency, or what the account has. */
  concurrency: number;
  /** Time a new environment takes before its first invocation starts (init: runtime and module load). */
  coldStartMs: number;
  /** New environments per 10 s at most (Lambda's scaling rate per function); beyond it, throttled. */
  scalingPer10Seconds: number;
  /** An event not run within this age is dropped (the function's maximumEventAgeInSeconds). */
  maxEventAgeMs: number;
  /** Builds one execution environment's handler, with its own warm state (clients, caches). */
  environment: (id: string) => Handler;
  onStart?: (invocation: Invocation) => void;
  onEnd?: (invocation: Invocation) => void;
  onThrottle?: (origin: Origin, throttles: number) => void;
  onDrop?: (origin: Origin, why: string) => void;
}

type Origin = Pick<Invocation, 'trigger' | 'step' | 'rule' | 'schedule'>;

interface Environment {
  id: string;
  handler: Handler;
}

/**
 * The interruption function as Lambda runs asynchronous invocations, on the virtual clock: a pool of
 * execution environments, each with its own warm state, created on demand (a cold start) up to the
 * concurrency limit, at most `scalingPer10Seconds` of them in any 10 s, and reused when idle. An
 * event that finds no concurrency is throttled and goes back on Lambda's queue (retried after 1 s,
 * doubling up to 5 min, until its maximum age); these retries are not the function's retries. Each invocation has its own request id and time limit;
 * one that fails is retried asynchronously; one still running at its timeout is recorded as timed
 * out (Lambda would kill it).
 */
export class SimulatedLambda {
  readonly invocations: Invocation[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly idle: Environment[] = [];
  private environments = 0;
  /** When each environment was created, oldest first, within the last 10 s (the scaling window). */
  private readonly recentlyCreated: number[] = [];
  private queued = 0;
  private seq = 0;
  /** Invocations refused for lack of concurrency (each try counts). */
  throttles = 0;
  /** Most environments busy at once. */
  peakConcurrency = 0;

  constructor(private readonly options: LambdaOptions) {}

  get busy(): boolean {
    return this.running.size > 0 || this.queued > 0;
  }

  get environmentsCreated(): number {
    return this.environments;
  }

  invoke(payload: unknown, origin: Origin, attempt = 1): void {
    this.offer(payload, origin, attempt, this.options.clock.now(), 0);
  }

  private offer(payload: unknown, origin: Origin, attempt: number, deliveredAt: number, throttles: number): void {
    const { clock, concurrency, coldStartMs, maxEventAgeMs } = this.options;
    const warm = this.idle.pop();
    if (warm) return this.run(warm, false, payload, origin, attempt, deliveredAt, throttles);
    if (this.environments - this.idle.length < concurrency && this.mayScale()) {
      this.recentlyCreated.push(clock.now());
      const id = `env-${String(++this.environments).padStart(4, '0')}`;
      const environment = { id, handler: this.options.environment(id) };
      this.queued++;
      clock.schedule(coldStartMs, () => {
        this.queued--;
        this.run(environment, true, payload, origin, attempt, deliveredAt, throttles);
      });
      return;
    }
    this.throttles++;
    this.options.onThrottle?.(origin, throttles + 1);
    const delay = Math.min(THROTTLE_RETRY_MAX_MS, THROTTLE_RETRY_FIRST_MS * 2 ** throttles);
    if (clock.now() + delay - deliveredAt > maxEventAgeMs) return this.options.onDrop?.(origin, `no concurrency within the maximum event age (${maxEventAgeMs / 1000} s)`);
    this.queued++;
    clock.schedule(delay, () => {
      this.queued--;
      this.offer(payload, origin, attempt, deliveredAt, throttles + 1);
    });
  }

  /** Lambda adds at most `scalingPer10Seconds` environments in any 10 s. */
  private mayScale(): boolean {
    const windowStart = this.options.clock.now() - SCALING_WINDOW_MS;
    while (this.recentlyCreated.length > 0 && this.recentlyCreated[0]! <= windowStart) this.recentlyCreated.shift();
    return this.recentlyCreated.length < this.options.scalingPer10Seconds;
  }

  private run(environment: Environment, coldStart: boolean, payload: unknown, origin: Origin, attempt: number, deliveredAt: number, throttles: number): void {
    const { clock } = this.options;
    const startedAt = clock.now();
    const invocation: Invocation = {
      id: `req-${String(++this.seq).padStart(4, '0')}`,
      environment: environment.id,
      coldStart,
      throttles,
      ...origin,
      attempt,
      deliveredAt,
      startedAt,
    };
    this.invocations.push(invocation);
    this.peakConcurrency = Math.max(this.peakConcurrency, this.environments - this.idle.length);
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
    const run = environment.handler(payload, { id: invocation.id, remainingMs }).then(
      (report) => {
        if (invocation.endedAt === undefined) invocation.report = report;
        ended();
      },
      (err: unknown) => ended(errorMessage(err)),
    );
    const tracked = run.finally(() => {
      cancelTimeout();
      this.running.delete(tracked);
      // The environment is free again once its handler has returned (a timed-out one too: Lambda resets it).
      this.idle.push(environment);
    });
    this.running.add(tracked);
  }
}
