import type { Clock } from '../util/clock.ts';
import { ConfigError } from '../config/errors.ts';

/** `high` goes before every waiting `normal` request (the cordon PATCH ahead of evictions and lists). */
export type RequestPriority = 'high' | 'normal';

export interface TokenBucketOptions {
  /** Sustained requests per second. */
  qps: number;
  /** Requests that may go at once after a quiet period. */
  burst: number;
}

/**
 * 400 requests/s sustained, 40 at once, per invocation (one client drains a whole batch of nodes).
 * The rate lets a batch of 100 nodes cordon in a quarter of a second and evict its ~2,500 pods
 * within seconds; the small burst keeps what a few invocations starting together put in flight
 * inside one API Priority and Fairness flow's queues (6 × 50 behind 49 seats), where a burst of 200
 * per invocation had 429s. A 110-pod node's drain waits on it a quarter of a second. Measured:
 * docs/performance.md (client-go's own default is 5/10).
 */
export const DEFAULT_RATE_LIMIT: TokenBucketOptions = { qps: 400, burst: 40 };

/**
 * A client-side rate limit: `burst` tokens, refilled at `qps` per second of the injected clock.
 * Waiters are served high priority first, then in arrival order. One timer at a time, and none
 * while nobody waits, so nothing outlives the work.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly waiting: Record<RequestPriority, Array<() => void>> = { high: [], normal: [] };
  private pumping = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: TokenBucketOptions,
  ) {
    if (!(options.qps > 0) || !Number.isFinite(options.qps)) throw new ConfigError(`token bucket: qps must be a positive number, got ${options.qps}`);
    if (!Number.isInteger(options.burst) || options.burst < 1) throw new ConfigError(`token bucket: burst must be a positive integer, got ${options.burst}`);
    this.tokens = options.burst;
    this.refilledAt = clock.now();
  }

  /** Requests waiting for a token. */
  get queued(): number {
    return this.waiting.high.length + this.waiting.normal.length;
  }

  /** Resolves when the caller may send one request. */
  take(priority: RequestPriority = 'normal'): Promise<void> {
    this.refill();
    if (this.queued === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiting[priority].push(resolve);
      void this.pump();
    });
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.options.qps);
    this.refilledAt = now;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queued > 0) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          const next = this.waiting.high.shift() ?? this.waiting.normal.shift();
          next?.();
          continue;
        }
        await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.options.qps) * 1000));
      }
    } finally {
      this.pumping = false;
    }
  }
}
