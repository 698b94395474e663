/**
 * Token buckets per key: `burst` requests at once, then one every `intervalMs`.
 * Bounded: at most `maxKeys` buckets are kept (the least recently seen go first).
 */
import { LruCache } from '../read-model/lru-cache.js';

export interface RateLimit {
  burst: number;
  intervalMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets: LruCache<string, Bucket>;

  constructor(
    private readonly limit: RateLimit,
    maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new LruCache(maxKeys, () => 1);
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    const refilled = Math.min(
      this.limit.burst,
      bucket.tokens + (now - bucket.at) / this.limit.intervalMs,
    );
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, at: now });
      return Math.ceil(((1 - refilled) * this.limit.intervalMs) / 1000);
    }
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    return 0;
  }
}
