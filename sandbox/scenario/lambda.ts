import type { InterruptionReport } from '../../lib/interruption/report.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { errorMessage } from '../../lib/util/errors.ts';

/**
 * event: an EventBridge delivery; schedule: a one-time schedule firing (a scheduled drain, a
 * revert, a look at a node back from maintenance); continuation: a drain handed over by an
 * invocation whose time ran out; retry: Lambda trying a failed asynchronous invocation again, or
 * the notice queue delivering a failed notice again.
 */
export type InvocationTrigger = 'event' | 'schedule' | 'continuation' | 'retry';

/**
 * One delivery the function handled: a direct invocation, or one notice of a batch from the notice
 * queue (then several entries share the invocation's id, environment and times).
 */
export interface Invocation {
  /** The request id (holds the node's lease, with the message id in a batch of several). */
  id: string;
  /** The execution environment that ran it; `coldStart` when it was created for this invocation. */
  environment: string;
  coldStart: boolean;
  /** Times Lambda found no concurrency for it and put it back on its queue before it ran. */
  throttles: number;
  /** Index of the step in `events`, for an event and its retries. */
  step?: number;
  trigger: InvocationTrigger;
  /** 1 for the first try, 2 and 3 for Lambda's retries; through the queue, the message's receive count. */
  attempt: number;
  /** The EventBridge rule that delivered it, or the schedule that fired. */
  rule?: string;
  schedule?: string;
  /** Through the queue: the notice's message id, and how many notices the invocation had. */
  batch?: { messageId: string; size: number };
  /** Epoch ms: when the event reached Lambda (or the notice the queue), and when the handler began (after any throttling, batching and cold start). */
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

type Handler = (payload: unknown, invocation: { id: string; remainingMs(): number }) => Promise<unknown>;

/** One run of the function on an environment, as the caller of a synchronous invocation sees it. */
export interface Execution {
  id: string;
  environment: string;
  coldStart: boolean;
  startedAt: number;
  endedAt: number;
  /** What the handler returned (a partial batch response), unless it failed or timed out. */
  result?: unknown;
  error?: string;
}

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
  /** Runs of the function (an invocation, however many notices it had), and how many of them started cold. */
  executions = 0;
  coldStarts = 0;

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

  /**
   * A synchronous invocation (how the event source mapping invokes): run now on a warm environment
   * or a new one, or — no concurrency, or beyond the scaling rate — `throttled`, for the caller to
   * retry. No retries of its own: a failure is the caller's to handle.
   */
  invokeSync(payload: unknown, onStart?: (execution: { id: string; environment: string; coldStart: boolean }) => void): 'throttled' | Promise<Execution> {
    const warm = this.idle.pop();
    const environment = warm ?? this.newEnvironment();
    if (!environment) {
      this.throttles++;
      return 'throttled';
    }
    return new Promise((resolve) => {
      const start = () =>
        this.execute(
          environment,
          !warm,
          payload,
          ({ result, error, startedAt, id }) => resolve({ id, environment: environment.id, coldStart: !warm, startedAt, endedAt: this.options.clock.now(), ...(result !== undefined ? { result } : {}), ...(error !== undefined ? { error } : {}) }),
          (id) => onStart?.({ id, environment: environment.id, coldStart: !warm }),
        );
      if (warm) return start();
      this.queued++;
      this.options.clock.schedule(this.options.coldStartMs, () => {
        this.queued--;
        start();
      });
    });
  }

  /** A new environment if the concurrency limit and the scaling rate allow one. */
  private newEnvironment(): Environment | undefined {
    if (this.environments - this.idle.length >= this.options.concurrency || !this.mayScale()) return undefined;
    this.recentlyCreated.push(this.options.clock.now());
    const id = `env-${String(++this.environments).padStart(4, '0')}`;
    return { id, handler: this.options.environment(id) };
  }

  private offer(payload: unknown, origin: Origin, attempt: number, deliveredAt: number, throttles: number): void {
    const { clock, coldStartMs, maxEventAgeMs } = this.options;
    const warm = this.idle.pop();
    if (warm) return this.run(warm, false, payload, origin, attempt, deliveredAt, throttles);
    const environment = this.newEnvironment();
    if (environment) {
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
    let invocation: Invocation | undefined;
    this.execute(
      environment,
      coldStart,
      payload,
      ({ result, error }) => {
        invocation!.endedAt = clock.now();
        if (error !== undefined) invocation!.error = error;
        else invocation!.report = result as InterruptionReport;
        this.options.onEnd?.(invocation!);
        if (error !== undefined && attempt <= this.options.maxRetries) {
          const delay = LAMBDA_ASYNC_RETRY_DELAYS_MS[attempt - 1] ?? LAMBDA_ASYNC_RETRY_DELAYS_MS.at(-1)!;
          clock.schedule(delay, () => this.invoke(payload, { ...origin, trigger: 'retry' }, attempt + 1));
        }
      },
      (id, startedAt) => {
        invocation = { id, environment: environment.id, coldStart, throttles, ...origin, attempt, deliveredAt, startedAt };
        this.invocations.push(invocation);
        this.options.onStart?.(invocation);
      },
    );
  }

  /**
   * Runs the handler on the environment with its own request id and time limit; `done` gets its
   * result, or the error it failed with, or a time-out (Lambda would kill it) — once.
   */
  private execute(
    environment: Environment,
    coldStart: boolean,
    payload: unknown,
    done: (outcome: { id: string; startedAt: number; result?: unknown; error?: string }) => void,
    started?: (id: string, startedAt: number) => void,
  ): void {
    const { clock } = this.options;
    const startedAt = clock.now();
    const id = `req-${String(++this.seq).padStart(4, '0')}`;
    this.executions++;
    if (coldStart) this.coldStarts++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.environments - this.idle.length);
    started?.(id, startedAt);
    const remainingMs = () => Math.max(0, startedAt + this.options.timeoutMs - clock.now());
    let ended = false;
    const end = (outcome: { result?: unknown; error?: string }) => {
      if (ended) return;
      ended = true;
      done({ id, startedAt, ...outcome });
    };
    const cancelTimeout = clock.schedule(this.options.timeoutMs, () => end({ error: `timed out after ${this.options.timeoutMs / 1000} s` }));
    // The environment is free again once its handler has returned (a timed-out one too: Lambda
    // resets it) — before the caller hears the result, so its next invocation can reuse it.
    const free = () => {
      cancelTimeout();
      this.running.delete(tracked);
      this.idle.push(environment);
    };
    const tracked: Promise<void> = environment.handler(payload, { id, remainingMs }).then(
      (result) => {
        free();
        end({ result });
      },
      (err: unknown) => {
        free();
        end({ error: errorMessage(err) });
      },
    );
    this.running.add(tracked);
  }

  /** An entry of `invocations` made by the caller of a synchronous invocation (one per notice of a batch). */
  record(invocation: Invocation): void {
    this.invocations.push(invocation);
  }
}
